// The accessor's name is taken (the pass ran already, or the input defines
// it): an error, not a second definition.
// expected-error @+1 {{kiln-lower-run-time-checks ran twice (kiln_artifact_check_failures exists)}}
module {
  llvm.func @kiln_artifact_check_failures(%out: !llvm.ptr) -> i64 {
    %c = llvm.mlir.constant(0 : i64) : i64
    llvm.return %c : i64
  }
  func.func @check(%a: i1) {
    cf.assert %a, "index out of range"
    return
  }
}
