#!/usr/bin/env python3
"""Trains each model family of vae-tui on MNIST for the same budget and prints one table.

  python3 bench/families.py [--data DIR] [--epochs 50] [--nll-limit 1000] [--families diag-normal,iaf-normal,...]

Every run: batch 100, k = 1 ELBO, Adam 1e-3 (eps 1e-4), seed 1, one thread, the release build. Then
`vae-tui eval --k 5000` on the first --nll-limit test images: NLL = -L_5000, the test ELBO, the gap
NLL - (-ELBO), KL, active units, I_q. Writes the table as Markdown to stdout and JSON to --out.
--data DIR is MNIST's directory; by default $VAE_TUI_DATA, else ${XDG_CACHE_HOME:-~/.cache}/vae-tui/mnist
(where `vae-tui data fetch mnist` puts it).
"""
import argparse, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "vae-tui")


def default_mnist():
    """Where MNIST is by default: $VAE_TUI_DATA, else the cache `vae-tui data fetch mnist` fills."""
    if os.environ.get("VAE_TUI_DATA"):
        return os.environ["VAE_TUI_DATA"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "vae-tui", "mnist")
FAMILIES = {
    "diag-normal": ["--posterior", "diag", "--prior", "normal"],
    "iaf-normal": ["--posterior", "iaf", "--prior", "normal"],
    "diag-af": ["--posterior", "diag", "--prior", "af"],
    "iaf-af": ["--posterior", "iaf", "--prior", "af"],
    "two-layer": ["--latent", "100,50"],
    "two-layer-iaf-af": ["--latent", "100,50", "--posterior", "iaf", "--prior", "af"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=default_mnist())
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--nll-limit", type=int, default=1000)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--out", default="families.json")
    ap.add_argument("--workdir", default="runs/families")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "vae-tui"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    rows = []
    for name in args.families.split(","):
        ckpt = os.path.join(args.workdir, name + ".safetensors")
        start = time.time()
        subprocess.run([BINARY, "train", "--data", args.data, "--epochs", str(args.epochs), "--seed", "1",
                        "--eval-limit", "1000", "--checkpoint", ckpt, "--log", os.path.join(args.workdir, name + ".jsonl")]
                       + FAMILIES[name], check=True, stdout=subprocess.DEVNULL)
        seconds = time.time() - start
        out = subprocess.run([BINARY, "eval", "--checkpoint", ckpt, "--data", args.data, "--k", "5000",
                              "--limit", str(args.nll_limit), "--json"], check=True, stdout=subprocess.PIPE, text=True).stdout
        ev = json.loads(out[out.index("{"):])
        ev.update(family=name, train_seconds=seconds, gap=-ev["elbo"] - ev["nll"])
        rows.append(ev)
        print(f"{name}: NLL {ev['nll']:.2f}  ELBO {ev['elbo']:.2f}  gap {ev['gap']:.2f}  AU {ev['active_units']}  "
              f"({seconds:.0f} s)", file=sys.stderr, flush=True)
    print(f"\nMNIST, {args.epochs} epochs, batch 100, k = 1 ELBO, seed 1; NLL = -L_5000 on the first {args.nll_limit} test images\n")
    print("| model | NLL | test ELBO | gap (−ELBO) − NLL | KL | active units | I_q | training time, s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['family']} | {r['nll']:.2f} | {r['elbo']:.2f} | {r['gap']:.2f} | {r['kl']:.2f} | "
              f"{r['active_units']} | {r['mi']:.2f} | {r['train_seconds']:.0f} |")
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
