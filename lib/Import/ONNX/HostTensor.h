//===- HostTensor.h - import-time evaluation of small tensors --------------===//
//
// Internal to lib/Import/ONNX. Shape subgraphs (Shape -> Gather -> Unsqueeze
// -> Concat -> Reshape, as exporters write them) and constant index
// arithmetic are evaluated while importing. A HostTensor holds the values of
// a small constant, or of a shape whose dynamic entries are unknown
// (kUnknownDim), which is how a dynamic batch dim flows into a Reshape.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_HOSTTENSOR_H
#define KILN_LIB_IMPORT_ONNX_HOSTTENSOR_H

#include "NodeImporter.h"

namespace mlir::kiln::onnx_import {

struct HostTensor {
  SmallVector<int64_t> shape;
  std::vector<double> data; // row-major; kUnknownDim entries are unknown
  Type elementType;

  int64_t rank() const { return shape.size(); }
  bool hasUnknown() const;
  /// Elements before and after `axis` (outer and inner extents).
  std::pair<int64_t, int64_t> aroundAxis(int64_t axis) const;
  /// Row-major strides of `shape`.
  SmallVector<int64_t> strides() const;
};

/// The host form of `v`: a constant of at most `limit` elements or a
/// partial shape; nothing otherwise.
std::optional<HostTensor> toHost(const OnnxValue &v, int64_t limit = 1 << 16);
/// Sets output `i` of `n` from a host tensor (a constant, or a partial shape
/// when some entries are unknown).
void setHostOutput(NodeImporter &n, int i, const HostTensor &t);

HostTensor hostReshape(const HostTensor &t, ArrayRef<int64_t> shape);
HostTensor hostTranspose(const HostTensor &t, ArrayRef<int64_t> perm);
/// Elements [start, start + count * step) along `axis` (step may be < 0).
HostTensor hostSlice(const HostTensor &t, int64_t axis, int64_t start,
                     int64_t count, int64_t step);
HostTensor hostConcat(ArrayRef<HostTensor> parts, int64_t axis);
/// `indices` already normalized to [0, dim).
HostTensor hostGather(const HostTensor &t, int64_t axis,
                      const HostTensor &indices);

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_HOSTTENSOR_H
