// A marked op kiln-route-blocks cannot take is an error naming why.
// RUN: kiln-opt %s --split-input-file --verify-diagnostics \
// RUN:   --kiln-route-blocks
// RUN: not kiln-opt %s --split-input-file --kiln-route-blocks=top-k=0 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADOPT
// RUN: not kiln-opt %s --split-input-file --kiln-route-blocks=threshold=0 \
// RUN:   2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: kiln-route-blocks: block-size and top-k must be > 0 and threshold in (0, 1]

func.func @noncausal_dynamic(%q: tensor<1x1x?x8xf32>, %o: tensor<1x1x?x8xf32>)
    -> tensor<1x1x?x8xf32> {
  // expected-error @+1 {{kiln-route-blocks: cannot route this attention: non-causal (VMoBA) routing needs a static key length}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x?x8xf32>,
         tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>)
       outs(%o : tensor<1x1x?x8xf32>) {kiln.route_blocks}
       -> tensor<1x1x?x8xf32>
  return %r : tensor<1x1x?x8xf32>
}

// -----

func.func @window(%q: tensor<1x1x64x8xf32>, %o: tensor<1x1x64x8xf32>)
    -> tensor<1x1x64x8xf32> {
  // expected-error @+1 {{cannot route this attention: it has a sliding window}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x64x8xf32>,
         tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32>)
       outs(%o : tensor<1x1x64x8xf32>)
       {causal, window_left = 8, kiln.route_blocks}
       -> tensor<1x1x64x8xf32>
  return %r : tensor<1x1x64x8xf32>
}

// -----

func.func @masked(%q: tensor<1x1x64x8xf32>, %m: tensor<1x1x64x64xf32>,
                  %o: tensor<1x1x64x8xf32>) -> tensor<1x1x64x8xf32> {
  // expected-error @+1 {{cannot route this attention: it has an additive mask}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x64x8xf32>,
         tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32>)
       mask(%m : tensor<1x1x64x64xf32>)
       outs(%o : tensor<1x1x64x8xf32>) {causal, kiln.route_blocks}
       -> tensor<1x1x64x8xf32>
  return %r : tensor<1x1x64x8xf32>
}


