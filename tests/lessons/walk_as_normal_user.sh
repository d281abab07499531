#!/bin/sh
# Walks every lesson as uid/gid 65534 (nobody), so the normal-user outcomes
# (EACCES below port 1024, EPERM for SOCK_RAW) are checked too. Needs root to
# switch users; anywhere else it says why it skips (exit 77 = skipped).
sockstep="$1"
if [ "$(id -u)" != "0" ]; then
  echo "SKIP: not root, so this run is the normal-user run already (see lessons_walk_all_check)"
  exit 77
fi
if ! command -v setpriv >/dev/null 2>&1; then
  echo "SKIP: setpriv is not installed (util-linux); cannot drop to a normal user"
  exit 77
fi
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$sockstep"; then
  echo "SKIP: user 65534 cannot run $sockstep (build directory not readable by others)"
  exit 77
fi
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$sockstep" walk --all --check
