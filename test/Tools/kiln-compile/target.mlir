// --mcpu decides the ISA an artifact records; -O levels; unknown names fail.
// RUN: kiln-compile %s --emit=mlir --mcpu=x86-64-v3 | FileCheck %s --check-prefix=V3
// RUN: kiln-compile %s --emit=mlir --mcpu=sapphirerapids | FileCheck %s --check-prefix=SPR
// RUN: kiln-compile %s --emit=asm --mcpu=x86-64-v3 -O0 -o - | FileCheck %s --check-prefix=ASM
// The features LLVM may use are the ones recorded: x86-64-v3 code has no
// zmm register and its artifact records no AVX-512 feature; skylake-avx512's
// records exactly its AVX-512 subset, and nothing of Ice Lake's.
// RUN: kiln-compile %s --emit=asm --mcpu=x86-64-v3 -o - | FileCheck %s --check-prefix=V3ASM
// RUN: kiln-compile %s --emit=mlir --mcpu=skylake-avx512 | FileCheck %s --check-prefix=SKX
// RUN: kiln-compile %s --emit=llvm --mcpu=native -o - | FileCheck %s --check-prefix=NATIVEFEAT
// RUN: kiln-compile %s --emit=mlir --test-required-isa=avx512_fake | FileCheck %s --check-prefix=FAKE
// RUN: not kiln-compile %s --emit=mlir --mcpu=pentium9 2>&1 | FileCheck %s --check-prefix=BADCPU
// RUN: not kiln-compile %s --emit=mlir --target=gpu 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not kiln-compile %s --emit=exe 2>&1 | FileCheck %s --check-prefix=BADEMIT
// RUN: not kiln-compile %s --emit=mlir -O7 2>&1 | FileCheck %s --check-prefix=BADO

// V3: isa {{[a-z0-9_,]*}}avx2{{[a-z0-9_,]*}}\0A
// V3-NOT: avx512
// SPR: isa {{.*}}amx_tile{{.*}}avx512_fp16{{.*}}avx512f
// V3ASM-NOT: zmm
// V3ASM: .asciz "kiln-artifact 1\nisa abm,avx,avx2,bmi1,bmi2,cmov,cx16,cx8,f16c,fma,fpu,fxsr,lahf_lm,mmx,movbe,pni,popcnt,sse,sse2,sse4_1,sse4_2,ssse3,xsave\n
// V3ASM-NOT: zmm
// SKX: isa abm,avx,avx2,avx512bw,avx512cd,avx512dq,avx512f,avx512vl,bmi1,bmi2,cmov,cx16,cx8,f16c,fma,fpu,fxsr,lahf_lm,mmx,movbe,pni,popcnt,sse,sse2,sse4_1,sse4_2,ssse3,xsave\0A
// On the host, every feature LLVM knows outside Kiln's table is off (gfni
// and vaes, whether or not this CPU has them).
// NATIVEFEAT: "target-features"="{{.*}}-gfni,{{.*}}-vaes,{{.*}}"
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

// Wide enough that AVX-512 would use zmm registers where allowed.
func.func @scale(%a: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = arith.addf %a, %a : tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
