#!/bin/sh
# deps.sh - make sure the Debian packages clvsim needs are installed.
# As root: installs what is missing (apt-get update first). Otherwise:
# prints the exact apt-get line and fails. Usage: .ci/deps.sh [extra packages]
set -eu
pkgs="gcc g++ make pkg-config libgsl-dev libcmocka-dev libyaml-dev libjansson-dev libpcg-cpp-dev nettle-dev libxml2-dev gnuplot-nox man-db groff-base $*"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "clvsim: installing missing packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "clvsim: missing Debian packages. Install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
