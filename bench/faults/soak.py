#!/usr/bin/env python3
"""Fault 9, the soak: the dashboard on MNIST for an hour (release build, tmux at 120x40, one thread).

Reads the run's `ui` records (one a minute: frame time, resident memory, curve points, throughput) and
prints: resident memory after 10 and after 60 minutes (within 5%?), frame time and throughput early
against late (flat?), and the curves' points (thinned, bounded?). Writes bench/results-soak.json.

Usage: python3 bench/faults/soak.py [--minutes 60] [--binary .build/release/vae-tui] [--data DIR]
--data DIR is MNIST's directory; by default $VAE_TUI_DATA, else ${XDG_CACHE_HOME:-~/.cache}/vae-tui/mnist
(where `vae-tui data fetch mnist` puts it).
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default_mnist():
    """Where MNIST is by default: $VAE_TUI_DATA, else the cache `vae-tui data fetch mnist` fills."""
    if os.environ.get("VAE_TUI_DATA"):
        return os.environ["VAE_TUI_DATA"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "vae-tui", "mnist")


def dashboard_pid(run):
    """The vae-tui process itself: tmux and the shell that started it carry the same command line."""
    for pid in subprocess.run(["pgrep", "-f", f"--run-dir {run}"], capture_output=True, text=True).stdout.split():
        try:
            if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "vae-tui":
                return pid
        except OSError:
            pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/vae-tui"))
    ap.add_argument("--data", default=default_mnist())
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results-soak.json"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vae-tui-soak-")
    socket, run = os.path.join(work, "tmux.sock"), os.path.join(work, "run")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    env["TERM"] = "xterm-256color"
    tmux = ["tmux", "-S", socket]
    subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "40",
                           f"{args.binary} run --data {args.data} --run-dir {run}; sleep 30"], env=env, check=True)
    start = time.time()
    samples = []  # (minutes, the process's resident MB read from /proc, beside what it logs itself)
    try:
        while time.time() - start < args.minutes * 60:
            time.sleep(30)
            pid = dashboard_pid(run)
            if pid:
                with open(f"/proc/{pid}/status") as f:
                    rss = next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmRSS"))
                samples.append((round((time.time() - start) / 60, 2), rss))
    finally:
        subprocess.run(tmux + ["send-keys", "q"])
        time.sleep(5)
        subprocess.run(tmux + ["kill-server"], capture_output=True)
    ui = [json.loads(l) for l in open(os.path.join(run, "metrics.jsonl")) if '"event":"ui"' in l]
    curves = json.load(open(os.path.join(run, "curves.json")))
    log_mb = os.path.getsize(os.path.join(run, "metrics.jsonl")) / 1e6

    def at(minute):  # the ui record nearest a minute mark (records are a minute apart, from minute 1)
        return ui[min(len(ui) - 1, max(0, int(round(minute)) - 1))]

    def mean(records, key):
        return sum(r[key] for r in records) / len(records)

    early, late = ui[4:15] or ui[:1], ui[-11:]
    ten, last = at(10), ui[-1]
    rss_change = (last["rss_mb"] - ten["rss_mb"]) / ten["rss_mb"]
    result = {
        "minutes": args.minutes, "ui_records": len(ui),
        "rss_mb_10min": ten["rss_mb"], "rss_mb_end": last["rss_mb"], "rss_change": rss_change,
        "frame_ms_early": mean(early, "frame_ms"), "frame_ms_late": mean(late, "frame_ms"),
        "frame_ms_max": max(r["frame_ms_max"] for r in ui),
        "samples_per_s_early": mean(early, "samples_per_s"), "samples_per_s_late": mean(late, "samples_per_s"),
        "curve_points_max": max(r["curve_points"] for r in ui), "curve_points_end": last["curve_points"],
        "longest_curve_end": max(len(v) for k, v in curves.items() if isinstance(v, list) and v and isinstance(v[0], dict)),
        "steps": last["step"], "log_mb": log_mb,
        "proc_rss_mb_10min": min(samples, key=lambda m: abs(m[0] - 10))[1] if samples else None,
        "proc_rss_mb_end": samples[-1][1] if samples else None, "proc_rss_samples": samples,
    }
    json.dump(result, open(args.out, "w"), indent=1)
    ok_rss = abs(rss_change) <= 0.05
    ok_frame = result["frame_ms_late"] <= 1.5 * result["frame_ms_early"] + 0.5
    ok_speed = result["samples_per_s_late"] >= 0.85 * result["samples_per_s_early"]
    ok_points = result["longest_curve_end"] <= 4000
    print(f"fault 9 soak: {args.minutes:g} minutes, {last['step']} steps; "
          f"RSS {ten['rss_mb']:.1f} MB at 10 min, {last['rss_mb']:.1f} MB at the end ({100 * rss_change:+.1f}%, {'within' if ok_rss else 'NOT within'} 5%); "
          f"frame {result['frame_ms_early']:.2f} -> {result['frame_ms_late']:.2f} ms (max {result['frame_ms_max']:.1f}); "
          f"throughput {result['samples_per_s_early']:.0f} -> {result['samples_per_s_late']:.0f} img/s; "
          f"longest curve {result['longest_curve_end']} points (cap 4000); log {log_mb:.1f} MB")
    failed = [name for name, ok in [("rss", ok_rss), ("frame", ok_frame), ("throughput", ok_speed), ("points", ok_points)] if not ok]
    print(f"fault 9 soak: tried 1, passed {0 if failed else 1}, failed {1 if failed else 0}, first failure: {', '.join(failed) or 'none'}")


if __name__ == "__main__":
    main()
