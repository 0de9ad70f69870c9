#!/usr/bin/env bash
# Kiln's main job, for now: every example in examples/ goes through kiln-opt's
# reference lowering (convert-kiln-to-linalg), is compiled to LLVM by the
# reference pipeline and run with mlir-runner, which prints its results.
set -euo pipefail
BUILD=${1:-build}
LLVM=${LLVM:-/usr/lib/llvm-22}
OPT="$BUILD/bin/kiln-opt"
OUT="$BUILD/demo"
mkdir -p "$OUT"
for ex in examples/*.mlir; do
  name=$(basename "$ex" .mlir)
  echo "=== $name: $(sed -n 's|^// Demo: ||p' "$ex")"
  "$OPT" "$ex" --convert-kiln-to-linalg -o "$OUT/$name.linalg.mlir"
  echo "reference lowering: $OUT/$name.linalg.mlir" \
       "($(grep -c 'linalg\.' "$OUT/$name.linalg.mlir") linalg ops," \
       "$(grep -c 'kiln\.' "$OUT/$name.linalg.mlir" || true) kiln ops left)"
  "$OPT" "$ex" --kiln-reference-pipeline |
    "$LLVM/bin/mlir-runner" -e main -entry-point-result=void \
      -shared-libs="$LLVM/lib/libmlir_runner_utils.so" \
      -shared-libs="$LLVM/lib/libmlir_c_runner_utils.so"
done
