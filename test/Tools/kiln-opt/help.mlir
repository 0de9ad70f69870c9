// kiln-opt lists every Kiln pass and pipeline in its help.
// RUN: kiln-opt --help | FileCheck %s
// CHECK-DAG: --convert-kiln-to-linalg
// CHECK-DAG: --kiln-import-quant-types
// CHECK-DAG: --kiln-reference-pipeline
// CHECK-DAG: --kiln-test-tiling-interface
