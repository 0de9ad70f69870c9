// kiln-compile --remarks prints Kiln's remarks on stderr; --remarks-yaml
// writes them in YAML form. Slow paths (an element-wise tanh left to scalar
// loops; opt level 0 as a whole) and nothing when no flag is given.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --remarks --remarks-yaml=%t/r.yaml -o %t/k.so 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=YAML < %t/r.yaml
// RUN: kiln-compile %s -O0 --remarks -o %t/k0.so 2>&1 | FileCheck %s --check-prefix=O0
// RUN: kiln-compile %s -o %t/quiet.so 2>&1 | count 0

// CHECK: remark: [Missed] scalar-loops | Category:kiln-slow-path:kiln-cpu-remark-slow-paths | Function=act | Reason="linalg.generic runs as scalar loops: the row vectorizer does not take it: its body has math.tanh
// YAML: --- !Missed
// YAML: Pass: {{.*}}kiln-slow-path:kiln-cpu-remark-slow-paths
// YAML: Name: {{ *}}scalar-loops
// YAML: Function: {{ *}}act
// O0: remark: [Missed] reference | Category:kiln-slow-path:kiln-cpu-remark-slow-paths | Function=act | Reason="opt level 0: the reference lowering

func.func @act(%x: tensor<64x33xf32>) -> tensor<64x33xf32> {
  %t = math.tanh %x : tensor<64x33xf32>
  return %t : tensor<64x33xf32>
}
