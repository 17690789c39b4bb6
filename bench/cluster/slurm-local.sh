#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, and `vae-tui reproduce iwae --slurm` run on it on a tiny budget.
#
# Installs Slurm (slurmctld, slurmd, the clients) and munge with apt when they are missing, writes a one-node
# configuration for this machine (its CPUs and memory, no cgroup plugins) and munge's key into a temporary
# directory (nothing under /etc), starts munged, slurmctld and slurmd, and waits until the node is idle. Then:
#   - submits two rows of the IWAE table (2 epochs, --train-limit) with `reproduce iwae --slurm`;
#   - requeues one task by hand mid-run (`scontrol requeue`), and warns the other of its time limit as Slurm does
#     (USR1 to the batch shell, `scancel --batch --signal=USR1`), which makes it requeue itself;
#   - waits for the collect job, and checks: table.md and table.json were written; both stopped rows resumed
#     (a stop and a resume in their logs, one requeue each); each row's checkpoint and figures are byte for byte
#     those of the same rows trained by plain `reproduce` with the same seeds.
# The daemons it started are stopped at the end, by pid, pass or fail.
#
# Usage: bench/cluster/slurm-local.sh [--binary PATH] [--keep]
#   --binary PATH  the vae-tui to run (default .build/debug/vae-tui, what `swift build` makes)
#   --keep         keep the temporary directory (configuration, logs, runs) and print where it is
# Environment: VAE_TUI_DATA (MNIST; else the built-in shapes), VAE_TUI_SLURM_PORTS ("6817,6818": slurmctld's and
# slurmd's ports). Needs root (slurmd runs jobs as their users).
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=.build/debug/vae-tui
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,19p' "$0" | cut -c3-; exit 0 ;;
    *) echo "slurm-local.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
[ -x "$binary" ] || { echo "slurm-local.sh: no vae-tui at $binary: swift build first, or give --binary" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "slurm-local.sh: slurmd must run as root" >&2; exit 1; }

# The budget: two rows of the IWAE table, 2 epochs on the first 20,000 training images, a small NLL.
rows=iwae-vae-k1,iwae-iwae-k5
budget=(--rows "$rows" --epochs 2 --train-limit 20000 --nll-images 100 --nll-k 500)
if [ -n "${VAE_TUI_DATA:-}" ]; then data=(--data "$VAE_TUI_DATA"); else data=(--dataset shapes); fi
# Seconds a job credential lives, and so a requeued task waits before it starts again (Slurm's default: 120).
credential_seconds=20
# Seconds to wait: for the node to come up, for a task to start training, for the whole run.
node_wait=60
start_wait=180
run_wait=900

say() { echo "[slurm-local $(date -u +%T)] $*"; }

packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$(mktemp -d /tmp/vae-tui-slurm.XXXXXX)"
chmod 755 "$work"   # munged refuses a socket directory others cannot enter
mkdir -p "$work"/{munge,state,spool,log,run}
chmod 700 "$work/munge"
chmod 755 "$work/run"
pids=()
array=
collect=

stop_all() {
  local status=$?
  set +e
  if [ -n "$array" ]; then
    scancel "$array" ${collect:+"$collect"} 2>/dev/null
    for _ in $(seq 1 60); do
      [ -z "$(squeue -h -j "$array${collect:+,$collect}" 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    kill -TERM "${pids[$i]}" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "${pids[$i]}" 2>/dev/null
    wait "${pids[$i]}" 2>/dev/null
  done
  if [ "$status" -ne 0 ]; then
    for f in "$work"/log/*; do [ -s "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }; done
  fi
  if [ "$keep" -eq 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  say "daemons stopped (${pids[*]:-none}); $([ "$status" -eq 0 ] && echo PASS || echo "FAIL (status $status)")"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

fail() { say "FAIL: $*"; exit 1; }

# munge: its own key and socket.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/run/munge.socket"
munged -F --key-file="$work/munge/munge.key" --socket="$socket" --pid-file="$work/run/munged.pid" \
  --seed-file="$work/munge/munged.seed" --log-file="$work/log/munged.log" >>"$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1 && break; sleep 0.2; done
munge -n -S "$socket" | unmunge -S "$socket" >/dev/null || fail "munged does not answer on $socket"

IFS=, read -r ctld_port slurmd_port <<<"${VAE_TUI_SLURM_PORTS:-6817,6818}"
for port in "$ctld_port" "$slurmd_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is taken (another Slurm?): set VAE_TUI_SLURM_PORTS=CTLD,SLURMD"
  fi
done
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
cat >"$work/slurm.conf" <<EOF
# One node, this machine: written by bench/cluster/slurm-local.sh
ClusterName=vaetui
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
# A requeued job may start again only once its credential has expired (the default 120 s): 20 s here.
AuthInfo=socket=$socket,cred_expire=$credential_seconds
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >>"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N localhost >>"$work/log/slurmd.out" 2>&1 &
pids+=($!)
say "munged, slurmctld and slurmd started (pids ${pids[*]}), configuration $SLURM_CONF"
for _ in $(seq 1 $((node_wait * 5))); do
  [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = "idle" ] && break
  sleep 0.2
done
[ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = "idle" ] || fail "the node is not idle after ${node_wait} s: $(sinfo 2>&1)"
say "node idle: $(sinfo -h -o '%P %c CPUs %m MB %t')"

# The states the jobs pass through: each change printed, and a job leaving the queue (it ended).
seen="$work/states-seen"
touch "$seen"
note_states() {
  local now id state
  now=$(squeue -h -r -j "$array,$collect" -o "%i %T" 2>/dev/null | sort)
  while read -r id state; do
    [ -n "$id" ] && ! grep -qx "$id $state" "$seen" || continue
    sed -i "/^$id /d" "$seen"
    echo "$id $state" >>"$seen"
    say "squeue: $id $state"
  done <<<"$now"
  while read -r id state; do
    [ -n "$id" ] && [ "$state" != ENDED ] && ! grep -q "^$id " <<<"$now" || continue
    sed -i "/^$id /d" "$seen"
    echo "$id ENDED" >>"$seen"
    say "squeue: $id left the queue"
  done <"$seen"
}
row_state() { sed -n 's/.*"state" : "\([a-z]*\)".*/\1/p' "$parent/$1/row.json" 2>/dev/null; }
# Waits (printing new states) until `$@` succeeds, at most $1 seconds.
wait_for() {
  local seconds=$1; shift
  for _ in $(seq 1 $((seconds * 5))); do
    note_states
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
# Training past its first epoch: a signal now lands mid-run, in the second.
is_training() { [ "$(row_state "$1")" = running ] && grep -q '"event":"epoch"' "$parent/$1/metrics.jsonl" 2>/dev/null; }
is_pending() { squeue -h -j "$1" -o %T 2>/dev/null | grep -qx PENDING; }
left_queue() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }

parent="$work/runs/iwae"
say "submitting: vae-tui reproduce iwae --slurm --dir $parent ${budget[*]} ${data[*]}"
"$binary" reproduce iwae --slurm --dir "$parent" "${budget[@]}" "${data[@]}" --cpus-per-task 1 --time 00:15:00
array=$(sed -n 's/.*"array" : "\([0-9]*\)".*/\1/p' "$parent/slurm-jobs.json")
collect=$(sed -n 's/.*"collect" : "\([0-9]*\)".*/\1/p' "$parent/slurm-jobs.json")
[ -n "$array" ] && [ -n "$collect" ] || fail "no job ids in $parent/slurm-jobs.json"
say "job array $array, collect job $collect"

# Task 0 (iwae-vae-k1, the quicker): warned of its time limit. Task 1 (iwae-iwae-k5): requeued by hand.
IFS=, read -r row0 row1 <<<"$rows"
wait_for "$start_wait" is_training "$row0" || fail "$row0 did not start training"
say "scancel --batch --signal=USR1 ${array}_0 ($row0 is in its second epoch): the warning Slurm sends before a time limit"
scancel --batch --signal=USR1 "${array}_0"
wait_for "$start_wait" is_training "$row1" || fail "$row1 did not start training"
say "scontrol requeue ${array}_1 ($row1 is in its second epoch)"
scontrol requeue "${array}_1"
for task in 0 1; do
  wait_for 60 is_pending "${array}_$task" || fail "task ${array}_$task was not requeued"
done
wait_for "$run_wait" left_queue "$collect" || fail "the collect job $collect did not finish in ${run_wait} s"
note_states

for log in "$parent"/logs/*.out; do echo "--- $log"; cat "$log"; done
echo "--- vae-tui reproduce iwae --status"
"$binary" reproduce iwae --status --dir "$parent" --rows "$rows"

# The checks.
[ -s "$parent/table.md" ] && [ -s "$parent/table.json" ] || fail "no table.md or table.json in $parent"
echo "--- $parent/table.md"
cat "$parent/table.md"
for row in "$row0" "$row1"; do
  grep -q '"event":"stop"' "$parent/$row/metrics.jsonl" || fail "$row was not stopped mid-run (the signal came too late?)"
  grep -q '"event":"resume"' "$parent/$row/metrics.jsonl" || fail "$row did not resume"
  grep -q '"requeues" : 1' "$parent/$row/row.json" || fail "$row: not one requeue in its row.json"
  [ "$(row_state "$row")" = done ] || fail "$row is not done"
done
say "both rows stopped mid-run, requeued once, resumed and finished"
say "the same rows by plain reproduce: vae-tui reproduce iwae --dir $work/plain ${budget[*]} ${data[*]}"
"$binary" reproduce iwae --dir "$work/plain" "${budget[@]}" "${data[@]}" >"$work/log/plain.out" 2>&1 \
  || { cat "$work/log/plain.out"; fail "plain reproduce failed"; }
for row in "$row0" "$row1"; do
  for file in checkpoint.safetensors nll.json; do
    cmp -s "$parent/$row/$file" "$work/plain/$row/$file" || fail "$row/$file differs from plain reproduce's"
  done
  say "$row: $(cat "$parent/$row/nll.json"): checkpoint and figures equal to plain reproduce's"
done
python3 - "$parent/table.json" "$work/plain/table.json" <<'EOF' || fail "the tables differ"
import json, sys
slurm, plain = (json.load(open(p))["rows"] for p in sys.argv[1:])
assert slurm == plain, (slurm, plain)
EOF
say "table.json's rows equal plain reproduce's"
