//===- Windows.h - strides, pads and output sizes of windowed ONNX ops -----===//
//
// Internal to lib/Import/ONNX: Conv, ConvInteger, QLinearConv, MaxPool and
// AveragePool share auto_pad / pads / strides / dilations / ceil_mode.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_WINDOWS_H
#define KILN_LIB_IMPORT_ONNX_WINDOWS_H

#include "NodeImporter.h"

namespace mlir::kiln::onnx_import {

struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padLow, padHigh, out;
  /// Extra high padding a ceil_mode window reads past pads (pools only).
  SmallVector<int64_t> ceilExtra;
};

/// Reads the window attributes of `n` for an NC... input of `inType` and a
/// kernel of `kernel` spatial sizes (spatial dims must be static).
/// `transposed` (ConvTranspose) reads the attributes only: no output size.
FailureOr<Window> readWindow(NodeImporter &n, RankedTensorType inType,
                             ArrayRef<int64_t> kernel, bool allowCeil,
                             bool transposed = false);

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_WINDOWS_H
