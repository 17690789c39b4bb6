#!/usr/bin/env python3
"""The fault suite's terminal and training faults, at full count, against the release binary in tmux:

  fault 4  NaN and Inf injected mid-run (--inject-nan): in `train` and in the dashboard's engine
  fault 5  key and resize storms against the dashboard and each demo
  fault 6  hostile terminals: TERM unset, dumb or unknown; LANG=C; NO_COLOR and --no-color
  fault 8  signals: SIGINT, SIGTERM, SIGHUP, and SIGTSTP then fg, at random moments

Prints one line per fault: tried, passed, failed, and the first failure's details.
Usage: python3 bench/faults/terminal_faults.py [--binary .build/release/vae-tui] [--faults 4,5,6,8]
       [--nan 100] [--storms 1000] [--signals 100] [--seed 1] [--screens dashboard,binpack,enumerate,dequant]
"""
import argparse, json, os, random, re, shutil, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMALL = "--train-limit 1000 --validation 100 --latent 4 --hidden 16"
SCREENS = {"dashboard": f"run {SMALL}", "binpack": "demo binpack", "enumerate": "demo enumerate", "dequant": "demo dequant"}
KEYS = list("bBkKowWfFulLcCnNAx.egai?dmrseMpPvsy[]+-=") + ["Tab", "Left", "Right", "Up", "Down", "Escape", "F1", "Enter", "BSpace"]


class Tally:
    def __init__(self, name):
        self.name, self.tried, self.failed, self.first = name, 0, 0, None

    def check(self, ok, detail):
        self.tried += 1
        if not ok:
            self.failed += 1
            self.first = self.first or detail

    def line(self):
        return (f"{self.name}: tried {self.tried}, passed {self.tried - self.failed}, failed {self.failed}, "
                f"first failure: {self.first or 'none'}")


class Tmux:
    """A tmux server of our own (a new socket each time), one window."""
    servers = 0

    def __init__(self, work, width=120, height=40):
        Tmux.servers += 1
        self.work, self.socket = work, os.path.join(work, f"tmux-{Tmux.servers}.sock")
        self.status_file = os.path.join(work, f"exit-{Tmux.servers}")
        self.width, self.height = width, height

    def cmd(self, *args, check=False):
        p = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {p.stderr.strip()}")
        return p.stdout

    def start(self, command):
        self.cmd("new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-c", self.work,
                 "bash --norc --noprofile -i", check=True)
        time.sleep(0.3)
        self.type(f"{command}; s=$?; echo $s > {self.status_file}; echo EXIT=$s")

    def type(self, text):
        self.cmd("send-keys", "-l", text)
        self.cmd("send-keys", "Enter")

    def keys(self, *keys):
        self.cmd("send-keys", *keys)

    def screen(self, escapes=False):
        return self.cmd("capture-pane", "-p", *(["-e"] if escapes else []))

    def wait(self, condition, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if condition(s):
                return s
            time.sleep(0.1)
        return None

    def status(self):
        """The program's exit status as its shell wrote it to a file, or None while it has not ended. Unlike
        the EXIT= line, no key typed at the shell and no resize can scroll or clear it away."""
        try:
            with open(self.status_file) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def ended_at(self):
        """When the program ended: the time its shell wrote the status file (None while it runs)."""
        try:
            return os.path.getmtime(self.status_file)
        except OSError:
            return None

    def wait_status(self, timeout):
        deadline = time.time() + timeout
        while self.status() is None and time.time() < deadline:
            time.sleep(0.1)
        return self.status()

    def program(self):
        """The state of the program under the pane's shell, as ps says it (R or S running, T stopped, Z a
        zombie), or None when it is gone."""
        shell = self.cmd("display-message", "-p", "#{pane_pid}").strip()
        if not shell:
            return None
        out = subprocess.run(["ps", "-o", "stat=", "--ppid", shell], capture_output=True, text=True).stdout.split()
        return out[0] if out else None

    def history(self):
        """The pane's whole text, its scrollback included."""
        return self.cmd("capture-pane", "-p", "-S", "-")

    def kill(self):
        self.cmd("kill-server")


def step(screen):
    m = re.search(r"step (\d+)", screen.split("\n")[0]) if screen else None
    return int(m.group(1)) if m else None


def exited(screen):
    m = re.search(r"EXIT=(\d+)", screen or "")
    return int(m.group(1)) if m else None


def terminal_restored(tmux):
    """After the program: the shell's terminal is sane again (echo and canonical input on). Ctrl-C first
    clears whatever the rest of a storm typed at the shell."""
    time.sleep(0.3)
    tmux.keys("C-c")
    time.sleep(0.2)
    tmux.type("stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon | wc -l")
    return tmux.wait(lambda s: re.search(r"^2\s*$", s, re.M) is not None, 5) is not None


def fresh(work_root, name):
    path = os.path.join(work_root, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def nan_faults(binary, work_root, count, rng):
    t = Tally("fault 4 NaN and Inf injected")
    targets = ["loss", "gradient", "weight"]
    per_run = 10
    for r in range(max(1, count // per_run // 2)):
        # train: 20 steps an epoch at batch 50, 5 epochs = 100 steps; NaNs at 10 random steps.
        work = fresh(work_root, f"nan-train-{r}")
        steps = sorted(rng.sample(range(1, 100), per_run))
        target = targets[r % 3]
        spec = ",".join(map(str, steps)) + ":" + target
        p = subprocess.run([binary, "train", *SMALL.split(), "--batch", "50", "--epochs", "5", "--eval-limit", "100",
                            "--inject-nan", spec, "--run-dir", "run"], cwd=work, capture_output=True, text=True)
        epochs = [json.loads(l) for l in open(os.path.join(work, "run", "metrics.jsonl")) if '"event":"epoch"' in l] if p.returncode == 0 else []
        skipped = epochs[-1]["nonfinite_steps"] if epochs else -1
        finite = bool(epochs) and all(isinstance(e["test_elbo"], float) for e in epochs)
        for s in steps:
            t.check(p.returncode == 0 and skipped == per_run and finite,
                    f"train --inject-nan {spec}: exit {p.returncode}, {skipped} skipped, {p.stderr.strip()[:120]}")
        # the dashboard's engine: the same, in tmux, read back from the run log.
        work = fresh(work_root, f"nan-run-{r}")
        steps = sorted(rng.sample(range(20, 400), per_run))
        spec = ",".join(map(str, steps)) + ":" + targets[(r + 1) % 3]
        tmux = Tmux(work)
        tmux.start(f"{binary} run {SMALL} --inject-nan {spec} --run-dir run")
        tmux.wait(lambda s: (step(s) or 0) > 450, 60)
        tmux.keys("q")
        done = tmux.wait(lambda s: exited(s) is not None, 30)
        tmux.kill()
        log = [json.loads(l) for l in open(os.path.join(work, "run", "metrics.jsonl"))]
        caught = {rec["step"] for rec in log if rec.get("event") == "nonfinite"}
        for s in steps:
            t.check(exited(done) == 0 and s in caught, f"run --inject-nan {spec}: step {s} not caught (caught {sorted(caught)}), exit {exited(done)}")
    # NaN at every step: a clear stop, in both.
    work = fresh(work_root, "nan-every")
    p = subprocess.run([binary, "train", *SMALL.split(), "--epochs", "2", "--inject-nan", "every", "--run-dir", "run"],
                       cwd=work, capture_output=True, text=True)
    t.check(p.returncode == 1 and "cannot recover" in p.stderr and p.stderr.count("\n") == 1, f"train every: {p.returncode} {p.stderr[:120]}")
    tmux = Tmux(work)
    tmux.start(f"{binary} run {SMALL} --inject-nan every --run-dir run2")
    s = tmux.wait(lambda s: "training stopped: NaN/Inf at every step" in s, 30)
    tmux.keys("q")
    tmux.wait(lambda s: exited(s) is not None, 20)
    tmux.kill()
    t.check(s is not None, "run every: no message")
    return t


def storm(rng):
    """One storm, drawn: the tmux command that sends it."""
    kind = rng.random()
    if kind < 0.6:
        return ["send-keys", *rng.choices(KEYS, k=rng.randint(1, 8))]
    if kind < 0.7:
        return ["send-keys", "-l", "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 200)))]
    if kind < 0.75:  # escape sequences, whole or cut short
        sequence = rng.choice([b"\x1b[", b"\x1bO", b"\x1b[1;5", b"\x1b[200~"]) + bytes(rng.randint(0x20, 0x7e) for _ in range(rng.randint(0, 6)))
        return ["send-keys", "-H", *[f"{b:02x}" for b in sequence]]
    if kind < 0.8:  # arbitrary bytes (never Ctrl-Z: suspending is fault 8's)
        return ["send-keys", "-H", *[f"{b:02x}" for b in (rng.randint(0, 255) for _ in range(rng.randint(1, 16))) if b != 26]]
    return ["resize-window", "-x", str(rng.randint(1, 300)), "-y", str(rng.randint(1, 100))]


def ending(tmux, storm_end):
    """What became of the program, for a failure's message: the status its shell recorded, when (from the
    storm's last key), and whether the EXIT= line is still on screen (keys typed at the shell after the
    program ended, or a resize, can push it into the scrollback); or, if it has not ended, whether its
    process is running, stopped (state T) or gone."""
    status, state = tmux.status(), tmux.program()
    if status is None:
        process = ("gone" if state is None or state.startswith("Z") else
                   "stopped" if state.startswith("T") else "running")
        return f"no exit status recorded, process {process} (state {state})"
    history = tmux.history()
    signal = ""
    if status > 128 and state and state.startswith("T"):  # a stopped job also gives its shell 128 + the signal
        signal = f" (stopped by signal {status - 128}, its process still there in state {state})"
    elif status > 128:
        signal = f" (killed by signal {status - 128}{', core dumped' if 'core dumped' in history else ''})"
    line = ("on screen" if exited(tmux.screen()) is not None
            else "in the scrollback only" if exited(history) is not None else "nowhere in the pane")
    return f"exit status {status}{signal} {tmux.ended_at() - storm_end:+.1f} s after the storm's last key, its EXIT= line {line}"


def keep(tmux, label):
    """The pane's whole text, scrollback included, in a file that outlives the run (the work is removed)."""
    fd, path = tempfile.mkstemp(prefix=f"vae-tui-storm-{label}-", suffix=".txt")
    with os.fdopen(fd, "w") as f:
        f.write(tmux.history())
    return path


def storm_faults(binary, work_root, count, rng, screens):
    t = Tally("fault 5 key and resize storms")
    per_screen = max(1, count // len(SCREENS))
    for name, command in SCREENS.items():
        storms = [storm(rng) for _ in range(per_screen)]  # drawn for every screen, so --screens replays the same
        if name not in screens:
            continue
        work = fresh(work_root, f"storm-{name}")
        tmux = Tmux(work)
        tmux.start(f"{binary} {command}")
        tmux.wait(lambda s: step(s) is not None, 30)
        for i, sent in enumerate(storms):
            tmux.cmd(*sent)
            sent_at = time.time()
            # Esc (alone, or opening a sequence cut short) and q are a demo's own keys back: an exit with
            # status 0 and the terminal restored is the program working; it is started again. The status
            # comes from the shell's file: the EXIT= line may be off screen by now.
            status = tmux.status()
            ok = status in (None, 0) and (status is None or terminal_restored(tmux))
            t.check(ok, "" if ok else f"{name}: storm {i} ended the program: {ending(tmux, sent_at)}, pane in {keep(tmux, name)}")
            if status is not None:
                tmux.kill()
                tmux = Tmux(work)
                tmux.start(f"{binary} {command}")
                tmux.wait(lambda s: step(s) is not None, 30)
        tmux.cmd("resize-window", "-x", "120", "-y", "40")
        storm_end = time.time()
        time.sleep(1)  # the storm's last keys may still be on their way, an Esc among them
        status = tmux.status()
        if status is not None:
            ok = status == 0 and terminal_restored(tmux)
            t.check(ok, "" if ok else f"{name}: the storm's last keys ended it: {ending(tmux, storm_end)}, pane in {keep(tmux, name)}")
            tmux.kill()
            continue
        if name == "dashboard":
            tmux.keys("Escape", "Escape", "Escape")  # close any menu, help or demo opened from the dashboard
        elif "─ keys ─" in tmux.screen():
            tmux.keys("Escape")  # close a demo's help (a second Escape would leave the demo)
        before = tmux.wait(lambda s: step(s) is not None, 10)
        if before and "paused" in before.split("\n")[0]:
            tmux.keys("n" if name != "dashboard" else "Space")  # a demo steps with n, the dashboard resumes
        moving = before and tmux.wait(lambda s: (step(s) or -1) > step(before), 20)
        tmux.keys("q")
        q_sent = time.time() - storm_end
        status = tmux.wait_status(20)
        ok = before is not None and moving is not None and status == 0 and terminal_restored(tmux)
        t.check(ok, "" if ok else f"{name}: after the storm, step moving {bool(moving)}, q sent {q_sent:+.1f} s after it, "
                                  f"{ending(tmux, storm_end)}, screen: {(before or tmux.screen()).splitlines()[:1]}, pane in {keep(tmux, name)}")
        tmux.kill()
    return t


def terminal_faults(binary, work_root):
    t = Tally("fault 6 hostile terminals")
    work = fresh(work_root, "terminals")
    subprocess.run([binary, "train", *SMALL.split(), "--epochs", "1", "--run-dir", "run"], cwd=work, capture_output=True)
    commands = [c for c in SCREENS.values()] + ["show run"]
    for env, message in [("env -u TERM", "TERM is not set"), ("env TERM=dumb", "cannot place the cursor"),
                         ("env TERM=no-such-terminal", "terminfo does not know")]:
        for command in commands:
            p = subprocess.run(f"script -qec '{env} {binary} {command}' /dev/null", shell=True, cwd=work,
                               capture_output=True, text=True, timeout=30)
            out = p.stdout.strip()
            t.check(p.returncode == 1 and out.startswith("vae-tui: error: ") and message in out and out.count("\n") == 0,
                    f"{env} {command}: exit {p.returncode}, {out[:120]!r}")
    for name, command in list(SCREENS.items()) + [("show", "show run")]:
        for env, flag in [("LANG=C LC_ALL=C NO_COLOR=1", ""), ("", " --no-color")]:
            tmux = Tmux(work)
            tmux.start(f"{env} {binary} {command}{flag}".strip())
            s = tmux.wait(lambda s: ("step" in s.split("\n")[0] or "show" in s.split("\n")[0]) and s.count("\n") > 30, 30)
            escapes = tmux.screen(escapes=True)
            tmux.keys("q")
            done = tmux.wait(lambda s: exited(s) is not None, 20)
            colourless = not re.search(r"\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)", escapes)
            ascii_ok = "LANG=C" not in env or all(ord(ch) < 128 for ch in (s or "x\u00e9"))
            t.check(s is not None and colourless and ascii_ok and exited(done) == 0,
                    f"{name} {env}{flag}: drawn {s is not None}, no colour {colourless}, ascii {ascii_ok}, exit {exited(done)}")
            tmux.kill()
    for name, command in SCREENS.items():
        p = subprocess.run([binary, *command.split()], cwd=work, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        t.check(p.returncode == 1 and p.stderr.count("\n") == 1 and "terminal" in p.stderr, f"{name} without a terminal: {p.returncode} {p.stderr[:100]}")
    return t


def signal_faults(binary, work_root, count, rng):
    t = Tally("fault 8 signals")
    names = list(SCREENS.items())
    for i in range(count):
        name, command = names[i % len(names)]
        signal = rng.choice(["INT", "TERM", "HUP", "TSTP"])
        work = fresh(work_root, "signals")
        run_dir = " --run-dir run" if name == "dashboard" else ""
        tmux = Tmux(work)
        tmux.start(f"{binary} {command}{run_dir}")
        tmux.wait(lambda s: step(s) is not None, 30)
        time.sleep(rng.uniform(0, 2))
        pids = subprocess.run(["pgrep", "-f", f"^{binary} {command}"], capture_output=True, text=True).stdout.split()
        if signal == "TSTP":
            tmux.keys("C-z")
            back = tmux.wait(lambda s: "Stopped" in s or "EXIT=148" in s, 10)
            tmux.type("fg")
            redrawn = tmux.wait(lambda s: step(s) is not None and "Stopped" not in s.split("\n")[0], 10)
            tmux.keys("q")
            done = tmux.wait(lambda s: step(s) is None, 20)
            ok = back is not None and redrawn is not None and done is not None and terminal_restored(tmux)
            detail = f"{name} Ctrl-Z/fg: shell back {back is not None}, redrawn {redrawn is not None}"
        else:
            for pid in pids:
                subprocess.run(["kill", f"-{signal}", pid])
            done = tmux.wait(lambda s: exited(s) is not None, 20)
            saved = name != "dashboard" or os.path.exists(os.path.join(work, "run", "checkpoint.safetensors"))
            ok = done is not None and saved and terminal_restored(tmux)
            detail = f"{name} SIG{signal}: exited {done is not None}, saved {saved}"
        t.check(ok, detail)
        tmux.kill()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/vae-tui"))
    ap.add_argument("--faults", default="4,5,6,8")
    ap.add_argument("--nan", type=int, default=100)
    ap.add_argument("--storms", type=int, default=1000)
    ap.add_argument("--signals", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--screens", default=",".join(SCREENS),
                    help="fault 5 against these only; the others' storms are still drawn, so a seed replays the same storms")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    rng = random.Random(args.seed)
    work_root = tempfile.mkdtemp(prefix="vae-tui-faults-")
    os.environ.pop("OPENBLAS_CORETYPE", None)
    faults = args.faults.split(",")
    start = time.time()
    if "4" in faults:
        print(nan_faults(binary, work_root, args.nan, rng).line(), flush=True)
    if "5" in faults:
        print(storm_faults(binary, work_root, args.storms, rng, args.screens.split(",")).line(), flush=True)
    if "6" in faults:
        print(terminal_faults(binary, work_root).line(), flush=True)
    if "8" in faults:
        print(signal_faults(binary, work_root, args.signals, rng).line(), flush=True)
    print(f"({time.time() - start:.0f} s)")
    shutil.rmtree(work_root, ignore_errors=True)


if __name__ == "__main__":
    main()
