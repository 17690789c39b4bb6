#!/usr/bin/env python3
"""Faults 2 and 3: hostile checkpoints and hostile data files, tried many times on purpose and counted.

Fault 2 makes a small legitimate checkpoint with the binary itself (and keeps the run directory, whose
checkpoint also carries the trainer's state), then mutates it N times: byte flips, truncation in every
region, header lengths beyond the file, bad data offsets, overflowing or negative shapes, other dtypes,
headers that are not UTF-8, not JSON or not an object, duplicate keys, broken metadata, gaps, overlaps
and trailing bytes. Each mutated file goes to `vae-tui eval --checkpoint F --limit 10`, one in ten run
checkpoints to `vae-tui train --resume DIR` instead.

Fault 3 writes a small legitimate MNIST-shaped IDX set (200 training and 50 test images) and mutates it
N times, raw or gzipped: byte flips, truncation, magic numbers, sizes that disagree with the file or
overflow, labels out of range, count mismatches, zero images, trailing bytes, corrupt, truncated,
concatenated and garbage-followed gzip streams, files that are not regular files, a sparse raw file
beyond the size cap, and gzip bombs (a ~1 MB .gz inflating to 1 GB) beside the real MNIST files. Each
directory goes to `vae-tui train --data DIR --epochs 1 --train-limit 100 --validation 10`.

A run passes when it exits 1 with exactly one stderr line starting `vae-tui: error:`, or exits 0 when
the mutation may leave the file valid (a flipped float, a flipped pixel); never a signal, a timeout, or
a peak RSS (os.wait4) more than 64 MB above a legitimate run's. Prints one line per fault:

  fault 2 hostile checkpoints: tried 1000, passed 1000, failed 0, first failure: none
  fault 3 hostile data files: tried 1000, passed 1000, failed 0, first failure: none

and on stderr the time, the runs that stayed valid, the peak RSS against the baseline and each kind's count.

Usage: python3 bench/faults/hostile_files.py [--count 1000] [--binary .build/release/vae-tui]
       [--mnist DIR] [--timeout 60] [--seed 1] [--only 2|3] [--keep]
--mnist DIR holds the real MNIST files; by default $VAE_TUI_DATA, else ${XDG_CACHE_HOME:-~/.cache}/vae-tui/mnist
(where `vae-tui data fetch mnist` puts them).
Python 3 standard library only.
"""
import argparse, gzip, json, os, random, shutil, struct, subprocess, sys, tempfile, threading, time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default_mnist():
    """Where MNIST is by default: $VAE_TUI_DATA, else the cache `vae-tui data fetch mnist` fills."""
    if os.environ.get("VAE_TUI_DATA"):
        return os.environ["VAE_TUI_DATA"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "vae-tui", "mnist")
RSS_MARGIN_KB = 64 * 1024          # a hostile file may cost this much more than a legitimate run
ERROR_PREFIX = "vae-tui: error:"
EITHER, ERROR = "either", "error"  # what a mutation allows: a valid file (exit 0) or only a refusal
ON_RESUME = "on-resume"            # refused by a resume, which has the data; valid to eval, which does not

# The commands each fault runs, as the reliability issue gives them.
TRAIN_BASE = ["train", "--epochs", "1", "--train-limit", "500", "--latent", "4", "--hidden", "16", "--validation", "100"]
EVAL = ["eval", "--limit", "10"]
RESUME = ["train", "--epochs", "1"]
TRAIN_DATA = ["train", "--epochs", "1", "--train-limit", "100", "--validation", "10", "--eval-limit", "10"]

IDX_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
BOMB_BYTES = 1 << 30               # what a gzip bomb inflates to


# ---------------------------------------------------------------------------------------------- running

class Outcome:
    def __init__(self, status, stderr, rss_kb, seconds, timed_out):
        self.status, self.stderr, self.rss_kb, self.seconds, self.timed_out = status, stderr, rss_kb, seconds, timed_out


def run(binary, args, cwd, timeout):
    """Runs the binary to its end (killed after `timeout` seconds); its exit status (-N for signal N),
    stderr and peak RSS in KB from wait4, which reports this child alone."""
    out_path, err_path = os.path.join(cwd, ".stdout"), os.path.join(cwd, ".stderr")
    env = {k: v for k, v in os.environ.items() if k != "VAE_TUI_DATA"}
    start = time.time()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([binary] + args, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = status  # reaped here: Popen must not wait for it again
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    return Outcome(code, stderr, usage.ru_maxrss, time.time() - start, timed_out.is_set())


def judge(outcome, expect, rss_limit_kb):
    """None when the run kept the promise, else what went wrong."""
    if outcome.timed_out:
        return "timed out"
    if outcome.status < 0:
        return f"killed by signal {-outcome.status}"
    if outcome.rss_kb > rss_limit_kb:
        return f"peak RSS {outcome.rss_kb // 1024} MB above the limit {rss_limit_kb // 1024} MB"
    lines = [l for l in outcome.stderr.splitlines() if l.strip()]
    if outcome.status == 0:
        if expect == ERROR:
            return "exit 0, but this mutation must be refused"
        if any("Fatal error" in l or "Stack dump" in l for l in lines):
            return "exit 0 with a crash report"
        return None
    if outcome.status != 1:
        return f"exit {outcome.status}"
    if len(lines) != 1 or not lines[0].startswith(ERROR_PREFIX):
        return f"stderr has {len(lines)} lines, not one '{ERROR_PREFIX}' line"
    return None


class Tally:
    def __init__(self, name, verbose=False):
        self.name, self.tried, self.passed, self.valid, self.first, self.verbose = name, 0, 0, 0, None, verbose
        self.kinds, self.peak_rss_kb, self.baselines_kb = {}, 0, {}
        self.worst_excess_kb, self.worst_excess_kind, self.slowest = -1 << 40, None, 0.0

    def add(self, kind, detail, outcome, problem, baseline_kb):
        self.tried += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.peak_rss_kb = max(self.peak_rss_kb, outcome.rss_kb)
        self.slowest = max(self.slowest, outcome.seconds)
        if outcome.rss_kb - baseline_kb > self.worst_excess_kb:
            self.worst_excess_kb, self.worst_excess_kind = outcome.rss_kb - baseline_kb, kind
        if problem is None:
            self.passed += 1
            self.valid += outcome.status == 0
        else:
            first_line = (outcome.stderr.splitlines() or ["(empty)"])[0][:200]
            failure = f"{kind} ({detail}): {problem}; exit {outcome.status}; stderr: {first_line}"
            self.first = self.first or failure
            if self.verbose:
                print(f"  failed: {failure}", file=sys.stderr, flush=True)

    def line(self):
        return (f"{self.name}: tried {self.tried}, passed {self.passed}, failed {self.tried - self.passed}, "
                f"first failure: {self.first or 'none'}")


def baseline(binary, args, cwd, runs=3, timeout=120):
    """The peak RSS of a legitimate run (the largest of a few), which must itself succeed."""
    peak = 0
    for _ in range(runs):
        o = run(binary, args, tempfile.mkdtemp(dir=cwd), timeout)  # a directory of its own for a run's files
        if o.status != 0:
            sys.exit(f"the legitimate run failed ({o.status}): {' '.join(args)}\n{o.stderr}")
        peak = max(peak, o.rss_kb)
    return peak


def flip(rng, data, lo=0, hi=None, count=None):
    """`count` (1 to 4) bytes in [lo, hi) XORed with a random non-zero value."""
    data = bytearray(data)
    hi = len(data) if hi is None else hi
    for _ in range(count or rng.randint(1, 4)):
        if hi > lo:
            data[rng.randrange(lo, hi)] ^= rng.randint(1, 255)
    return bytes(data)


# ---------------------------------------------------------------------------------------- fault 2

class Obj(list):
    """A JSON object as its (key, value) pairs in order, so a mutation can repeat a key."""


class Safetensors:
    """A checkpoint taken apart: the header as ordered pairs, the data, and the file."""

    def __init__(self, blob):
        self.blob = blob
        self.header_length = struct.unpack("<Q", blob[:8])[0]
        self.header = json.loads(blob[8:8 + self.header_length], object_pairs_hook=Obj)
        self.data = blob[8 + self.header_length:]

    def tensors(self):
        return [k for k, _ in self.header if k != "__metadata__"]

    def metadata(self):
        return dict(next((v for k, v in self.header if k == "__metadata__"), []))

    @staticmethod
    def pack(header_text, data):
        """A file from header text (bytes or str, padded to 8 bytes with spaces) and data."""
        text = header_text.encode() if isinstance(header_text, str) else header_text
        text += b" " * (-len(text) % 8)
        return struct.pack("<Q", len(text)) + text + data


def dumps(value):
    """JSON text of a value whose objects are `Obj`s, keeping repeated keys as they are."""
    if isinstance(value, Obj):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def with_entry(st, name, field, value):
    """The file with one field of a tensor's entry replaced."""
    header = Obj((k, Obj((f, value if f == field else v) for f, v in e) if k == name else e) for k, e in st.header)
    return Safetensors.pack(dumps(header), st.data)


def with_metadata(st, change):
    """The file with its metadata dict changed by `change` (which may return any JSON value)."""
    meta = change(st.metadata())
    header = Obj((k, v) for k, v in st.header if k != "__metadata__")
    if meta is not None:
        header.insert(0, ("__metadata__", Obj(meta.items()) if isinstance(meta, dict) else meta))
    return Safetensors.pack(dumps(header), st.data)


def edit_json_string(text, rng, hostile):
    """A JSON document (a metadata value) with one random leaf replaced by a hostile value."""
    doc = json.loads(text)
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
        paths.append(path)

    walk(doc, [])
    path = rng.choice(paths)
    if not path:
        return json.dumps(hostile)
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = hostile
    return json.dumps(doc)


HOSTILE_NUMBERS = [-1, 0, 1, 2 ** 31, 2 ** 32 + 5, 2 ** 40, 2 ** 53 + 1, 2 ** 62, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64,
                   -2 ** 63, 1.5, -0.5, 1e308, -1e308, 100000, 100001, 99999]
HOSTILE_VALUES = HOSTILE_NUMBERS + ["", "x" * 300, "\n", [], {}, None, True, [1, 2, 3], {"a": 1}]


def checkpoint_mutation(rng, plain, state):
    """(kind, detail, file bytes, expect, extra bytes of legitimate memory, base name) for one try."""
    base_name = "run" if rng.random() < 0.3 else "plain"
    st = state if base_name == "run" else plain
    blob, n, end_header = st.blob, st.header_length, 8 + st.header_length
    kind = rng.choice(["flip", "flip-header", "truncate", "length", "offsets", "shape", "dtype", "header-text",
                       "duplicate", "metadata", "coverage", "data", "json-fuzz", "training-state"])
    name = rng.choice(st.tensors())
    entry = dict(next(e for k, e in st.header if k == name))
    begin, end = entry["data_offsets"]

    if kind == "flip":
        return kind, "anywhere", flip(rng, blob), EITHER, 0, base_name
    if kind == "flip-header":
        return kind, "length or header", flip(rng, blob, 0, end_header, rng.randint(1, 3)), EITHER, 0, base_name
    if kind == "truncate":
        region = rng.choice(["length", "header", "data", "empty"])
        cut = {"length": lambda: rng.randrange(0, 8), "header": lambda: rng.randrange(8, end_header),
               "data": lambda: rng.randrange(end_header, len(blob)), "empty": lambda: 0}[region]()
        return kind, f"{region} at {cut}", blob[:cut], ERROR, 0, base_name
    if kind == "length":
        value = rng.choice([len(blob), len(blob) - 7, 2 ** 63, 2 ** 64 - 1, 2 ** 32, 2 ** 63 - 1, 0, 1, n - 1, n + 1, n + 8,
                            n - 8, rng.randrange(len(blob), 2 ** 64)])
        return kind, str(value), struct.pack("<Q", value) + blob[8:], ERROR, 0, base_name
    if kind == "offsets":
        data_size = len(st.data)
        value = rng.choice([[-4, end], [end, begin], [begin, begin + 2 ** 62], [begin, data_size + 4], [begin + 4, end + 4],
                            [0, end - begin], [2 ** 63 - 1, 2 ** 63 - 1], [2 ** 64, 2 ** 64 + 4], [1.5, end], ["0", str(end)],
                            [begin], [begin, end, end], [], [begin - 4, end - 4], [data_size, data_size + end - begin], None])
        if value == [0, end - begin] and begin == 0:
            value = [4, end + 4]
        return kind, json.dumps(value), with_entry(st, name, "data_offsets", value), ERROR, 0, base_name
    if kind == "shape":
        rows, cols = entry["shape"]
        value = rng.choice([[2 ** 40, 2 ** 40], [2 ** 31, 2 ** 31], [2 ** 62, 4], [-1, cols], [rows, -cols], [-rows, -cols],
                            [], [rows, cols, 1], [1, rows, cols], [rows * cols + 1], [0], [cols, rows], [rows * cols],
                            [2 ** 63 - 1, 2], [1.5, cols], ["16", cols], [True, cols], None, [2 ** 64, 1]])
        # The same elements in another shape are a valid file but another model's tensor, refused by the checkpoint
        # layer; unless the shape is the same after all: [n] is 1 x n, and a square matrix transposed keeps its shape.
        expect = EITHER if (value == [rows * cols] and rows == 1) or (value == [cols, rows] and rows == cols) else ERROR
        # An optimiser's moments are read by a resume alone, which checks them against the model.
        if expect == ERROR and name.startswith("optimizer.") and value in ([cols, rows], [rows * cols]):
            expect = ON_RESUME
        return kind, json.dumps(value), with_entry(st, name, "shape", value), expect, 0, base_name
    if kind == "dtype":
        value = rng.choice(["F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "", "f32", "F32 ", 32, None, ["F32"]])
        return kind, json.dumps(value), with_entry(st, name, "dtype", value), ERROR, 0, base_name
    if kind == "header-text":
        header_text = blob[8:end_header]
        choice = rng.choice(["not-utf8", "random", "array", "string", "number", "null", "open", "deep-array", "deep-object",
                             "utf16", "bom", "nul", "empty", "latin1"])
        text = {
            "not-utf8": lambda: header_text[:20] + b"\xff\xfe\xc0\x80" + header_text[24:],
            "random": lambda: bytes(rng.randrange(256) for _ in range(n)),
            "array": lambda: b"[" + header_text + b"]",
            "string": lambda: json.dumps(header_text.decode()).encode(),
            "number": lambda: b"42",
            "null": lambda: b"null",
            "open": lambda: b"{",
            "deep-array": lambda: b"[" * 100000 + b"]" * 100000,
            "deep-object": lambda: b'{"a":' * 50000 + b"1" + b"}" * 50000,
            "utf16": lambda: header_text.decode().strip().encode("utf-16-le"),
            "bom": lambda: b"\xef\xbb\xbf" + header_text,
            "nul": lambda: header_text.rstrip() + b"\0" * 8,
            "empty": lambda: b"",
            "latin1": lambda: header_text.replace(b"\xc2\xb7", b"\xb7"),  # the parts' "·" in Latin-1
        }[choice]()
        expect = EITHER if choice == "latin1" and text == header_text else ERROR
        return kind, choice, Safetensors.pack(text, st.data), expect, 0, base_name
    if kind == "duplicate":
        other = rng.choice([t for t in st.tensors() if t != name] or [name])
        choice = rng.choice(["tensor", "tensor-same", "metadata-key", "metadata-object", "dtype", "escaped"])
        header = Obj(st.header)
        entry_pairs = next(e for k, e in st.header if k == name)
        if choice == "tensor":        # a second entry under another tensor's name: JSON keeps one of them
            header.append((other, entry_pairs))
        elif choice == "tensor-same":  # the same entry written twice
            header.append((name, entry_pairs))
        elif choice == "metadata-key":
            header = Obj((k, Obj(v + [("format", "vae-tui/1")]) if k == "__metadata__" else v) for k, v in header)
        elif choice == "metadata-object":
            header.append(("__metadata__", Obj([("format", "other")])))
        elif choice == "dtype":
            header = Obj((k, Obj(v + [("dtype", "F16")]) if k == name else v) for k, v in header)
        text = dumps(header)
        if choice == "escaped":       # the same key with its first letter escaped: "a" and "\u0061" are one key
            key = '"\\u%04x' % ord(name[0]) + json.dumps(name[1:])[1:]
            text = text[:-1] + "," + key + ":" + dumps(entry_pairs) + "}"
        return kind, f"{choice} {name}", Safetensors.pack(text, st.data), ERROR, 0, base_name
    if kind == "metadata":
        choice = rng.choice(["missing", "list", "string", "number", "non-string", "no-model", "no-format", "format",
                             "model-garbage", "model-huge", "model-negative", "model-layers", "model-types", "step-garbage",
                             "step-negative", "objective-garbage", "objective-k", "objective-beta", "dataset"])
        change = {
            "missing": lambda m: None,
            "list": lambda m: [["format", "vae-tui/2"]],
            "string": lambda m: "vae-tui/2",
            "number": lambda m: 7,
            "non-string": lambda m: {**m, "step": rng.choice([5, 5.5, None, True, [], {}])},
            "no-model": lambda m: {k: v for k, v in m.items() if k != "model"},
            "no-format": lambda m: {k: v for k, v in m.items() if k != "format"},
            "format": lambda m: {**m, "format": rng.choice(["vae-tui/3", "", "vae-tui/2\n", "VAE-TUI/2"])},
            "model-garbage": lambda m: {**m, "model": rng.choice(["", "{", "[]", "null", m["model"][:-3], "x" * 1000])},
            "model-huge": lambda m: {**m, "model": _model(m, rng.choice([{"encoderHidden": [100000]}, {"decoderHidden": [100000, 100000]},
                                                                         {"inputSize": 100000}, {"latentSize": 100000},
                                                                         {"encoderHidden": [100000] * 50},
                                                                         {"decoder": "made", "inputSize": 100000},
                                                                         {"posterior": "iaf", "flowHidden": 100000, "flowSteps": 100000},
                                                                         {"layers": [50000, 50000], "latentSize": 100000, "upperHidden": [100000]},
                                                                         {"decoder": "pixelcnn", "decoderHidden": [100000], "receptiveField": 28}]))},
            "model-negative": lambda m: {**m, "model": _model(m, rng.choice([{"latentSize": -4}, {"encoderHidden": [-16]},
                                                                             {"inputSize": 0}, {"flowSteps": -1},
                                                                             {"receptiveField": -3}, {"layers": [2, 2]}]))},
            "model-layers": lambda m: {**m, "model": _model(m, {"encoderHidden": [1] * rng.choice([1000, 100000])})},
            "model-types": lambda m: {**m, "model": _model(m, rng.choice([{"latentSize": "4"}, {"latentSize": 4.5}, {"encoderHidden": 16},
                                                                          {"activation": "gelu"}, {"decoder": None}]))},
            "step-garbage": lambda m: {**m, "step": rng.choice(["abc", "", "1e9", "5.0", "99999999999999999999", " 5"])},
            "step-negative": lambda m: {**m, "step": "-5"},
            "objective-garbage": lambda m: {**m, "objective": rng.choice(["", "{", "[]", '{"k":1}'])},
            "objective-k": lambda m: {**m, "objective": _json_with(m["objective"], "k", rng.choice([0, -1, 10 ** 9, 2 ** 63 - 1]))},
            "objective-beta": lambda m: {**m, "objective": _json_with(m["objective"], "beta", rng.choice([-1, 1e39, -1e39]))},
            "dataset": lambda m: {**m, "dataset": "x\ny"},
        }[choice]
        expect = EITHER if choice == "dataset" else ERROR
        return kind, choice, with_metadata(st, change), expect, 0, base_name
    if kind == "coverage":
        choice = rng.choice(["gap", "trailing", "missing-entry", "overlap", "shrunk"])
        if choice == "trailing":
            return kind, choice, blob + bytes(rng.randint(1, 64)), ERROR, 64, base_name
        if choice == "missing-entry":  # its bytes stay in the data and belong to no tensor
            header = Obj((k, v) for k, v in st.header if k != name)
            return kind, f"{choice} {name}", Safetensors.pack(dumps(header), st.data), ERROR, 0, base_name
        if choice == "shrunk":  # the data ends early but the offsets still say where it was
            return kind, choice, Safetensors.pack(blob[8:end_header], st.data[:-4]), ERROR, 0, base_name
        # The tensors after this one moved 4 bytes on (a gap of zeros) or back (their first 4 bytes shared with it).
        move = 4 if choice == "gap" else -4

        def moved(e):
            b, en = dict(e)["data_offsets"]
            return Obj((f, [b + move, en + move] if f == "data_offsets" and b >= end else v) for f, v in e)
        header = Obj((k, moved(e) if k != "__metadata__" else e) for k, e in st.header)
        data = st.data[:end] + b"\0" * 4 + st.data[end:] if choice == "gap" else st.data[:end - 4] + st.data[end:]
        return kind, f"{choice} after {name}", Safetensors.pack(dumps(header), data), ERROR, 4, base_name
    if kind == "data":
        data = bytearray(st.data)
        choice = rng.choice(["flip", "nan", "inf", "huge"])
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(0, len(data) // 4) * 4
            if choice == "flip":
                data[at + rng.randrange(4)] ^= rng.randint(1, 255)
            else:
                data[at:at + 4] = struct.pack("<f", {"nan": float("nan"), "inf": float("-inf"), "huge": 3e38}[choice])
        return kind, choice, blob[:end_header] + bytes(data), EITHER, 0, base_name
    if kind == "json-fuzz":  # any field of the header or of a metadata document replaced by a hostile value
        hostile = rng.choice(HOSTILE_VALUES)
        meta = st.metadata()
        if rng.random() < 0.5 and meta:
            key = rng.choice([k for k in meta if k in ("model", "objective", "training_state")] or list(meta))
            try:
                meta[key] = edit_json_string(meta[key], rng, hostile)
            except ValueError:
                meta[key] = json.dumps(hostile)
            return kind, f"metadata {key} <- {json.dumps(hostile)[:40]}", with_metadata(st, lambda m: meta), EITHER, 0, base_name
        field = rng.choice(["dtype", "shape", "data_offsets"])
        value = hostile if rng.random() < 0.5 else [hostile, hostile]
        return kind, f"{name}.{field} <- {json.dumps(value)[:40]}", with_entry(st, name, field, value), ERROR, 0, base_name
    # training-state: the trainer's saved state, which only the run checkpoint holds
    st = state
    meta = st.metadata()
    field, value = rng.choice([("step", -1), ("step", 2 ** 63 - 1), ("samplesSeen", -(2 ** 62)), ("samplesSeen", 2 ** 63 - 1),
                               ("position", 10 ** 9), ("position", -1), ("encoderSteps", 2 ** 63 - 1), ("decoderSteps", -5),
                               ("random", [1, 2, 3]), ("random", []), ("learningRate", 0), ("learningRate", -1), ("learningRate", 1e39),
                               ("order", [10 ** 9]), ("order", [-1] * 5), ("objective", {"k": 1}), ("aggressive", None),
                               ("order", "x"), (None, None)])
    if field is None:
        meta["training_state"] = rng.choice(["", "{", "[]", "null"])
    else:
        doc = json.loads(meta["training_state"])
        doc[field] = value
        if field == "aggressive":
            doc[field] = {**json.loads(meta["training_state"])["aggressive"], "maxInnerSteps": rng.choice([0, 10 ** 9])}
        meta["training_state"] = json.dumps(doc)
    # Where the data order stands can only be checked against the data, which a resume has and eval does not.
    expect = ON_RESUME if field in ("position", "order") and value != "x" else ERROR
    return "training-state", f"{field} <- {json.dumps(value)[:40]}", with_metadata(st, lambda m: meta), expect, 0, "run"


def _model(meta, changes):
    return _json_with(meta["model"], None, None, changes)


def _json_with(text, key, value, changes=None):
    doc = json.loads(text)
    if changes:
        doc.update(changes)
    else:
        doc[key] = value
    return json.dumps(doc)


def fault2(args, work, tally):
    base_dir = os.path.join(work, "checkpoint-base")
    os.makedirs(base_dir)
    made = run(args.binary, TRAIN_BASE + ["--checkpoint", "base.safetensors", "--run-dir", "run"], base_dir, 600)
    if made.status != 0:
        sys.exit(f"could not make the legitimate checkpoint: {made.stderr}")
    plain_path, run_dir = os.path.join(base_dir, "base.safetensors"), os.path.join(base_dir, "run")
    plain = Safetensors(open(plain_path, "rb").read())
    state = Safetensors(open(os.path.join(run_dir, "checkpoint.safetensors"), "rb").read())
    # Baselines: the legitimate files through the same commands.
    scratch = os.path.join(work, "scratch")
    os.makedirs(scratch)
    eval_base = baseline(args.binary, EVAL + ["--checkpoint", plain_path], scratch)
    eval_state = baseline(args.binary, EVAL + ["--checkpoint", os.path.join(run_dir, "checkpoint.safetensors")], scratch)
    resume_copy = os.path.join(work, "resume-base")
    shutil.copytree(run_dir, resume_copy)
    resume_base = baseline(args.binary, RESUME + ["--resume", resume_copy], scratch, runs=1)
    tally.baselines_kb = {"eval": eval_base, "eval with state": eval_state, "resume": resume_base}
    rng = random.Random(args.seed)
    for i in range(args.count):
        kind, detail, blob, expect, extra, base_name = checkpoint_mutation(rng, plain, state)
        legit = len((state if base_name == "run" else plain).blob)
        try_dir = os.path.join(work, f"c{i}")
        os.makedirs(try_dir)
        resume = base_name == "run" and rng.random() < (0.5 if kind == "training-state" else 0.3)
        if expect == ON_RESUME:
            expect = ERROR if resume else EITHER
        if resume:
            shutil.copytree(run_dir, os.path.join(try_dir, "run"))
            with open(os.path.join(try_dir, "run", "checkpoint.safetensors"), "wb") as f:
                f.write(blob)
            command, base_kb = RESUME + ["--resume", os.path.join(try_dir, "run")], resume_base
        else:
            with open(os.path.join(try_dir, "m.safetensors"), "wb") as f:
                f.write(blob)
            command, base_kb = EVAL + ["--checkpoint", os.path.join(try_dir, "m.safetensors")], (eval_state if base_name == "run" else eval_base)
        limit = base_kb + RSS_MARGIN_KB + max(0, len(blob) - legit) // 1024 + extra // 1024
        outcome = run(args.binary, command, try_dir, args.timeout)
        tally.add(kind, f"{detail}; {base_name} checkpoint; {'resume' if resume else 'eval'}", outcome, judge(outcome, expect, limit), base_kb)
        shutil.rmtree(try_dir, ignore_errors=True)
        progress(tally, args)


# ---------------------------------------------------------------------------------------- fault 3

def idx_images(images, rows=28, cols=28):
    return struct.pack(">IIII", 0x803, len(images), rows, cols) + b"".join(images)


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def small_set(rng):
    """200 training and 50 test images of 28x28 (a bright rectangle each), labels 0-9: a legitimate set."""
    def image(i):
        pixels = bytearray(784)
        top, left = rng.randrange(0, 18), rng.randrange(0, 18)
        for r in range(top, top + 8):
            for c in range(left, left + 3 + i % 8):
                pixels[r * 28 + c] = 255
        return bytes(pixels)
    train = [image(i) for i in range(200)]
    test = [image(i) for i in range(50)]
    return {IDX_NAMES[0]: idx_images(train), IDX_NAMES[1]: idx_labels([i % 10 for i in range(200)]),
            IDX_NAMES[2]: idx_images(test), IDX_NAMES[3]: idx_labels([i % 10 for i in range(50)])}


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def bomb(header, total=BOMB_BYTES):
    """A gzip stream of `header` and then zeros up to `total` bytes: about 1 MB on disk per GB inflated."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [c.compress(header)]
    chunk = bytes(1 << 20)
    left = total - len(header)
    while left > 0:
        parts.append(c.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(c.flush())
    return b"".join(parts)


def data_mutation(rng, base, bombs):
    """(kind, detail, {file name: bytes or a special}, expect, uses MNIST) for one try. Files not named keep the base's."""
    kind = rng.choice(["flip", "truncate", "magic", "dims", "labels", "count", "zero", "shape", "trailing",
                       "gz-flip", "gz-truncate", "gz-garbage", "gz-concat", "gz-trailer", "gz-empty", "bomb", "oversize",
                       "not-file", "mnist-mix"])
    name = rng.choice(IDX_NAMES)
    raw = base[name]
    header_size = 16 if "images" in name else 8
    zipped = rng.random() < 0.5
    pack = (lambda b: (name + ".gz", gz(b))) if zipped else (lambda b: (name, b))
    mode = "gz" if zipped else "raw"

    def one(b, expect=ERROR, detail=""):
        file_name, blob = pack(b)
        return kind, f"{mode} {name} {detail}".strip(), {file_name: blob}, expect, False

    if kind == "flip":
        return one(flip(rng, raw), EITHER)
    if kind == "truncate":
        region = rng.choice(["header", "payload"])
        cut = rng.randrange(0, header_size) if region == "header" else rng.randrange(header_size, len(raw))
        return one(raw[:cut], ERROR, f"{region} at {cut}")
    if kind == "magic":
        at = rng.randrange(4)
        return one(raw[:at] + bytes([raw[at] ^ rng.randint(1, 255)]) + raw[at + 1:], ERROR, f"byte {at}")
    if kind == "dims":
        field = rng.randrange(1, header_size // 4)
        old = struct.unpack(">I", raw[field * 4:field * 4 + 4])[0]
        value = rng.choice([0, old + 1, old - 1, 2 ** 32 - 1, 2 ** 31, 2 ** 16, old * 2, rng.randrange(2 ** 32)])
        if value == old:
            value = old + 1
        return one(raw[:field * 4] + struct.pack(">I", value) + raw[field * 4 + 4:], ERROR, f"size {field} {old} -> {value}")
    if kind == "labels":
        label_name = rng.choice([IDX_NAMES[1], IDX_NAMES[3]])
        labels = bytearray(base[label_name])
        for _ in range(rng.randint(1, 5)):
            labels[rng.randrange(8, len(labels))] = rng.randint(10, 255)
        name, raw = label_name, bytes(labels)
        return one(raw, ERROR, "labels out of range")
    if kind == "count":  # a valid file with fewer or more items than its partner
        part = rng.choice(["train", "t10k"])
        images, labels = base[f"{part}-images-idx3-ubyte"], base[f"{part}-labels-idx1-ubyte"]
        count = struct.unpack(">I", images[4:8])[0]
        new = rng.choice([count - 1, count // 2, count + 1, 1])
        if rng.random() < 0.5:
            name = f"{part}-images-idx3-ubyte"
            body = (images[16:] * 2)[:new * 784]
            return one(idx_images([body[i * 784:(i + 1) * 784] for i in range(new)]), ERROR, f"{new} images")
        name = f"{part}-labels-idx1-ubyte"
        return one(idx_labels([i % 10 for i in range(new)]), ERROR, f"{new} labels")
    if kind == "zero":
        part = rng.choice(["train", "t10k"])
        files = {}
        for n, b in ((f"{part}-images-idx3-ubyte", idx_images([])), (f"{part}-labels-idx1-ubyte", idx_labels([]))):
            name = n
            files.update([pack(b)])
        return kind, f"{mode} {part} with no images", files, ERROR, False
    if kind == "shape":
        name = rng.choice([IDX_NAMES[0], IDX_NAMES[2]])
        rows, cols = rng.choice([(10, 10), (28, 27), (27, 28), (1, 784), (784, 1), (56, 14)])
        count = struct.unpack(">I", base[name][4:8])[0]
        body = base[name][16:]
        return one(struct.pack(">IIII", 0x803, count, rows, cols) + body[:count * rows * cols].ljust(count * rows * cols, b"\0"),
                   ERROR, f"{rows}x{cols}")
    if kind == "trailing":
        return one(raw + bytes(rng.randrange(256) for _ in range(rng.randint(1, 100))), ERROR, "trailing bytes")
    if kind.startswith("gz-"):
        mode = "gz"
        compressed = gz(raw)
        if kind == "gz-flip":  # may hit the header's mtime or OS byte, which gunzip ignores
            blob, expect = flip(rng, compressed), EITHER
        elif kind == "gz-truncate":
            blob, expect = compressed[:rng.randrange(0, len(compressed))], ERROR
        elif kind == "gz-garbage":
            garbage = rng.choice([b"\0" * 8, b"garbage!", b"\x1f\x8b" + bytes(20), bytes(rng.randrange(256) for _ in range(64))])
            blob, expect = compressed + garbage, ERROR
        elif kind == "gz-concat":  # two members: the file split (valid, as gunzip reads it) or the file twice (too long)
            if rng.random() < 0.5:
                cut = rng.randrange(1, len(raw))
                blob, expect = gz(raw[:cut]) + gz(raw[cut:]), EITHER
            else:
                blob, expect = compressed + compressed, ERROR
        elif kind == "gz-trailer":  # the CRC or the length in the last 8 bytes
            at = len(compressed) - rng.randint(1, 8)
            blob, expect = compressed[:at] + bytes([compressed[at] ^ rng.randint(1, 255)]) + compressed[at + 1:], ERROR
        else:
            blob, expect = rng.choice([b"", gz(b""), gz(raw[:header_size - 1])]), ERROR
        return kind, f"gz {name}", {name + ".gz": blob}, expect, False
    if kind == "bomb":
        which = rng.choice(sorted(bombs))
        return kind, which, {bombs[which][0]: ("file", bombs[which][1])}, ERROR, True
    if kind == "oversize":  # beyond the size cap: a sparse raw file (never read), or a header promising too much
        choice = rng.choice(["sparse", "promise"])
        if choice == "sparse":
            return kind, "sparse 300 MB raw file", {name: ("sparse", 300 << 20)}, ERROR, False
        claim = struct.pack(">IIII", 0x803, 2 ** 32 - 1, 28, 28) if "images" in name else struct.pack(">II", 0x801, 2 ** 32 - 1)
        return one(claim + raw[header_size:], ERROR, "header promises 2^32-1 items")
    if kind == "not-file":
        return kind, f"{name} is a directory", {name: ("directory", None)}, ERROR, False
    # mnist-mix: the real files, two of them swapped or crossed
    choice = rng.choice(["labels-swapped", "images-swapped", "test-labels-for-train"])
    real = {"labels-swapped": {IDX_NAMES[1] + ".gz": ("link", IDX_NAMES[3] + ".gz"), IDX_NAMES[3] + ".gz": ("link", IDX_NAMES[1] + ".gz")},
            "images-swapped": {IDX_NAMES[0] + ".gz": ("link", IDX_NAMES[2] + ".gz")},
            "test-labels-for-train": {IDX_NAMES[1] + ".gz": ("link", IDX_NAMES[3] + ".gz")}}[choice]
    return kind, choice, real, ERROR, True


def write_set(directory, files, overrides, mnist):
    """The four files in `directory`: the base's (raw or gzipped) or links to MNIST's, then the overrides."""
    os.makedirs(directory)
    for name, blob in files.items():
        if blob is None:  # a link to the real file
            os.symlink(os.path.join(mnist, name), os.path.join(directory, name))
        else:
            with open(os.path.join(directory, name), "wb") as f:
                f.write(blob)
    for name, blob in overrides.items():
        # A mutated file replaces both of its forms, so the reader cannot take the other one.
        for form in {name, name[:-3] if name.endswith(".gz") else name + ".gz"}:
            path = os.path.join(directory, form)
            if os.path.lexists(path):
                os.remove(path)
        path = os.path.join(directory, name)
        if isinstance(blob, tuple):
            what, value = blob
            if what == "sparse":
                with open(path, "wb") as f:
                    f.truncate(value)
            elif what == "directory":
                os.makedirs(path)
            elif what == "link":
                os.symlink(os.path.join(mnist, value), path)
            else:  # a prepared file, linked rather than copied
                os.symlink(value, path)
        else:
            with open(path, "wb") as f:
                f.write(blob)


def fault3(args, work, tally):
    rng = random.Random(args.seed + 3)
    base = small_set(random.Random(args.seed))
    raw_files = dict(base)
    gz_files = {name + ".gz": gz(blob) for name, blob in base.items()}
    mnist_files = {name + ".gz": None for name in IDX_NAMES}
    # Gzip bombs, made once: 1 GB of zeros behind an honest MNIST header, a header promising 2^32-1 images,
    # one promising 300,000 (235 MB, under the size cap, so the stream must be inflated to be found out),
    # no header at all, and 1 GB of labels behind an honest header.
    bomb_dir = os.path.join(work, "bombs")
    os.makedirs(bomb_dir)
    bombs = {}
    for label, name, header in [("honest-header", IDX_NAMES[0], struct.pack(">IIII", 0x803, 60000, 28, 28)),
                                ("huge-header", IDX_NAMES[0], struct.pack(">IIII", 0x803, 2 ** 32 - 1, 28, 28)),
                                ("under-cap-header", IDX_NAMES[0], struct.pack(">IIII", 0x803, 300000, 28, 28)),
                                ("no-header", IDX_NAMES[0], b""),
                                ("labels", IDX_NAMES[1], struct.pack(">II", 0x801, 60000))]:
        path = os.path.join(bomb_dir, label + ".gz")
        with open(path, "wb") as f:
            f.write(bomb(header))
        bombs[label] = (name + ".gz", path)
    scratch = os.path.join(work, "scratch3")
    write_set(os.path.join(scratch, "small"), raw_files, {}, args.mnist)
    write_set(os.path.join(scratch, "small-gz"), gz_files, {}, args.mnist)
    write_set(os.path.join(scratch, "mnist"), mnist_files, {}, args.mnist)
    small_kb = max(baseline(args.binary, TRAIN_DATA + ["--data", os.path.join(scratch, d)], scratch, runs=2) for d in ("small", "small-gz"))
    mnist_kb = baseline(args.binary, TRAIN_DATA + ["--data", os.path.join(scratch, "mnist")], scratch, runs=1)
    tally.baselines_kb = {"small set": small_kb, "MNIST": mnist_kb}
    for i in range(args.count):
        kind, detail, overrides, expect, uses_mnist = data_mutation(rng, base, bombs)
        if uses_mnist:
            files, base_kb = mnist_files, mnist_kb
        else:
            gzipped = any(n.endswith(".gz") for n in overrides) if rng.random() < 0.8 else rng.random() < 0.5
            files, base_kb = (gz_files if gzipped else raw_files), small_kb
        try_dir = os.path.join(work, f"d{i}")
        write_set(os.path.join(try_dir, "data"), files, overrides, args.mnist)
        grown = sum(len(b) for b in overrides.values() if isinstance(b, bytes))
        limit = base_kb + RSS_MARGIN_KB + grown // 1024
        outcome = run(args.binary, TRAIN_DATA + ["--data", os.path.join(try_dir, "data")], try_dir, args.timeout)
        tally.add(kind, detail, outcome, judge(outcome, expect, limit), base_kb)
        shutil.rmtree(try_dir, ignore_errors=True)
        progress(tally, args)


def progress(tally, args):
    if args.verbose and tally.tried % 50 == 0:
        print(f"  {tally.name}: {tally.tried} tried, {tally.tried - tally.passed} failed", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1000, help="mutated files per fault (default 1000)")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "vae-tui"))
    ap.add_argument("--mnist", default=default_mnist())
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a run counts as hung")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["2", "3"])
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    ap.add_argument("--verbose", action="store_true", help="every failure, and progress every 50 tries, on stderr")
    args = ap.parse_args()
    args.binary, args.mnist = os.path.abspath(args.binary), os.path.abspath(args.mnist)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no binary at {args.binary}: build it with `swift build -c release`")
    work = tempfile.mkdtemp(prefix="vae-tui-hostile-")
    try:
        for number, name, body in [("2", "fault 2 hostile checkpoints", fault2), ("3", "fault 3 hostile data files", fault3)]:
            if args.only and args.only != number:
                continue
            tally, start = Tally(name, args.verbose), time.time()
            body(args, work, tally)
            print(tally.line(), flush=True)
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.kinds.items()))
            baselines = ", ".join(f"{k} {v / 1024:.1f} MB" for k, v in tally.baselines_kb.items())
            print(f"  {name}: {time.time() - start:.0f} s (slowest run {tally.slowest:.1f} s); {tally.valid} stayed valid (exit 0); "
                  f"peak RSS {tally.peak_rss_kb / 1024:.1f} MB, legitimate runs' {baselines}; most above its own legitimate run: "
                  f"{tally.worst_excess_kb / 1024:+.1f} MB ({tally.worst_excess_kind}; limit +{RSS_MARGIN_KB // 1024} MB); kinds: {kinds}",
                  file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"  kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
