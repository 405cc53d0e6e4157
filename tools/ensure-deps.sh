#!/bin/sh
# Installs the build and test packages (make deps) when any is missing, so
# the README's two commands work on a fresh Debian or Ubuntu machine.
missing=
pkg-config --exists ncursesw libnl-3.0 libnl-route-3.0 libproc2 libseccomp libmicrohttpd libzstd libcrypt gnutls libsystemd 2>/dev/null || missing="$missing libraries"
for c in cc make pkg-config jq mandoc lsns unshare setpriv python3 tmux iconv qemu-system-x86_64 cpio busybox strace curl openssl; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
[ -x /usr/sbin/depmod ] || [ -x /sbin/depmod ] || missing="$missing depmod"
[ -z "$missing" ] && exit 0
echo "nstop: missing:$missing; installing the packages (make deps)" >&2
if [ "$(id -u)" = 0 ]; then
	exec make deps
elif command -v sudo >/dev/null 2>&1; then
	exec sudo make deps
fi
echo "nstop: run 'make deps' as root first" >&2
exit 1
