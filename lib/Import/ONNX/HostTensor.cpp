//===- HostTensor.cpp - import-time evaluation of small tensors ------------===//
#include "HostTensor.h"
#include "IRHelpers.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

bool HostTensor::hasUnknown() const {
  return llvm::any_of(data, [](double x) { return x == double(kUnknownDim); });
}

std::pair<int64_t, int64_t> HostTensor::aroundAxis(int64_t axis) const {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < rank(); ++d)
    inner *= shape[d];
  return {outer, inner};
}

SmallVector<int64_t> HostTensor::strides() const {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

std::optional<HostTensor> mlir::kiln::onnx_import::toHost(const OnnxValue &v,
                                                          int64_t limit) {
  HostTensor t;
  t.shape.assign(v.type.getShape().begin(), v.type.getShape().end());
  t.elementType = v.type.getElementType();
  if (v.constant) {
    if (v.constant.getNumElements() > limit || v.shiftedU8)
      return std::nullopt;
    t.data = readDoubles(v.constant);
    return t;
  }
  if (v.partial) {
    for (int64_t x : *v.partial)
      t.data.push_back(double(x));
    return t;
  }
  return std::nullopt;
}

void mlir::kiln::onnx_import::setHostOutput(NodeImporter &n, int i,
                                            const HostTensor &t) {
  auto type = RankedTensorType::get(t.shape, t.elementType);
  if (!t.hasUnknown()) {
    n.setConstantOutput(i, makeElements(type, ArrayRef<double>(t.data)));
    return;
  }
  OnnxValue v;
  v.type = type;
  v.partial.emplace();
  for (double x : t.data)
    v.partial->push_back(int64_t(x));
  n.setOutput(i, std::move(v));
}

HostTensor mlir::kiln::onnx_import::hostReshape(const HostTensor &t,
                                                ArrayRef<int64_t> shape) {
  HostTensor r = t;
  r.shape.assign(shape.begin(), shape.end());
  return r;
}

HostTensor mlir::kiln::onnx_import::hostTranspose(const HostTensor &t,
                                                  ArrayRef<int64_t> perm) {
  HostTensor r;
  r.elementType = t.elementType;
  for (int64_t p : perm)
    r.shape.push_back(t.shape[p]);
  SmallVector<int64_t> in = t.strides(), out = r.strides();
  r.data.resize(t.data.size());
  for (size_t flat = 0; flat < r.data.size(); ++flat) {
    int64_t src = 0, rest = flat;
    for (size_t d = 0; d < perm.size(); ++d) {
      src += (rest / out[d]) * in[perm[d]];
      rest %= out[d];
    }
    r.data[flat] = t.data[src];
  }
  return r;
}

HostTensor mlir::kiln::onnx_import::hostSlice(const HostTensor &t,
                                              int64_t axis, int64_t start,
                                              int64_t count, int64_t step) {
  HostTensor r = t;
  r.shape[axis] = count;
  r.data.clear();
  auto [outer, inner] = t.aroundAxis(axis);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k)
      for (int64_t i = 0; i < inner; ++i)
        r.data.push_back(
            t.data[(o * t.shape[axis] + start + k * step) * inner + i]);
  return r;
}

HostTensor mlir::kiln::onnx_import::hostConcat(ArrayRef<HostTensor> parts,
                                               int64_t axis) {
  HostTensor r;
  r.elementType = parts[0].elementType;
  r.shape = parts[0].shape;
  r.shape[axis] = 0;
  for (const HostTensor &p : parts)
    r.shape[axis] += p.shape[axis];
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= r.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor &p : parts) {
      int64_t chunk = p.data.size() / std::max<int64_t>(outer, 1);
      r.data.insert(r.data.end(), p.data.begin() + o * chunk,
                    p.data.begin() + (o + 1) * chunk);
    }
  return r;
}

HostTensor mlir::kiln::onnx_import::hostGather(const HostTensor &t,
                                               int64_t axis,
                                               const HostTensor &indices) {
  HostTensor r;
  r.elementType = t.elementType;
  r.shape.assign(t.shape.begin(), t.shape.begin() + axis);
  r.shape.append(indices.shape.begin(), indices.shape.end());
  r.shape.append(t.shape.begin() + axis + 1, t.shape.end());
  auto [outer, inner] = t.aroundAxis(axis);
  for (int64_t o = 0; o < outer; ++o)
    for (double idx : indices.data)
      for (int64_t i = 0; i < inner; ++i)
        r.data.push_back(
            t.data[(o * t.shape[axis] + int64_t(idx)) * inner + i]);
  return r;
}
