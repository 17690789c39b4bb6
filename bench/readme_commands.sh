#!/usr/bin/env bash
# Runs the command lines the docs show, to check that they still work.
#
# Takes every line that starts with `vae-tui` or `swift run` from the fenced ```sh blocks of README.md
# and docs/*.md (or of the FILEs given), and runs each under `timeout` in a temporary directory: one
# directory per document, the commands of a document in their order, so that a command can use what
# an earlier one wrote (a run directory, a checkpoint). Prints PASS, FAIL or SKIP per command, then a
# summary; exits 1 if any command failed or ran out of time. Not part of `swift test`.
#
# Usage: bench/readme_commands.sh [options] [FILE...]
#   --list            print the commands (where each comes from, and why it would be skipped); run nothing
#   --budget SECONDS  time allowed to each command (default 60)
#   --terminal        also run the commands that need a terminal (the dashboard, the demos, `show`), each in
#                     a private tmux at 120x40: it must still be running after --settle seconds, then quit
#                     on q with status 0
#   --settle SECONDS  how long a screen runs before q is sent (default 5)
#   --long            also run the long commands (the IWAE schedule, the labs, `reproduce`,
#                     `bench --compare`, ...); they still stop at --budget
#   --network         also run `data fetch`, which downloads
#   --binary PATH     the vae-tui to run (default .build/release/vae-tui, built if missing)
#   --build           build the release binary first even if it exists
#   --keep            keep the temporary directory (it is kept anyway when a command fails)
#
# How a line is run: `swift run [options] vae-tui ARGS` and `vae-tui ARGS` both run the chosen binary
# with ARGS (a `vae-tui` on PATH points at it), through bash, so the line's quoting and variables
# behave as in a shell. A comment after the command and an output redirection at its end (`> FILE`)
# are dropped, so the docs' completion lines cannot write outside the temporary directory; HOME points
# into it too. XDG_CACHE_HOME keeps its value (default ~/.cache of the real home) and VAE_TUI_DATA is
# passed on, so the commands find MNIST where `vae-tui data fetch mnist` put it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
list=0 budget=60 terminal=0 settle=5 long=0 network=0 binary="" build=0 keep=0
files=()
while [ $# -gt 0 ]; do
    case $1 in
        --list) list=1 ;;
        --budget) budget=$2; shift ;;
        --terminal) terminal=1 ;;
        --settle) settle=$2; shift ;;
        --long) long=1 ;;
        --network) network=1 ;;
        --binary) binary=$2; shift ;;
        --build) build=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "readme_commands.sh: unknown option $1 (--help lists them)" >&2; exit 64 ;;
        *) files+=("$1") ;;
    esac
    shift
done
if [ ${#files[@]} -eq 0 ]; then
    files=("$root/README.md")
    for f in "$root"/docs/*.md; do [ -e "$f" ] && files+=("$f"); done
fi
case $budget in ''|*[!0-9]*) echo "readme_commands.sh: --budget takes whole seconds" >&2; exit 64 ;; esac
case $settle in ''|*[!0-9]*) echo "readme_commands.sh: --settle takes whole seconds" >&2; exit 64 ;; esac

# extract FILE...: one line per command, "file<TAB>line<TAB>command", the comment after it removed.
extract() {
    awk '
        # The part of s before its first unquoted character from `stops` (a "#" only where a word starts).
        function cut(s, stops,    i, c, q, prev) {
            q = ""; prev = " "
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (q != "") { if (c == q) q = ""; else if (c == "\\" && q == "\"") i++ }
                else if (c == "\\") i++
                else if (c == "\"" || c == "'\''") q = c
                else if (index(stops, c) && (c != "#" || prev ~ /[ \t]/)) return substr(s, 1, i - 1)
                prev = c
            }
            return s
        }
        FNR == 1 { fence = 0; pending = "" }
        /^[ \t]*```/ {
            if (!fence) { lang = $0; sub(/^[ \t]*```/, "", lang); gsub(/[ \t]/, "", lang); fence = 1; shell = (lang == "sh" || lang == "bash") }
            else fence = 0
            pending = ""
            next
        }
        fence && shell {
            line = $0
            if (pending != "") { line = pending " " line; start = pendingLine } else start = FNR
            if (line ~ /\\$/) { sub(/\\$/, "", line); pending = line; pendingLine = start; next }
            pending = ""
            sub(/^[ \t]+/, "", line)
            if (line !~ /^(vae-tui|swift[ \t]+run)([ \t]|$)/) next
            line = cut(line, "#")
            sub(/[ \t]+$/, "", line)
            print FILENAME "\t" start "\t" line
        }
    ' "$@"
}

# runnable LINE: the line as run: the output redirection at its end dropped, `swift run … vae-tui` → `vae-tui`.
runnable() {
    printf '%s\n' "$1" | awk '
        function cut(s, stops,    i, c, q) {
            q = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (q != "") { if (c == q) q = ""; else if (c == "\\" && q == "\"") i++ }
                else if (c == "\\") i++
                else if (c == "\"" || c == "'\''") q = c
                else if (index(stops, c)) return substr(s, 1, i - 1)
            }
            return s
        }
        {
            s = cut($0, ">")
            sub(/[ \t]+$/, "", s)
            if (s ~ /^swift[ \t]+run/) {
                rest = ""
                if (match(s, /[ \t]vae-tui([ \t]|$)/)) rest = substr(s, RSTART + RLENGTH)
                sub(/^[ \t]+/, "", rest)
                s = "vae-tui" (rest != "" ? " " rest : "")
            }
            print s
        }'
}

# Patterns of the lines skipped unless asked for (bash regular expressions).
placeholder_re='<[A-Za-z][A-Za-z_-]*>'
network_re='(^|[[:space:]])data[[:space:]]+fetch([[:space:]]|$)'
long_res=(
    '--epochs[[:space:]=]+3280'                      # the IWAE paper's schedule
    '--lr-schedule[[:space:]=]+iwae'                 # the same, by its schedule
    '--minutes'                                      # a budget in minutes
    '(^|[[:space:]])lab[[:space:]]+collapse'         # minutes per row
    '(^|[[:space:]])lab[[:space:]]+gaps'             # minutes for the table
    '(^|[[:space:]])lab[[:space:]]+rate-distortion'  # minutes for the sweep
    '(^|[[:space:]])reproduce([[:space:]]|$)'        # a whole table
    '(^|[[:space:]])bench([[:space:]].*)?--compare'  # PyTorch beside vae-tui
)
iwae_preset_re='--preset[[:space:]=]+iwae'           # the IWAE schedule: batch 20, all 60,000 images
help_re='--(help|version|generate-completion-script)'
slurm_re='(^|[[:space:]])--slurm([[:space:]]|$)'   # submits to a cluster, unless --dry-run

# why_skip LINE: empty when the line runs in this mode, else the reason it is skipped.
why_skip() {
    local line=$1 words sub="" w re
    if [[ $line =~ $placeholder_re ]]; then echo "placeholder"; return; fi
    if [ $network -eq 0 ] && [[ $line =~ $network_re ]]; then echo "network (--network runs it)"; return; fi
    if [[ $line =~ $slurm_re && ! $line =~ --dry-run ]]; then
        echo "cluster (needs sbatch; bench/cluster/slurm-local.sh runs a cluster)"; return
    fi
    if [ $long -eq 0 ]; then
        for re in "${long_res[@]}"; do
            if [[ $line =~ $re ]]; then echo "long (--long runs it)"; return; fi
        done
        if [[ $line =~ $iwae_preset_re ]]; then echo "long (--long runs it)"; return; fi
    fi
    # The subcommand: the first word after vae-tui that is not an option.
    read -r -a words <<< "$(runnable "$line")"
    for w in "${words[@]:1}"; do
        case $w in -*) ;; *) sub=$w; break ;; esac
    done
    local screen=0
    case $sub in
        "") [[ $line =~ $help_re ]] || screen=1 ;;
        run|demo) [[ $line =~ --help ]] || screen=1 ;;
        show) [[ $line =~ --export || $line =~ --help ]] || screen=1 ;;
    esac
    if [ $screen -eq 1 ] && [ $terminal -eq 0 ]; then echo "terminal (--terminal runs it in tmux)"; return; fi
    echo ""
}

# A skipped line's outputs (what follows --run-dir, --checkpoint, --log): a later line of the same document
# that names one depends on the skipped line and is skipped too.
skipped_outputs=()
remember_outputs() {
    local words i
    read -r -a words <<< "$1"
    for ((i = 0; i + 1 < ${#words[@]}; i++)); do
        case ${words[i]} in --run-dir|--checkpoint|--log) skipped_outputs+=("${words[i + 1]}") ;; esac
    done
}
depends_on_skipped() {
    local out
    for out in "${skipped_outputs[@]+"${skipped_outputs[@]}"}"; do
        [[ $1 == *"$out"* ]] && { echo "$out"; return 0; }
    done
    return 1
}

# needs_terminal LINE: true for the screens.
needs_terminal() {
    local saved=$terminal reason
    terminal=0
    reason=$(why_skip "$1")
    terminal=$saved
    [[ $reason == terminal* ]]
}

commands=$(extract "${files[@]}")
if [ -z "$commands" ]; then echo "no commands found in: ${files[*]}"; exit 0; fi

# skip_reason LINE: why_skip, or the skipped line it depends on. Call in document order.
skip_reason() {
    local reason out
    reason=$(why_skip "$1")
    if [ -z "$reason" ] && out=$(depends_on_skipped "$1"); then reason="needs $out, from a skipped line"; fi
    if [ -n "$reason" ]; then remember_outputs "$1"; fi
    printf '%s' "$reason"
}

if [ $list -eq 1 ]; then
    previous=""
    while IFS=$'\t' read -r file line cmd; do
        if [ "$file" != "$previous" ]; then previous=$file; skipped_outputs=(); fi
        skip_reason "$cmd" >"${TMPDIR:-/tmp}/readme_commands.$$"
        reason=$(cat "${TMPDIR:-/tmp}/readme_commands.$$")
        printf '%s:%s\t%s%s\n' "${file#"$root"/}" "$line" "$cmd" "${reason:+    [skip: $reason]}"
    done <<< "$commands"
    rm -f "${TMPDIR:-/tmp}/readme_commands.$$"
    exit 0
fi

if [ -z "$binary" ]; then
    binary=$root/.build/release/vae-tui
    if [ $build -eq 1 ] || [ ! -x "$binary" ]; then
        echo "building the release binary (swift build -c release --product vae-tui) ..."
        (cd "$root" && swift build -c release --product vae-tui >/dev/null)
    fi
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[ -x "$binary" ] || { echo "no vae-tui at $binary" >&2; exit 1; }
if [ $terminal -eq 1 ] && ! command -v tmux >/dev/null; then echo "--terminal needs tmux" >&2; exit 1; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vae-tui-doc-commands.XXXXXX")
mkdir -p "$work/bin" "$work/home" "$work/logs"
ln -s "$binary" "$work/bin/vae-tui"
socket=$work/tmux.sock
cleanup() { [ $terminal -eq 1 ] && tmux -S "$socket" kill-server 2>/dev/null; true; }
trap cleanup EXIT
real_cache=${XDG_CACHE_HOME:-$HOME/.cache}
run_env=(env "HOME=$work/home" "XDG_CACHE_HOME=$real_cache" "PATH=$work/bin:$PATH")

# run_headless DIR LOG CMD: the exit status, 124 on timeout.
run_headless() {
    (cd "$1" && "${run_env[@]}" timeout --kill-after=5 "$budget" bash -c "$3" </dev/null >"$2" 2>&1) && return 0 || return $?
}

# run_screen DIR LOG CMD: in a private tmux; 0 when the screen was up after --settle seconds and quit on q with status 0.
run_screen() {
    local dir=$1 log=$2 cmd=$3 status=$work/status script=$work/screen.sh waited=0
    rm -f "$status"
    {
        printf 'cd %q || exit 1\n' "$dir"
        printf '%q ' "${run_env[@]}" bash -c "$cmd"
        printf '2>%q\n' "$log"
        printf 'echo $? > %q\n' "$status"
    } >"$script"
    tmux -S "$socket" new-session -d -x 120 -y 40 "bash $(printf '%q' "$script")"
    while [ $waited -lt "$settle" ] && [ ! -e "$status" ]; do sleep 1; waited=$((waited + 1)); done
    if [ -e "$status" ]; then
        echo "(ended before q was sent, status $(cat "$status"))" >>"$log"
        tmux -S "$socket" kill-server 2>/dev/null || true
        return 1
    fi
    tmux -S "$socket" capture-pane -p >>"$log" 2>/dev/null || true
    tmux -S "$socket" send-keys q
    waited=0
    while [ $waited -lt "$budget" ] && [ ! -e "$status" ]; do sleep 1; waited=$((waited + 1)); done
    tmux -S "$socket" kill-server 2>/dev/null || true
    if [ ! -e "$status" ]; then echo "(did not quit on q within ${budget} s)" >>"$log"; return 124; fi
    return "$(cat "$status")"
}

passed=0 failed=0 skipped=0 n=0 previous="" dir=""
while IFS=$'\t' read -r file line cmd; do
    n=$((n + 1))
    where="${file#"$root"/}:$line"
    if [ "$file" != "$previous" ]; then
        previous=$file
        skipped_outputs=()
        dir=$work/$(printf '%02d' "$n")-$(basename "$file" .md)
        mkdir -p "$dir"
    fi
    skip_reason "$cmd" >"$work/reason"
    reason=$(cat "$work/reason")
    if [ -n "$reason" ]; then
        skipped=$((skipped + 1))
        printf 'SKIP  %-28s %s  (%s)\n' "$where" "$cmd" "$reason"
        continue
    fi
    log=$work/logs/$(printf '%03d' "$n").log
    run=$(runnable "$cmd")
    start=$(date +%s%N)
    status=0
    if needs_terminal "$cmd"; then run_screen "$dir" "$log" "$run" || status=$?
    else run_headless "$dir" "$log" "$run" || status=$?; fi
    seconds=$(( ($(date +%s%N) - start) / 100000000 ))
    took="$((seconds / 10)).$((seconds % 10)) s"
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS  %-28s %s  (%s)\n' "$where" "$cmd" "$took"
    else
        failed=$((failed + 1))
        why="exit $status"; [ $status -eq 124 ] && why="out of time after ${budget} s"
        printf 'FAIL  %-28s %s  (%s, %s; log %s)\n' "$where" "$cmd" "$why" "$took" "$log"
        tail -n 5 "$log" | sed 's/^/        /'
    fi
done <<< "$commands"

echo
echo "passed $passed, failed $failed, skipped $skipped (of $n commands)"
if [ $failed -gt 0 ] || [ $keep -eq 1 ]; then
    echo "kept: $work"
else
    rm -rf "$work"
fi
[ $failed -eq 0 ]
