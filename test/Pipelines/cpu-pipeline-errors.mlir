// An unknown --mcpu is a located error (on the module), not a crash, for the
// pipeline and for each pass resolving the target; so are bad tile sizes.
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-cpu-pipeline=mcpu=pentium-9000
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-cpu-tile-and-vectorize=mcpu=pentium-9000
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-cpu-lower-vectors=mcpu=pentium-9000
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-cpu-attach-target=mcpu=pentium-9000
// RUN: not kiln-opt %s --kiln-cpu-pipeline=mcpu=pentium-9000 2>&1 \
// RUN:   | FileCheck %s
// RUN: not kiln-opt %s --kiln-cpu-tile-and-vectorize="mcpu=x86-64-v3 tiles=8,0,4" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=TILES
// RUN: not kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 attention-tiles=4" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ATT
// RUN: not kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 attention-tiles=64,-8" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ATT
// ATT: error: kiln-tile: tile sizes must be >= 0 (q-tile, kv-tile; the pipeline's attention-tiles takes two: queries,keys)

// CHECK: cpu-pipeline-errors.mlir:[[@LINE+2]]:1: error: unknown --mcpu 'pentium-9000' (expected native or an x86-64 CPU name
// expected-error @+1 {{unknown --mcpu 'pentium-9000'}}
module {
  func.func @f(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
    return %a : tensor<4x4xf32>
  }
}
// TILES: error: 'tiles' must be three positive sizes Mc,Nc,Kc
