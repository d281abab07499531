#!/usr/bin/env bash
# Writes the man page from the program's own help: help2man for the top level, plus a
# SUBCOMMANDS section with each subcommand's --help, so the page never drifts from the CLI.
#   make-man.sh SOCKSTEP_BINARY OUTPUT.1
set -euo pipefail
bin=$1
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
  echo "[SUBCOMMANDS]"
  "$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }' | while read -r sub; do
    echo ".SS sockstep $sub"
    echo ".nf"
    "$bin" "$sub" --help | sed -e 's/\\/\\\\/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
    echo ".fi"
  done
  cat <<'TEXT'
[EXIT STATUS]
0: everything held. 1: a check failed, or a runtime error. 2: bad input (usage, a
malformed lesson, with FILE:LINE:COL where there is one).
[ENVIRONMENT]
.TP
.B SOCKSTEP_LESSONS
A folder of lessons (*.toml and ORDER) to use instead of the installed ones.
.TP
.B XDG_CONFIG_HOME
The window keeps its settings in $XDG_CONFIG_HOME/sockstep/settings.json
(default ~/.config/sockstep/settings.json).
[FILES]
.TP
.I /usr/share/sockstep/lessons
The lessons, in the order lessons/ORDER gives, and the reference cards.
TEXT
} >"$include"
help2man --no-info --no-discard-stderr --section=1 \
  --name="learn Berkeley sockets by running them" \
  --include="$include" --output="$out" "$bin"
