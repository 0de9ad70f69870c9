//===- Windows.cpp - strides, pads and output sizes of windowed ONNX ops ---===//
#include "Windows.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

FailureOr<Window> mlir::kiln::onnx_import::readWindow(NodeImporter &n,
                                                      RankedTensorType in,
                                                      ArrayRef<int64_t> kernel,
                                                      bool allowCeil,
                                                      bool transposed) {
  int64_t sp = in.getRank() - 2;
  if (sp < 1 || sp > 3)
    return n.emitError() << "input " << in << " needs 1 to 3 spatial dims";
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  if (int64_t(kernel.size()) != sp)
    return n.error("kernel has " + Twine(kernel.size()) +
                   " spatial dims; the input has " + Twine(sp));
  bool given;
  FailureOr<SmallVector<int64_t>> ks = n.intsAttr("kernel_shape", &given);
  if (failed(ks))
    return failure();
  if (given && *ks != w.kernel)
    return n.error("kernel_shape does not match the filter");
  auto listOr = [&](StringRef name, int64_t dflt,
                    int64_t count) -> FailureOr<SmallVector<int64_t>> {
    bool present;
    FailureOr<SmallVector<int64_t>> v = n.intsAttr(name, &present);
    if (failed(v))
      return failure();
    if (!present)
      return SmallVector<int64_t>(count, dflt);
    if (int64_t(v->size()) != count)
      return n.error("attribute '" + name + "' has " + Twine(v->size()) +
                     " entries; " + Twine(count) + " expected");
    return v;
  };
  FailureOr<SmallVector<int64_t>> strides = listOr("strides", 1, sp);
  FailureOr<SmallVector<int64_t>> dil = listOr("dilations", 1, sp);
  FailureOr<SmallVector<int64_t>> pads = listOr("pads", 0, 2 * sp);
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", "NOTSET");
  FailureOr<int64_t> ceil = n.intAttr("ceil_mode", 0);
  if (failed(strides) || failed(dil) || failed(pads) || failed(autoPad) ||
      failed(ceil))
    return failure();
  if (*ceil && !allowCeil)
    return n.error("ceil_mode is not supported here");
  w.strides = *strides;
  w.dilations = *dil;
  for (int64_t d = 0; d < sp; ++d) {
    int64_t size = in.getDimSize(d + 2), k = kernel[d], s = (*strides)[d],
            dl = (*dil)[d];
    if (ShapedType::isDynamic(size))
      return n.error("spatial dim " + Twine(d) + " is dynamic");
    if (k <= 0 || s <= 0 || dl <= 0 || k > kMaxDim || s > kMaxDim ||
        dl > kMaxDim)
      return n.error("kernel, strides and dilations must be positive");
    // k and dl are at most 2^40: their product needs 128 bits.
    __int128 wideSpan = __int128(dl) * (k - 1) + 1;
    if (wideSpan > kMaxDim)
      return n.error("the dilated kernel of spatial dim " + Twine(d) +
                     " spans " + Twine(dl) + " * (" + Twine(k) +
                     " - 1) + 1 elements, more than 2^40");
    int64_t span = int64_t(wideSpan);
    int64_t lo = (*pads)[d], hi = (*pads)[d + sp];
    if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
      int64_t out = (size + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + span - size);
      lo = *autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      hi = total - lo;
    } else if (*autoPad == "VALID") {
      lo = hi = 0;
    } else if (*autoPad != "NOTSET") {
      return n.error("auto_pad '" + *autoPad + "' is not supported");
    }
    if (lo < 0 || hi < 0 || lo > kMaxDim || hi > kMaxDim)
      return n.error("pads must be in [0, 2^40]");
    w.padLow.push_back(lo);
    w.padHigh.push_back(hi);
    if (transposed)
      continue;
    int64_t room = size + lo + hi - span;
    if (room < 0)
      return n.error("the window (" + Twine(span) + ") is larger than the "
                     "padded input (" + Twine(size + lo + hi) + ")");
    int64_t out = (*ceil ? (room + s - 1) / s : room / s) + 1;
    if (*ceil && (out - 1) * s >= size + lo)
      --out; // the last window must start inside the input or low pad
    w.out.push_back(out);
    w.ceilExtra.push_back(
        std::max<int64_t>(0, (out - 1) * s + span - (size + lo + hi)));
  }
  return w;
}
