#!/usr/bin/env bash
# Installs the Debian 12 packages Tandem needs, only those missing; runs apt-get update once, and
# only when something is missing. --test adds what the test suite needs. Idempotent.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config
	libsofia-sip-ua-dev libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libsrtp2-dev
	liburing-dev libsqlite3-dev libpq-dev liblua5.4-dev libxml2-dev libinih-dev libssl-dev
	sqlite3 libpcre2-dev libjemalloc-dev libsystemd-dev
	libmicrohttpd-dev libbpf-dev clang)
# libbpf-dev and clang (build): mediad's kernel fast path (without them mediad is built without
# it). bpftool and ethtool: the fast-path tests read the kernel's map and turn checksum offload off.
# clang and libclang-rt: the fuzzers (tests/fuzz); dpkg-dev (dpkg-shlibdeps) and strace: the
# package tests (tests/package); prometheus: promtool checks the /metrics output.
TEST_PKGS=(libcmocka-dev sip-tester clang-format procps iproute2 python3 jq baresip-core sox
	linphone-cli clang libclang-rt-14-dev dpkg-dev strace file prometheus bpftool ethtool)

want=("${BUILD_PKGS[@]}")
for arg in "$@"; do
	case "$arg" in
	--test) want+=("${TEST_PKGS[@]}") ;;
	*) echo "usage: $0 [--test]" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
