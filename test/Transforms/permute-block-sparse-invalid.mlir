// Marked ops PBS cannot handle are errors that name why; bad options too.
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-permute-block-sparse
// RUN: not kiln-opt %s --kiln-permute-block-sparse="block-size=48 segment-size=64" \
// RUN:   2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not kiln-opt %s --kiln-permute-block-sparse="threshold=0" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: kiln-permute-block-sparse: block-size must be > 0, segment-size a positive multiple of it, and threshold in (0, 1]

func.func @noncausal(%q: tensor<1x1x512x8xf32>, %o: tensor<1x1x512x8xf32>)
    -> tensor<1x1x512x8xf32> {
  // expected-error @+1 {{kiln-permute-block-sparse: cannot permute this attention: it is not causal}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x512x8xf32>,
         tensor<1x1x512x8xf32>, tensor<1x1x512x8xf32>)
       outs(%o : tensor<1x1x512x8xf32>) {kiln.pbs} -> tensor<1x1x512x8xf32>
  return %r : tensor<1x1x512x8xf32>
}

// -----

func.func @dynamic(%q: tensor<1x1x?x8xf32>, %o: tensor<1x1x?x8xf32>)
    -> tensor<1x1x?x8xf32> {
  // expected-error @+1 {{cannot permute this attention: PBS needs static shapes}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x?x8xf32>,
         tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>)
       outs(%o : tensor<1x1x?x8xf32>) {causal, kiln.pbs} -> tensor<1x1x?x8xf32>
  return %r : tensor<1x1x?x8xf32>
}

// -----

func.func @positions(%q: tensor<1x1x512x8xf32>, %p: tensor<1x1x512xi32>,
                     %o: tensor<1x1x512x8xf32>) -> tensor<1x1x512x8xf32> {
  // expected-error @+1 {{cannot permute this attention: it has position operands}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x512x8xf32>,
         tensor<1x1x512x8xf32>, tensor<1x1x512x8xf32>)
       positions(%p, %p : tensor<1x1x512xi32>, tensor<1x1x512xi32>)
       outs(%o : tensor<1x1x512x8xf32>) {causal, kiln.pbs}
       -> tensor<1x1x512x8xf32>
  return %r : tensor<1x1x512x8xf32>
}
