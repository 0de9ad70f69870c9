// --mcpu decides the ISA an artifact records; -O levels; unknown names fail.
// RUN: kiln-compile %s --emit=mlir --mcpu=x86-64-v3 | FileCheck %s --check-prefix=V3
// RUN: kiln-compile %s --emit=mlir --mcpu=sapphirerapids | FileCheck %s --check-prefix=SPR
// RUN: kiln-compile %s --emit=asm --mcpu=x86-64-v3 -O0 -o - | FileCheck %s --check-prefix=ASM
// RUN: kiln-compile %s --emit=mlir --test-required-isa=avx512_fake | FileCheck %s --check-prefix=FAKE
// RUN: not kiln-compile %s --emit=mlir --mcpu=pentium9 2>&1 | FileCheck %s --check-prefix=BADCPU
// RUN: not kiln-compile %s --emit=mlir --target=gpu 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not kiln-compile %s --emit=exe 2>&1 | FileCheck %s --check-prefix=BADEMIT
// RUN: not kiln-compile %s --emit=mlir -O7 2>&1 | FileCheck %s --check-prefix=BADO

// V3: isa {{[a-z0-9_,]*}}avx2{{[a-z0-9_,]*}}\0A
// V3-NOT: avx512
// SPR: isa {{.*}}avx512f{{.*}}amx_tile
// ASM: _mlir_ciface_id:
// FAKE: isa avx512_fake\0A
// BADCPU: kiln-compile: error: unknown --mcpu 'pentium9'
// BADTARGET: kiln-compile: error: unknown --target 'gpu' (expected cpu)
// BADEMIT: kiln-compile: error: unknown --emit 'exe'
// BADO: kiln-compile: error: -O7 is not one of -O0..-O3

func.func @id(%a: tensor<2xf32>) -> tensor<2xf32> {
  %r = arith.negf %a : tensor<2xf32>
  return %r : tensor<2xf32>
}
