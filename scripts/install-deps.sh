#!/usr/bin/env bash
# Installs what Kiln needs from Debian's archive, only where missing, so it is
# quick and idempotent when everything is present. Run as root (or via sudo).
set -euo pipefail
# Usage: scripts/install-deps.sh [bench]; `bench` installs the benchmarks'
# baselines and plotting (make bench) instead of the default group.
# libopenblas-dev is in the default group because make demo compares with
# PyTorch, whose matmuls go through the system libblas.so.3 (OpenBLAS once
# installed, a slow reference BLAS otherwise).
PKGS=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
      cmake ninja-build g++ libgtest-dev python3 python3-numpy
      libonnx-dev libprotobuf-dev protobuf-compiler
      pybind11-dev python3-dev python3-onnx python3-torch python3-torchvision
      python3-pytest libopenblas-dev)
case "${1:-}" in
  "") ;;
  bench) PKGS=(libdnnl-dev libopenblas-dev python3-matplotlib) ;;
  *) echo "usage: $0 [bench]" >&2; exit 2 ;;
esac
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
