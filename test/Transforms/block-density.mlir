// kiln-test-block-density needs constant query and key (the numbers are
// checked against numpy in Integration/CPU/reference/pbs-density.py).
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-test-block-density="block-size=2 segment-size=4"

func.func @splat() -> tensor<1x1x8x2xf32> {
  %q = arith.constant dense<1.0> : tensor<1x1x8x2xf32>
  %o = tensor.empty() : tensor<1x1x8x2xf32>
  // Equal scores everywhere: ties keep the order, so the permutation is the
  // identity, and the threshold selection is the same before and after
  // except for the whole diagonal segment forced after permutation.
  // expected-remark @+1 {{block density: unpermuted 10/10 = 1.0000, permuted 12/10 = 1.2000}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x8x2xf32>,
         tensor<1x1x8x2xf32>, tensor<1x1x8x2xf32>)
       outs(%o : tensor<1x1x8x2xf32>) {causal, kiln.pbs}
       -> tensor<1x1x8x2xf32>
  return %r : tensor<1x1x8x2xf32>
}

// -----

func.func @not_constant(%q: tensor<1x1x8x2xf32>) -> tensor<1x1x8x2xf32> {
  %o = tensor.empty() : tensor<1x1x8x2xf32>
  // expected-error @+1 {{kiln-test-block-density: query and key must be static f32 constants}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x8x2xf32>,
         tensor<1x1x8x2xf32>, tensor<1x1x8x2xf32>)
       outs(%o : tensor<1x1x8x2xf32>) {causal, kiln.pbs}
       -> tensor<1x1x8x2xf32>
  return %r : tensor<1x1x8x2xf32>
}
