#!/usr/bin/env bash
# Builds the .deb with cpack, checks what it holds and depends on, unpacks it with
# dpkg-deb -x into a temporary folder and runs the unpacked copy: it must find its own
# lessons (../share/sockstep/lessons), with SOCKSTEP_LESSONS unset.
#   deb_smoke.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset SOCKSTEP_LESSONS

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/*.deb)
echo "package: $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libfmt libtomlplusplus; do
  grep -q "$lib" <<<"$depends" || { echo "FAIL: Depends lacks $lib"; exit 1; }
done

dpkg-deb -c "$deb" >"$tmp/contents"
for path in ./usr/bin/sockstep ./usr/share/sockstep/lessons/ORDER ./usr/share/sockstep/lessons/echo-tcp.toml \
            ./usr/share/sockstep/lessons/reference/ ./usr/share/applications/sockstep.desktop \
            ./usr/share/icons/hicolor/128x128/apps/sockstep.png ./usr/share/man/man1/sockstep.1.gz; do
  grep -q " $path" "$tmp/contents" || { echo "FAIL: the package lacks $path"; exit 1; }
done

root="$tmp/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/sockstep"
"$bin" --version
# A lesson only the unpacked copy has proves the copy reads its own lessons folder.
sed 's/^id = "echo-tcp"/id = "packaged-echo"/' "$root/usr/share/sockstep/lessons/echo-tcp.toml" \
  >"$root/usr/share/sockstep/lessons/packaged-echo.toml"
"$bin" lessons | grep -q '^packaged-echo' || { echo "FAIL: the unpacked binary does not list its own lessons"; exit 1; }
"$bin" walk echo-tcp --check >"$tmp/walk.log" || { cat "$tmp/walk.log"; exit 1; }
"$bin" walk packaged-echo --check >/dev/null
zcat "$root/usr/share/man/man1/sockstep.1.gz" | grep -q '^\.SS sockstep walk' || { echo "FAIL: the man page lacks walk"; exit 1; }
echo "ok: the unpacked package walks echo-tcp with its own lessons"
