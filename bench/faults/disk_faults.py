#!/usr/bin/env python3
"""Faults 1 and 7 of the reliability checks, tried many times against the release build; one line per fault.

  python3 bench/faults/disk_faults.py [--count N] [--binary PATH] [--seed S] [--verbose]

Fault 1, killed saves. `vae-tui fault save-loop` saves two states in turn (a checkpoint whose weights are all 1
at step 1 or all 2 at step 2, and a JSON file beside it) and is SIGKILLed at a random moment, N times (200):
each time `vae-tui fault check-save` must find either state in each file, never a mix or a file that does not
load, and no temporary file but the killed process's own (the next save removes it). Then N/10 small
`train --run-dir` runs killed during their epoch-end saves (a random moment into them, or the instant the
checkpoint is renamed), or anywhere, and continued with `train --resume`:
every file there must load after the kill, and the resumed run must end with the same checkpoint.safetensors
and best.safetensors, byte for byte, as a run never stopped. With strace, one save is also traced: the
temporary file flushed (fsync) before the rename, the directory after.

Fault 7, full and unwritable disks, each combination once: the run log, the checkpoint or the run directory
on a full disk (a /dev/full of our own; a small tmpfs filled up) or in a directory where nothing can be
written (a read-only bind mount; /sys), at the start of `train`, `lab`, `reproduce` and the dashboard, and in
the middle of a run (the tmpfs filled, or the directory made immutable, after epoch 2). At the start an
unwritable place is one line and exit 1 before any work; in the middle, training goes on to the end with one
line per file that fails (exit 1 when its last write failed), what was saved before stays whole, and once
there is room again `--resume` ends with the same files as a run never stopped. Mounts, device nodes and
immutable directories need root; as another user those cases are left out (the line says how many were tried).

The output: exactly one line per fault, e.g.
  fault 1 killed saves: tried 221, passed 221, failed 0, first failure: none
  fault 7 full and unwritable disks: tried 18, passed 18, failed 0, first failure: none
(--verbose adds each try's outcome on stderr). Fixed random seed (--seed); Python 3 standard library only.
"""
import argparse, json, os, random, re, shutil, signal, stat, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A small run on the built-in shapes: ~1.2 MB checkpoint with the trainer's state, a few epochs a second.
SMALL = ["--train-limit", "400", "--validation", "200", "--eval-limit", "200", "--hidden", "64", "--latent", "8", "--threads", "1"]
TRAIN_EPOCHS = 4
# The longest pause after a save-loop's first save before the kill: several save cycles.
SAVE_LOOP_MAX_DELAY = 0.05
# The longest pause after an epoch's log record before the kill: its best and checkpoint saves take a few ms.
SAVE_WINDOW = 0.02
# How long any one command may take before it counts as hung.
COMMAND_TIMEOUT = 300
TMPFS_SIZE = "8m"
IS_ROOT = os.geteuid() == 0


class Failure(Exception):
    """What a try found wrong, in one line."""


class Fault:
    """Tries of one fault: counts, and the first failure with what was tried."""

    def __init__(self, number, name, verbose):
        self.number, self.name, self.verbose = number, name, verbose
        self.tried = self.passed = 0
        self.first_failure = None

    def attempt(self, what, check):
        self.tried += 1
        try:
            check()
            self.passed += 1
            if self.verbose:
                print(f"  ok    fault {self.number}: {what}", file=sys.stderr, flush=True)
        except Exception as e:  # a failure, or the harness itself tripping: either way this try did not pass
            reason = str(e).strip().replace("\n", " | ")[:400]
            if self.first_failure is None:
                self.first_failure = f"{what}: {reason}"
            print(f"  FAIL  fault {self.number}: {what}: {reason}", file=sys.stderr, flush=True)

    def line(self):
        return (f"fault {self.number} {self.name}: tried {self.tried}, passed {self.passed}, "
                f"failed {self.tried - self.passed}, first failure: {self.first_failure or 'none'}")


class Lab:
    """The binary, a scratch directory, and the helpers every try uses."""

    def __init__(self, binary, seed):
        self.binary = binary
        self.rng = random.Random(seed)
        self.work = tempfile.mkdtemp(prefix="disk-faults-")
        self.mounts = []
        self.immutable = []
        self.tmux_sockets = []
        self.killed_mid_write = 0   # save-loop kills that left a temporary file: caught between open and rename
        self.full = self.full_device()

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def fresh(self, name):
        d = self.path(name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def full_device(self):
        """A /dev/full of our own as root (mknod), so that a broken build replaces this node, never the machine's."""
        if not IS_ROOT:
            return "/dev/full"
        path = self.path("full")
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        return path

    def run(self, args, cwd=None, timeout=COMMAND_TIMEOUT, prefix=()):
        r = subprocess.run(list(prefix) + [self.binary] + args, cwd=cwd or self.work, capture_output=True, text=True,
                           timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def loads(self, path):
        """Raises unless `path` loads (a checkpoint, or a JSON file)."""
        code, out, err = self.run(["fault", "check-save", "--any", path])
        if code != 0:
            raise Failure(f"{os.path.basename(path)} does not load: {err.strip()}")

    @staticmethod
    def temporaries(d):
        return sorted(n for n in os.listdir(d) if n.startswith(".") and ".tmp-" in n)

    @staticmethod
    def check_jsonl(path):
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                try:
                    json.loads(line)
                except ValueError:
                    raise Failure(f"{os.path.basename(path)} line {i} is not whole JSON: {line[:80]!r}")

    def check_run_directory(self, d):
        """Every file of a run directory loads, whatever moment the run was stopped at."""
        for name in ["checkpoint.safetensors", "best.safetensors"]:
            if os.path.exists(os.path.join(d, name)):
                self.loads(os.path.join(d, name))
        if os.path.exists(os.path.join(d, "config.json")):
            with open(os.path.join(d, "config.json")) as f:
                json.load(f)
        if os.path.exists(os.path.join(d, "metrics.jsonl")):
            self.check_jsonl(os.path.join(d, "metrics.jsonl"))

    def same_files(self, d, reference, names=("checkpoint.safetensors", "best.safetensors")):
        for name in names:
            with open(os.path.join(d, name), "rb") as a, open(os.path.join(reference, name), "rb") as b:
                if a.read() != b.read():
                    raise Failure(f"{name} differs from the run never stopped")

    # Root-only tools: mounts, immutable directories.

    def mount_tmpfs(self, d, size=TMPFS_SIZE):
        os.makedirs(d, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", d], check=True)
        self.mounts.append(d)

    def mount_read_only(self, d):
        os.makedirs(d, exist_ok=True)
        subprocess.run(["mount", "--bind", d, d], check=True)
        self.mounts.append(d)
        subprocess.run(["mount", "-o", "remount,bind,ro", d], check=True)

    def unmount(self, d):
        subprocess.run(["umount", d], check=False)
        if d in self.mounts:
            self.mounts.remove(d)

    def set_immutable(self, d, on):
        subprocess.run(["chattr", "+i" if on else "-i", d], check=True)
        if on:
            self.immutable.append(d)
        elif d in self.immutable:
            self.immutable.remove(d)

    @staticmethod
    def fill(d):
        """Fills the file system of `d` to the last byte; returns the filler's path (remove it to make room)."""
        filler = os.path.join(d, "filler")
        with open(filler, "wb", buffering=0) as f:
            for chunk in (65536, 4096, 512, 64, 8, 1):
                try:
                    while True:
                        f.write(b"\0" * chunk)
                except OSError:
                    pass
        return filler

    def cleanup(self):
        for d in list(self.immutable):
            subprocess.run(["chattr", "-i", d], check=False)
        for socket in self.tmux_sockets:
            subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, check=False)
        for d in reversed(self.mounts):
            subprocess.run(["umount", "-l", d], check=False)
        shutil.rmtree(self.work, ignore_errors=True)


def wait_for(what, condition, timeout=120, interval=0.0005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise Failure(f"timed out waiting for {what}")


def logged_epoch(metrics, epoch):
    """Whether the run log holds the record of `epoch` (written just before that epoch's saves)."""
    try:
        with open(metrics, encoding="utf-8", errors="replace") as f:
            return f'"event":"epoch","epoch":{epoch},' in f.read()
    except OSError:
        return False


# Fault 1: killed saves.

def kill_save_loop(lab, d, last):
    """One save-loop killed at a random moment; `last` also checks that the next save leaves no temporary file."""
    target = os.path.join(d, "c.safetensors")
    loop = subprocess.Popen([lab.binary, "fault", "save-loop", "--checkpoint", target], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = loop.stdout.readline()
        if "saved once" not in first:
            raise Failure(f"save-loop did not start: {loop.stderr.read().strip()}")
        time.sleep(lab.rng.uniform(0, SAVE_LOOP_MAX_DELAY))
    finally:
        loop.kill()
        loop.wait()
        loop.stdout.close()
        loop.stderr.close()
    code, out, err = lab.run(["fault", "check-save", target])
    if code != 0 or not re.search(r": [AB], json [AB]$", out.strip()):
        raise Failure(f"after the kill: {(err or out).strip()}")
    if lab.temporaries(d):
        lab.killed_mid_write += 1
    stale = [n for n in lab.temporaries(d) if not n.endswith(f"-{loop.pid}")]
    if stale:
        raise Failure(f"temporary files of earlier processes pile up: {stale}")
    if last:
        code, out, err = lab.run(["fault", "save-loop", "--checkpoint", target, "--count", "1"])
        if code != 0 or lab.temporaries(d):
            raise Failure(f"the next save left temporary files: {lab.temporaries(d)} {err.strip()}")


KILL_MODES = ["during an epoch's saves", "right after the checkpoint's rename", "at any moment"]


def inode(path):
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def kill_training(lab, d, reference, trial):
    """A small run killed (by trial, in turn) a random moment into an epoch's saves, the instant its checkpoint is
    renamed (before or after best.safetensors, as the code orders them), or at any moment; then continued to its end."""
    args = ["train", "--epochs", str(TRAIN_EPOCHS), "--run-dir", d] + SMALL
    metrics, checkpoint = os.path.join(d, "metrics.jsonl"), os.path.join(d, "checkpoint.safetensors")
    epoch = lab.rng.randint(1, TRAIN_EPOCHS)
    delay = lab.rng.uniform(0, SAVE_WINDOW)
    anywhere = lab.rng.uniform(0, reference["seconds"])
    run = subprocess.Popen([lab.binary] + args, cwd=lab.work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        mode = trial % len(KILL_MODES)
        if mode == 2:
            time.sleep(anywhere)
        else:
            wait_for(f"epoch {epoch}'s record", lambda: logged_epoch(metrics, epoch) or run.poll() is not None)
            if mode == 0:
                time.sleep(delay)
            else:
                before = inode(checkpoint)
                wait_for(f"epoch {epoch}'s checkpoint", lambda: inode(checkpoint) != before or run.poll() is not None, interval=0)
    finally:
        run.kill()
        run.wait()
    if os.path.isdir(d):
        lab.check_run_directory(d)
    # Continue: --resume where a configuration was written, else the same command again.
    again = ["train", "--resume", d] if os.path.exists(os.path.join(d, "config.json")) else args
    code, out, err = lab.run(again)
    if code != 0:
        raise Failure(f"{' '.join(again[:2])} after the kill: exit {code}: {err.strip()}")
    lab.same_files(d, reference["dir"])
    lab.check_run_directory(d)
    if lab.temporaries(d):
        raise Failure(f"temporary files left after the resumed run: {lab.temporaries(d)}")


def traced_save_flushes_before_rename(lab, d):
    """strace of one save: the temporary file fsync'd before its rename, the directory fsync'd after it."""
    trace = os.path.join(d, "trace")
    target = os.path.join(d, "c.safetensors")
    subprocess.run(["strace", "-f", "-o", trace, "-e", "trace=openat,fsync,rename,renameat,renameat2,close",
                    lab.binary, "fault", "save-loop", "--checkpoint", target, "--count", "1"],
                   check=True, capture_output=True, timeout=COMMAND_TIMEOUT)
    with open(trace) as f:
        calls = [line.split(None, 1)[1] if line[0].isdigit() else line for line in f]
    fds, synced, renamed = {}, set(), None
    for call in calls:
        m = re.match(r'openat\(AT_FDCWD, "([^"]+)".*= (\d+)$', call.strip())
        if m:
            fds[m.group(2)] = m.group(1)
            continue
        m = re.match(r"fsync\((\d+)\)\s+= 0", call.strip())
        if m:
            path = fds.get(m.group(1), "")
            if renamed and path == d:
                return
            synced.add(path)
            continue
        m = re.match(r'rename(?:at2?)?\(.*"([^"]+\.c\.safetensors\.tmp-\d+)"', call.strip())
        if m:
            if m.group(1) not in synced:
                raise Failure("the temporary file was renamed before it was flushed to the disk")
            renamed = m.group(1)
    raise Failure("no fsync of the temporary file before its rename and of the directory after" if not renamed
                  else "the directory was not flushed after the rename")


def fault_1(lab, count, verbose):
    fault = Fault(1, "killed saves", verbose)
    d = lab.fresh("save-loop")
    for i in range(count):
        fault.attempt(f"save-loop kill {i + 1}/{count}", lambda: kill_save_loop(lab, d, last=i == count - 1))
    reference = {"dir": lab.fresh("train-reference")}
    start = time.monotonic()
    code, out, err = lab.run(["train", "--epochs", str(TRAIN_EPOCHS), "--run-dir", reference["dir"]] + SMALL)
    reference["seconds"] = time.monotonic() - start
    if code != 0:
        raise SystemExit(f"the reference run failed: {err.strip()}")
    trials = max(2, count // 10)
    for trial in range(trials):
        d = lab.path(f"train-kill-{trial}")
        fault.attempt(f"train --run-dir killed {KILL_MODES[trial % len(KILL_MODES)]} {trial + 1}/{trials}, then --resume",
                      lambda: kill_training(lab, d, reference, trial))
    if shutil.which("strace"):
        fault.attempt("strace of a save: fsync before rename", lambda: traced_save_flushes_before_rename(lab, lab.fresh("trace")))
    return fault, reference


# Fault 7: full and unwritable disks.

def expect(condition, message):
    if not condition:
        raise Failure(message)


def expect_refused(code, out, err, mentioning):
    """One line on stderr, exit 1, nothing trained."""
    lines = err.strip().splitlines()
    expect(code == 1, f"exit {code}, expected 1: {err.strip()}")
    expect(len(lines) == 1 and lines[0].startswith("vae-tui: error: ") and mentioning in lines[0],
           f"expected one line mentioning {mentioning!r}: {err.strip()!r}")
    expect("epoch" not in out, "it trained before refusing")


def expect_trained_on(code, out, err, epochs, failing):
    """Trained to the end; one warning per failing file (and none twice); exit 1 as the last writes failed."""
    expect(f"epoch {epochs} " in out, f"did not train to epoch {epochs}: {err.strip()}")
    expect("Fatal error" not in err and "Stack dump" not in err, f"crashed: {err.strip()[:200]}")
    warnings = [l for l in err.splitlines() if l.startswith("vae-tui: warning: ")]
    expect(len(warnings) == len(set(warnings)), f"a failure reported twice: {warnings}")
    for text in failing:
        expect(sum(text in w for w in warnings) == 1, f"expected one warning mentioning {text!r}: {err.strip()!r}")
    expect(code == 1 and "vae-tui: error: training finished, but the last write of" in err, f"exit {code}: {err.strip()}")


def train_args(run_dir, epochs=3, *extra):
    return ["train", "--epochs", str(epochs), "--run-dir", run_dir] + SMALL + list(extra)


def reference_run(lab, name, epochs):
    d = lab.fresh(name)
    code, out, err = lab.run(train_args(d + "/run", epochs))
    expect(code == 0, f"reference run: {err.strip()}")
    return d + "/run"


def start_on_full_disk(lab, flag, message):
    """`train FLAG /dev/full`: the message, training to the end, the run's own checkpoint loads."""
    d = lab.fresh(f"f7{flag}-full")
    code, out, err = lab.run(train_args(d + "/run", 3, flag, lab.full))
    expect_trained_on(code, out, err, 3, [message])
    lab.loads(d + "/run/checkpoint.safetensors")
    expect(stat.S_ISCHR(os.stat(lab.full).st_mode), "the full device was replaced")


def read_only_dir(lab, name):
    """A directory nothing can be written in: a read-only bind mount as root, else mode 555."""
    d = lab.fresh(name)
    if IS_ROOT:
        lab.mount_read_only(d)
    else:
        os.chmod(d, 0o555)
    return d


def start_refused(lab, name, args_for, mentioning, leaves_nothing=None):
    d = read_only_dir(lab, name)
    w = lab.fresh(name + "-writable")
    code, out, err = lab.run(args_for(d, w), timeout=60)
    expect_refused(code, out, err, mentioning)
    if leaves_nothing:
        expect(not os.path.exists(os.path.join(w, leaves_nothing)), f"a half-made {leaves_nothing} was left behind")


def start_resume_read_only(lab, reference):
    """A finished run whose directory became read-only: --resume is refused at once, its files untouched."""
    d = lab.fresh("f7-resume-ro")
    shutil.copytree(reference, d + "/run")
    before = {n: open(os.path.join(d, "run", n), "rb").read() for n in os.listdir(d + "/run")}
    if IS_ROOT:
        lab.mount_read_only(d + "/run")
    else:
        os.chmod(d + "/run", 0o555)
    code, out, err = lab.run(["train", "--resume", d + "/run", "--epochs", "1"], timeout=60)
    expect_refused(code, out, err, "cannot write in")
    after = {n: open(os.path.join(d, "run", n), "rb").read() for n in os.listdir(d + "/run")}
    expect(before == after, "the run's files changed")


def start_run_dir_full_disk(lab, reference):
    """The run directory on a full disk: one line, exit 1; once there is room, the same command runs."""
    d = lab.fresh("f7-start-full")
    lab.mount_tmpfs(d)
    filler = lab.fill(d)
    code, out, err = lab.run(train_args(d + "/run", TRAIN_EPOCHS), timeout=60)
    expect_refused(code, out, err, "No space left on device")
    os.remove(filler)
    code, out, err = lab.run(train_args(d + "/run", TRAIN_EPOCHS))
    expect(code == 0, f"after making room: exit {code}: {err.strip()}")
    lab.same_files(d + "/run", reference)


def mid_run(lab, name, epochs, start_fault, args_extra=(), run_dir=None):
    """A run whose disk fails after epoch 2's record; returns (code, out, err, run_dir)."""
    d = run_dir or lab.path(name, "run")
    args = train_args(d, epochs, *args_extra)
    proc = subprocess.Popen([lab.binary] + args, cwd=lab.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("epoch 2's record", lambda: logged_epoch(os.path.join(d, "metrics.jsonl"), 2) or proc.poll() is not None)
        start_fault()
        out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err, d


def mid_run_disk_fills(lab, reference):
    """The run directory's disk fills after epoch 2: training goes on, saved files stay whole; with room again,
    --resume ends with the files of a run never stopped."""
    base = lab.fresh("f7-mid-full")
    lab.mount_tmpfs(base)
    filler = []
    code, out, err, d = mid_run(lab, "f7-mid-full", TRAIN_EPOCHS, lambda: filler.append(lab.fill(base)), run_dir=base + "/run")
    expect_trained_on(code, out, err, TRAIN_EPOCHS, ["checkpoint.safetensors: cannot write (No space left on device)"])
    lab.check_run_directory(d)
    expect(not lab.temporaries(d), f"temporary files left: {lab.temporaries(d)}")
    os.remove(filler[0])
    code, out, err = lab.run(["train", "--resume", d])
    expect(code == 0, f"--resume after making room: {err.strip()}")
    lab.same_files(d, reference)


def mid_run_disk_fills_then_frees(lab):
    """The disk fills after epoch 2 and has room again after the first failed save: one warning per file, one line
    when it is written again, exit 0, the last checkpoint that of a run never stopped, and best.safetensors whole."""
    base = lab.fresh("f7-mid-refill")
    lab.mount_tmpfs(base)
    epochs = TRAIN_EPOCHS + 4
    d, out_path, err_path = base + "/run", lab.path("refill.out"), lab.path("refill.err")
    with open(out_path, "w") as out_file, open(err_path, "w") as err_file:
        proc = subprocess.Popen([lab.binary] + train_args(d, epochs), cwd=lab.work, stdout=out_file, stderr=err_file)
    try:
        wait_for("epoch 2's record", lambda: logged_epoch(os.path.join(d, "metrics.jsonl"), 2) or proc.poll() is not None)
        filler = lab.fill(base)
        wait_for("the first warning", lambda: "vae-tui: warning:" in open(err_path).read() or proc.poll() is not None)
        os.remove(filler)
        proc.wait(timeout=COMMAND_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = open(err_path).read()
    expect(proc.returncode == 0, f"exit {proc.returncode}: {err.strip()}")
    warned = re.findall(r"vae-tui: warning: (\S+): cannot write", err)
    expect(warned and all(f"{path} is written again" in err for path in warned),
           f"expected a warning and a recovery for each file: {err.strip()!r}")
    lab.check_run_directory(d)
    expect(not lab.temporaries(d), f"temporary files left: {lab.temporaries(d)}")
    # best.safetensors holds the best epoch whose save worked; the reference's best may be one that failed here.
    lab.same_files(d, reference_run(lab, "f7-mid-refill-reference", epochs), names=["checkpoint.safetensors"])


def mid_run_log_fills(lab):
    """--log on a disk that fills after epoch 2: the run goes on, the log keeps only whole lines."""
    logs = lab.fresh("f7-mid-log")
    lab.mount_tmpfs(logs, size="64k")
    log = logs + "/log.jsonl"
    code, out, err, d = mid_run(lab, "f7-mid-log-run", TRAIN_EPOCHS + 2, lambda: lab.fill(logs), ("--log", log),
                                run_dir=lab.fresh("f7-mid-log-run") + "/run")
    expect_trained_on(code, out, err, TRAIN_EPOCHS + 2, ["cannot write the log (No space left on device)"])
    lab.check_jsonl(log)
    lab.loads(d + "/checkpoint.safetensors")


def mid_run_checkpoint_fills(lab):
    """--checkpoint on a disk that fills after epoch 2: reported, the run goes on, the file it had stays whole."""
    models = lab.fresh("f7-mid-ckpt")
    lab.mount_tmpfs(models, size="2m")
    model = models + "/model.safetensors"
    fill_beside = lambda: lab.fill(models)
    code, out, err, d = mid_run(lab, "f7-mid-ckpt-run", TRAIN_EPOCHS + 2, fill_beside, ("--checkpoint", model),
                                run_dir=lab.fresh("f7-mid-ckpt-run") + "/run")
    expect_trained_on(code, out, err, TRAIN_EPOCHS + 2, ["model.safetensors: cannot write (No space left on device)"])
    lab.loads(model)
    expect(not lab.temporaries(models), f"temporary files left: {lab.temporaries(models)}")


def mid_run_directory_immutable(lab, reference):
    """The run directory made unwritable (chattr +i) after epoch 2: the checkpoint fails, the log (an open file)
    goes on; the checkpoint stays whole; writable again, --resume ends with the files of a run never stopped."""
    d = lab.fresh("f7-mid-immutable") + "/run"
    code, out, err, d = mid_run(lab, "f7-mid-immutable", TRAIN_EPOCHS, lambda: lab.set_immutable(d, True), run_dir=d)
    lab.set_immutable(d, False)
    expect_trained_on(code, out, err, TRAIN_EPOCHS, ["checkpoint.safetensors: cannot write (Operation not permitted)"])
    lab.check_run_directory(d)
    # A save caught by the flag may leave its temporary file (an immutable directory loses no file either): the
    # resumed run removes it.
    code, out, err = lab.run(["train", "--resume", d])
    expect(code == 0, f"--resume after: {err.strip()}")
    lab.same_files(d, reference)
    expect(not lab.temporaries(d), f"temporary files left after --resume: {lab.temporaries(d)}")


class Tmux:
    """The dashboard in a private tmux server, 120x40; keys in, the screen out."""

    def __init__(self, lab, name, command, cwd):
        self.lab, self.socket = lab, lab.path(name + ".sock")
        self.status = lab.path(name + ".status")
        self.stderr = lab.path(name + ".stderr")
        lab.tmux_sockets.append(self.socket)
        with open(self.socket + ".conf", "w") as f:
            f.write("set -g default-terminal tmux-256color\n")
        shell = f"cd {cwd} && timeout --foreground 300 {command} 2> {self.stderr}; echo EXIT=$? > {self.status}; sleep 30"
        self.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "sh", "-c", shell)

    def tmux(self, *args):
        env = dict(os.environ, TERM="xterm-256color")
        return subprocess.run(["tmux", "-S", self.socket, "-f", self.socket + ".conf"] + list(args), capture_output=True,
                              text=True, env=env).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t")

    def send(self, key):
        self.tmux("send-keys", "-t", "t", key)

    def wait(self, what, condition, timeout=60):
        wait_for(what, lambda: condition(self.screen()), timeout=timeout, interval=0.1)

    def exit_status(self, timeout=30):
        wait_for("the dashboard to exit", lambda: os.path.exists(self.status) and "EXIT=" in open(self.status).read(),
                 timeout=timeout, interval=0.1)
        return int(open(self.status).read().strip().split("=")[1])

    def close(self):
        self.tmux("kill-server")


def step(screen):
    m = re.search(r"step (\d+)", screen.splitlines()[0] if screen else "")
    return int(m.group(1)) if m else 0


DASHBOARD = "--train-limit 1000 --validation 200 --latent 4 --hidden 16"


def dashboard_full_log_and_checkpoint(lab):
    """`run --log FULL --checkpoint FULL`: the message line says so, training goes on, q saves the run."""
    d = lab.fresh("f7-dash-full")
    os.mknod(d + "/full", 0o666 | stat.S_IFCHR, os.makedev(1, 7)) if IS_ROOT else os.symlink("/dev/full", d + "/full")
    t = Tmux(lab, "dash-full", f"{lab.binary} run {DASHBOARD} --run-dir run --log full --checkpoint full", d)
    try:
        t.wait("the log's failure on the message line", lambda s: "cannot write the log (No space left on device)" in s)
        t.send("s")
        t.wait("the failed save on the message line", lambda s: "save failed: full: cannot write (No space left on device)" in s)
        now = step(t.screen())
        t.wait("training going on", lambda s: step(s) > now + 20)
        t.send("q")
        expect(t.exit_status() == 0, f"exit status: {open(t.stderr).read().strip()}")
    finally:
        t.close()
    lab.loads(d + "/run/checkpoint.safetensors")


def dashboard_disk_fills(lab):
    """The dashboard's run directory fills up after a first save: s says the save failed, training goes on; quitting
    says on stderr that the run was not saved, exit 1, and the first save is intact."""
    d = lab.fresh("f7-dash-fills")
    lab.mount_tmpfs(d, size="4m")
    t = Tmux(lab, "dash-fills", f"{lab.binary} run {DASHBOARD} --run-dir run --checkpoint model.safetensors", d)
    try:
        t.wait("training", lambda s: step(s) > 20)
        t.send("s")
        t.wait("the first save", lambda s: "saved model.safetensors at step" in s)
        with open(d + "/run/checkpoint.safetensors", "rb") as f:
            saved = f.read()
        lab.fill(d)
        # The log fails first (it writes every few steps): wait for its message, so that it does not replace s's.
        t.wait("the log's failure", lambda s: "cannot write the log (No space left on device)" in s)
        t.send("s")
        t.wait("the failed save", lambda s: "save failed: model.safetensors: cannot write (No space left on device)" in s)
        now = step(t.screen())
        t.wait("training going on", lambda s: step(s) > now + 20)
        t.send("q")
        code = t.exit_status()
    finally:
        t.close()
    err = open(t.stderr).read()
    expect(code == 1 and "vae-tui: error: the run was not saved on quit: run/checkpoint.safetensors: cannot write (No space left on device)" in err,
           f"exit {code}: {err.strip()!r}")
    expect(open(d + "/run/checkpoint.safetensors", "rb").read() == saved, "the first save changed")
    expect(not lab.temporaries(d + "/run") and not lab.temporaries(d), "temporary files left")


def dashboard_read_only(lab):
    """`run --run-dir` in a read-only place: one line, exit 1."""
    d = read_only_dir(lab, "f7-dash-ro")
    t = Tmux(lab, "dash-ro", f"{lab.binary} run {DASHBOARD} --run-dir {d}/run", lab.work)
    try:
        code = t.exit_status()
    finally:
        t.close()
    err = open(t.stderr).read().strip()
    expect(code == 1 and len(err.splitlines()) == 1 and "cannot create the run directory" in err, f"exit {code}: {err!r}")


def fault_7(lab, verbose, reference):
    fault = Fault(7, "full and unwritable disks", verbose)
    small = SMALL[:2]
    fault.attempt("start: train --log on a full disk", lambda: start_on_full_disk(lab, "--log", "cannot write the log (No space left on device)"))
    fault.attempt("start: train --checkpoint on a full disk", lambda: start_on_full_disk(lab, "--checkpoint", ": cannot write (No space left on device)"))
    fault.attempt("start: train --run-dir read-only", lambda: start_refused(
        lab, "f7-ro-run", lambda ro, w: ["train", "--run-dir", ro + "/run"] + small, "cannot create the run directory"))
    fault.attempt("start: train --log read-only", lambda: start_refused(
        lab, "f7-ro-log", lambda ro, w: ["train", "--log", ro + "/log.jsonl", "--run-dir", w + "/run"] + small,
        "cannot open the log file for writing", leaves_nothing="run"))
    fault.attempt("start: train --checkpoint read-only", lambda: start_refused(
        lab, "f7-ro-ckpt", lambda ro, w: ["train", "--checkpoint", ro + "/m.safetensors", "--run-dir", w + "/run"] + small,
        "cannot write in", leaves_nothing="run"))
    fault.attempt("start: train --checkpoint in /sys", lambda: start_refused(
        lab, "f7-sys-ckpt", lambda ro, w: ["train", "--checkpoint", "/sys/vae-tui.safetensors", "--run-dir", w + "/run"] + small,
        "cannot write in /sys", leaves_nothing="run"))
    fault.attempt("start: train --resume of a read-only run", lambda: start_resume_read_only(lab, reference))
    fault.attempt("start: lab collapse --out read-only", lambda: start_refused(
        lab, "f7-ro-lab", lambda ro, w: ["lab", "collapse", "--epochs", "1", "--out", ro + "/table"] + small, "cannot write in"))
    fault.attempt("start: reproduce --dir read-only", lambda: start_refused(
        lab, "f7-ro-reproduce", lambda ro, w: ["reproduce", "collapse", "--epochs", "1", "--dir", ro + "/x"], "cannot create"))
    if shutil.which("tmux"):
        fault.attempt("start: dashboard --run-dir read-only", lambda: dashboard_read_only(lab))
        fault.attempt("dashboard: --log and --checkpoint on a full disk, s", lambda: dashboard_full_log_and_checkpoint(lab))
    if IS_ROOT:
        fault.attempt("start: train --run-dir on a full disk, then with room", lambda: start_run_dir_full_disk(lab, reference))
        fault.attempt("mid-run: the run directory's disk fills", lambda: mid_run_disk_fills(lab, reference))
        fault.attempt("mid-run: the disk fills, then has room again", lambda: mid_run_disk_fills_then_frees(lab))
        fault.attempt("mid-run: --log's disk fills", lambda: mid_run_log_fills(lab))
        fault.attempt("mid-run: --checkpoint's disk fills", lambda: mid_run_checkpoint_fills(lab))
        fault.attempt("mid-run: the run directory made immutable", lambda: mid_run_directory_immutable(lab, reference))
        if shutil.which("tmux"):
            fault.attempt("dashboard: the run directory's disk fills, s then q", lambda: dashboard_disk_fills(lab))
    return fault


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=200, help="save-loop kills (default 200); train kills are a tenth of it")
    ap.add_argument("--binary", help="the vae-tui to try (default: build and use .build/release/vae-tui)")
    ap.add_argument("--seed", type=int, default=1, help="the random seed of the kill moments (default 1)")
    ap.add_argument("--verbose", action="store_true", help="each try's outcome on stderr")
    args = ap.parse_args()
    binary = args.binary
    if binary is None:
        subprocess.run(["nice", "swift", "build", "-c", "release", "--product", "vae-tui"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "vae-tui")
    lab = Lab(os.path.abspath(binary), args.seed)
    try:
        start = time.monotonic()
        one, reference = fault_1(lab, args.count, args.verbose)
        print(one.line(), flush=True)
        middle = time.monotonic()
        seven = fault_7(lab, args.verbose, reference["dir"])
        print(seven.line(), flush=True)
        if args.verbose:
            print(f"  fault 1: {middle - start:.0f} s ({lab.killed_mid_write} of {args.count} save-loop kills between a temporary "
                  f"file's creation and its rename), fault 7: {time.monotonic() - middle:.0f} s", file=sys.stderr)
    finally:
        lab.cleanup()
    sys.exit(0 if one.passed == one.tried and seven.passed == seven.tried else 1)


if __name__ == "__main__":
    main()
