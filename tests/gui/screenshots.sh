#!/bin/sh
# A screenshot after every step of the echo lesson, in English and in Chinese: each is
# written, has the window's size, and is not blank (its pixels vary).
set -u
APP=$1
DIR=$2
rm -rf "$DIR" && mkdir -p "$DIR"
export XDG_CONFIG_HOME="$DIR/config"

variance_ok() {
  # Standard deviation of the grey levels, 0..1: a blank or single-colour frame is ~0.
  sd=$(convert "$1" -colorspace Gray -format '%[fx:standard_deviation]' info:) || return 1
  awk -v sd="$sd" 'BEGIN { exit !(sd > 0.05) }'
}

taken=0
for lang in en zh; do
  n=0
  while :; do
    png="$DIR/echo-tcp-$lang-$n.png"
    "$APP" gui echo-tcp --lang "$lang" --steps "$n" --screenshot "$png" 2>"$DIR/err"
    rc=$?
    if [ "$rc" -eq 2 ]; then
      # Past the last step: the app refuses with a one-line message.
      grep -q -- "--steps" "$DIR/err" || { cat "$DIR/err"; exit 1; }
      break
    fi
    [ "$rc" -eq 0 ] || { echo "step $n ($lang): exit $rc"; cat "$DIR/err"; exit 1; }
    [ -s "$png" ] || { echo "step $n ($lang): no PNG written"; exit 1; }
    size=$(identify -format '%wx%h' "$png")
    [ "$size" = "1280x720" ] || { echo "step $n ($lang): size $size"; exit 1; }
    variance_ok "$png" || { echo "step $n ($lang): the screenshot is blank"; exit 1; }
    n=$((n + 1))
    taken=$((taken + 1))
  done
  [ "$n" -ge 10 ] || { echo "only $n steps in echo-tcp ($lang)?"; exit 1; }
done

# Consecutive steps must look different: the panels follow the kernel.
cmp -s "$DIR/echo-tcp-en-1.png" "$DIR/echo-tcp-en-2.png" && { echo "steps 1 and 2 look the same"; exit 1; }
echo "ok: $taken screenshots in $DIR"
