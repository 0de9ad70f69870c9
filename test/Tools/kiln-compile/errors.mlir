// Bad input: a located diagnostic (or a clear message) and exit code 1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not kiln-compile %S/Inputs/malformed.mlir --emit=mlir 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: kiln-compile %S/Inputs/malformed.mlir --emit=mlir 2>/dev/null; test $? -eq 1
// RUN: not kiln-compile %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not kiln-compile %S/Inputs/scalar-arg.mlir --emit=mlir 2>&1 | FileCheck %s --check-prefix=SCALAR
// RUN: not kiln-compile %S/Inputs/no-entry.mlir --emit=mlir 2>&1 | FileCheck %s --check-prefix=NOENTRY
// RUN: not kiln-compile %S/Inputs/index-arg.mlir --emit=mlir 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not kiln-compile %S/Inputs/scalar-arg.mlir --emit=shared -o %t/nodir/x.so 2>&1 | FileCheck %s --check-prefix=SCALAR
// RUN: not kiln-compile %S/Inputs/ok.mlir --emit=shared -o %t/nodir/x.so 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: not kiln-compile %S/Inputs/ok.mlir --emit=llvm -o %t/nodir/x.ll 2>&1 | FileCheck %s --check-prefix=UNWRITABLE-LL

// MALFORMED: malformed.mlir:5:8: error: custom op 'kiln.matmull' is unknown
// MISSING: kiln-compile: error: cannot open input file '{{.*}}missing.mlir': No such file or directory
// SCALAR: scalar-arg.mlir:2:1: error: entry point 'f' argument 1 has type 'f32'; entry points take and return ranked tensors
// NOENTRY: error: no entry point: the input has no public func.func with a body
// INDEX: index-arg.mlir:2:1: error: entry point 'g' argument 0 has element type 'index', which the Kiln runtime has no dtype for
// UNWRITABLE: error: cannot write {{.*}}nodir/x.h: {{.*}}No such file or directory
// UNWRITABLE-LL: error: cannot write {{.*}}nodir/x.ll: {{.*}}No such file or directory
