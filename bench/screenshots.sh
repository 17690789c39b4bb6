#!/bin/sh
# Remakes assets/screenshots/: the real screens, saved by the program itself with S (SVG and text),
# driven in a private tmux at 120x40. Release build; MNIST from $VAE_TUI_DATA, else from
# ${XDG_CACHE_HOME:-~/.cache}/vae-tui/mnist (where `vae-tui data fetch mnist` puts it).
# Usage: sh bench/screenshots.sh [NAME...]     (all of them: about four minutes; or only the NAMEs given)
# VAE_TUI_BIN=PATH uses that binary instead of building one.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
data=${VAE_TUI_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/vae-tui/mnist}
out=$root/assets/screenshots
bin=${VAE_TUI_BIN:-}
if [ -z "$bin" ]; then
    swift build -c release >/dev/null
    bin=$root/.build/release/vae-tui
fi
work=$(mktemp -d)
socket=$work/tmux.sock
trap 'tmux -S "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$out"
only="$*"

# shot NAME SECONDS KEYS COMMAND: runs COMMAND in $work, waits, sends KEYS (space-separated tmux keys),
# saves the screen with S and keeps the picture as NAME.svg and NAME.txt.
shot() {
    name=$1 wait=$2 keys=$3
    shift 3
    if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then return; fi
    rm -rf "$work/shots" && mkdir -p "$work/shots"
    tmux -S "$socket" new-session -d -x 120 -y 40 -c "$work" "env -u OPENBLAS_CORETYPE $*; sleep 5"
    sleep "$wait"
    for key in $keys; do tmux -S "$socket" send-keys "$key"; sleep 1; done
    [ -z "$keys" ] || sleep 2   # what a key asked for (the gap panel's first figures) has time to come
    tmux -S "$socket" send-keys S
    sleep 2
    tmux -S "$socket" send-keys q
    sleep 2
    tmux -S "$socket" kill-server 2>/dev/null || true
    picture=$(ls -t "$work"/shots/screen-*.svg "$work"/run/screen-*.svg 2>/dev/null | head -1)
    cp "$picture" "$out/$name.svg"
    cp "${picture%.svg}.txt" "$out/$name.txt"
    rm -rf "$work/run"
    echo "$out/$name.svg"
}

# The dashboard on MNIST after 45 seconds, and a MADE decoder collapsing after 75 (as docs/dashboard.md and docs/collapse-lab.md say).
shot dashboard 45 "" "$bin" run --data "$data" --run-dir "$work/run"
shot collapse 75 "" "$bin" run --data "$data" --decoder made --lr 1e-2 --run-dir "$work/run"
# The gap panel (G) after 45 seconds of the same training as the dashboard's.
shot gaps 45 "G" "$bin" run --data "$data" --run-dir "$work/run"
# The rate-distortion plane (p) of the dashboard's training after 45 seconds.
shot plane 45 "p" "$bin" run --data "$data" --run-dir "$work/run"
# A two-unit latent's page (Tab) after 45 seconds: the decoder's manifold, q(z|x) over it, the cursor's image.
shot manifold 45 "Tab" "$bin" run --data "$data" --latent 2 --run-dir "$work/run"
# The demos, their screenshots into ./screenshots (here $work/shots).
cd "$work" && ln -sfn shots screenshots && cd "$root"
shot binpack 10 "e" "$bin" demo binpack --seed 1 --steps 3000
shot enumerate 3 "N N N" "$bin" demo enumerate --states 100
shot dequant 10 "" "$bin" demo dequant --dequantizer variational --steps 2000
# Two finished runs compared: β = 1 against β = 3, 10 epochs each.
if [ -n "$only" ] && ! echo " $only " | grep -q " show "; then exit 0; fi
for beta in 1 3; do
    env -u OPENBLAS_CORETYPE "$bin" train --data "$data" --epochs 10 --beta $beta --run-dir "$work/beta-$beta" >/dev/null 2>&1
done
shot show 3 "" "$bin" show "$work/beta-1" "$work/beta-3"
"$bin" show "$work/beta-1" "$work/beta-3" --export "$work/export" >/dev/null
cp "$work/export/curves-rate-kl.svg" "$out/show-rate.svg"
echo "$out/show-rate.svg"
