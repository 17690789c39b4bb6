#!/usr/bin/env bash
# Runs the test suite as a user's fresh clone would: the checkout's HEAD commit cloned into an empty temporary
# folder (no data folder beside it), HOME an empty folder (so no fetched MNIST in ~/.cache and no SwiftPM caches),
# VAE_TUI_DATA and XDG_CACHE_HOME unset. Prints each pass's summary and the tests skipped for lack of the real
# MNIST files; with --with-data DIR, a second pass with VAE_TUI_DATA=DIR shows those tests running.
#
#   bench/clean_clone_check.sh                         # the clean pass (a full build: several minutes)
#   bench/clean_clone_check.sh --with-data DIR         # then again with VAE_TUI_DATA=DIR
#   bench/clean_clone_check.sh --data-only DIR         # only the pass with the data
#   bench/clean_clone_check.sh --keep -- --filter MNISTTests   # keep the folder; arguments after -- go to swift test
#
# Exit status: 0 when every pass passed. Uncommitted changes in the checkout are not tested (HEAD is).
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

data="" clean=1 keep=0 test_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with-data) data=${2:?--with-data needs a directory}; shift 2 ;;
    --data-only) data=${2:?--data-only needs a directory}; clean=0; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; test_args=("$@"); break ;;
    *) echo "clean_clone_check: unknown argument $1" >&2; usage >&2; exit 64 ;;
  esac
done
if [ -n "$data" ]; then
  [ -d "$data" ] || { echo "clean_clone_check: no such directory: $data" >&2; exit 64; }
  data=$(cd "$data" && pwd)
fi

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$root" rev-parse HEAD)
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "note: $root has uncommitted changes; testing the commit $commit only"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vae-tui-clean-clone.XXXXXX")
cleanup() {
  if [ "$keep" -eq 1 ]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

clone=$tmp/work/vae-tui   # $tmp/work holds nothing else: no data folder beside the clone
mkdir -p "$tmp/work" "$tmp/home"
git clone --quiet --no-checkout "$root" "$clone"
git -C "$clone" cat-file -e "$commit^{commit}" 2>/dev/null || git -C "$clone" fetch --quiet "$root" "$commit"
git -C "$clone" -c advice.detachedHead=false checkout --quiet --detach "$commit"
echo "clone: $clone at $(git -C "$clone" log -1 --format='%h %s' | cut -c1-100)"
echo "siblings of the clone: $(ls -A "$tmp/work" | tr '\n' ' ')"

# Skipped tests are reported as: ➜ Test NAME skipped: "needs the real MNIST files: …"
mnist_skips() { grep -E 'Test .* skipped.*needs the real MNIST files' "$1" | sed -E 's/.*Test (.*) skipped.*/\1/' | sort -u || true; }

status=0
# One pass of swift test; $1 names it, $2 is VAE_TUI_DATA (empty: unset); the output goes to $tmp/$1.log.
run_pass() {
  local name=$1 dir=$2 log=$tmp/$1.log
  local env=(env -u VAE_TUI_DATA -u XDG_CACHE_HOME HOME="$tmp/home")
  [ -n "$dir" ] && env+=(VAE_TUI_DATA="$dir")
  echo
  echo "== $name: swift test (HOME=$tmp/home, VAE_TUI_DATA=${dir:-unset}) =="
  set +e
  (cd "$clone" && "${env[@]}" swift test ${test_args[@]+"${test_args[@]}"}) > "$log" 2>&1
  local rc=$?
  set -e
  grep -E 'Test run with .* (passed|failed)' "$log" || { echo "no summary line; the end of the log:"; tail -n 30 "$log"; }
  grep -E '^✘ Test .*(failed|recorded an issue)' "$log" | head -n 20 || true
  echo "swift test exit status: $rc"
  [ "$rc" -eq 0 ] || status=1
}

if [ "$clean" -eq 1 ]; then
  run_pass clean ""
  skipped=$(mnist_skips "$tmp/clean.log")
  echo "skipped for lack of MNIST: ${skipped:-none}" | tr '\n' ' '
  echo
fi

if [ -n "$data" ]; then
  run_pass with-data "$data"
  left=$(mnist_skips "$tmp/with-data.log")
  echo "skipped for lack of MNIST: ${left:-none}"
  if [ "$clean" -eq 1 ] && [ -n "$skipped" ]; then
    echo "the clean pass's skipped tests, with the data:"
    while IFS= read -r test; do
      line=$(grep -F "Test $test" "$tmp/with-data.log" | grep -E '(passed|failed) after' | head -n 1)
      echo "  ${line:-$test: no result (did not run)}"
    done <<< "$skipped"
  fi
fi

if [ "$keep" -eq 1 ]; then echo "logs: $tmp/*.log"; fi
exit "$status"
