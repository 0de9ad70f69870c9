// A bf16 attention output whose row (Dv = 17) is not a multiple of the
// vector width: with avx512bf16, LLVM 22's loop vectorizer turned the scalar
// f32 -> bf16 store loop into a masked bf16 store, on which X86 instruction
// selection aborted. The bf16 conversions are now integer code (arith-expand
// with bf16), so Sapphire Rapids code compiles, on any host.
// RUN: kiln-compile %s --mcpu=sapphirerapids --emit=obj -o %t.o
// RUN: kiln-compile %s --mcpu=sapphirerapids --emit=asm -o - | FileCheck %s

// CHECK: _mlir_ciface_f:
func.func @f(%q: tensor<1x2x4x16xbf16>, %k: tensor<1x2x11x16xbf16>, %v: tensor<1x2x11x17xbf16>) -> tensor<1x2x4x17xbf16> {
  %oi = tensor.empty() : tensor<1x2x4x17xbf16>
  %r = kiln.attention ins(%q, %k, %v : tensor<1x2x4x16xbf16>, tensor<1x2x11x16xbf16>, tensor<1x2x11x17xbf16>) outs(%oi : tensor<1x2x4x17xbf16>) -> tensor<1x2x4x17xbf16>
  return %r : tensor<1x2x4x17xbf16>
}
