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
      python3-pytest libopenblas-dev python3-pip)
# From PyPI, pinned, into Debian's interpreter: ml_dtypes gives numpy its
# bfloat16, float8, float4 and int4 dtypes (the Python package's tensors of
# those types). --no-deps keeps Debian's numpy.
PIP_PKGS=(ml_dtypes==0.5.1)
case "${1:-}" in
  "") ;;
  bench) PKGS=(libdnnl-dev libopenblas-dev python3-matplotlib); PIP_PKGS=() ;;
  *) echo "usage: $0 [bench]" >&2; exit 2 ;;
esac
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for p in "${PIP_PKGS[@]}"; do
  name=${p%%==*} version=${p##*==}
  have=$(/usr/bin/python3 -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)
  [ "$have" = "$version" ] && continue
  echo "installing from PyPI: $p"
  $SUDO /usr/bin/python3 -m pip install -q --no-deps --break-system-packages "$p"
done
