#!/usr/bin/env python3
"""Runs vae-tui's benchmark and the PyTorch reference in the same session and prints ratios.

  python3 bench/compare.py speed    [--data DIR] [--seconds 4]
  python3 bench/compare.py accuracy [--data DIR] [--epochs 10] [--nll-limit 1000]

--data DIR is MNIST's directory; by default $VAE_TUI_DATA, else ${XDG_CACHE_HOME:-~/.cache}/vae-tui/mnist
(where `vae-tui data fetch mnist` puts it).

`speed`: `vae-tui bench --compare`: training images/s at batch 100 for k = 1, 5, 50 on 1 and 2 threads
(IWAE objective), the time of L_5000 on 20 test images, and the single-thread sgemm peak, each beside
PyTorch's, with the CPU and both sides' kernels.
`accuracy`: trains the IWAE paper's MNIST VAE with both implementations (k = 1, batch 100, Adam
lr 1e-3, eps 1e-4, seed 1) and compares the test NLL (-L_5000 on the first 1,000 test images);
then trains vae-tui with IWAE k = 5 for the same epochs and compares NLL and active units with k = 1.
Needs PyTorch (pip install torch); CI does not run this.
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "vae-tui")
REFERENCE = os.path.join(ROOT, "bench", "reference_vae.py")


def default_mnist():
    """Where MNIST is by default: $VAE_TUI_DATA, else the cache `vae-tui data fetch mnist` fills."""
    if os.environ.get("VAE_TUI_DATA"):
        return os.environ["VAE_TUI_DATA"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "vae-tui", "mnist")


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "vae-tui"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def run_json(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def speed(args):
    """The comparison is vae-tui's own: `vae-tui bench --compare` runs the reference beside it."""
    subprocess.run([BINARY, "bench", "--compare", "--data", args.data, "--seconds", str(args.seconds)], cwd=ROOT, check=True)


def accuracy(args):
    tmp = tempfile.mkdtemp(prefix="vae-tui-accuracy-")
    results = {}
    for k, objective in [(1, "elbo"), (5, "iwae")]:
        ckpt = os.path.join(tmp, f"{objective}{k}.safetensors")
        start = time.time()
        subprocess.run([BINARY, "train", "--data", args.data, "--epochs", str(args.epochs), "--k", str(k),
                        "--objective", objective, "--seed", "1", "--checkpoint", ckpt,
                        "--log", os.path.join(tmp, f"{objective}{k}.jsonl")], cwd=ROOT, check=True)
        train_seconds = time.time() - start
        ev = run_json([BINARY, "eval", "--checkpoint", ckpt, "--data", args.data, "--k", "5000",
                       "--limit", str(args.nll_limit), "--json"])
        ev["train_seconds"] = train_seconds
        results[(objective, k)] = ev
    ref = run_json([sys.executable, REFERENCE, "--data", args.data, "--epochs", str(args.epochs),
                    "--nll-limit", str(args.nll_limit)])
    ours = results[("elbo", 1)]
    iw = results[("iwae", 5)]
    print(f"\nMNIST, {args.epochs} epochs, batch 100, Adam 1e-3 (eps 1e-4), seed 1; NLL = -L_5000 on the first {args.nll_limit} test images\n")
    print("| run | NLL | test ELBO | KL | active units | I_q |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| vae-tui, ELBO k=1 | {ours['nll']:.2f} | {ours['elbo']:.2f} | {ours['kl']:.2f} | {ours['active_units']} | {ours['mi']:.2f} |")
    print(f"| PyTorch reference, ELBO k=1 | {ref['nll']:.2f} | {ref['test_elbo']:.2f} | {ref['kl']:.2f} | {ref['active_units']} | |")
    print(f"| vae-tui, IWAE k=5 | {iw['nll']:.2f} | {iw['elbo']:.2f} | {iw['kl']:.2f} | {iw['active_units']} | {iw['mi']:.2f} |")
    print(f"\nNLL difference vae-tui - PyTorch at k=1: {ours['nll'] - ref['nll']:+.2f} nats")
    print(f"IWAE k=5 vs ELBO k=1: NLL {iw['nll'] - ours['nll']:+.2f} nats, active units {iw['active_units'] - ours['active_units']:+d}")
    print(f"Note: vae-tui's test ELBO uses the first {args.nll_limit} test images; the reference's uses all 10,000.")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["speed", "accuracy"])
    ap.add_argument("--data", default=default_mnist())
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--nll-limit", type=int, default=1000)
    args = ap.parse_args()
    args.data = os.path.abspath(args.data)
    build()
    speed(args) if args.what == "speed" else accuracy(args)


if __name__ == "__main__":
    main()
