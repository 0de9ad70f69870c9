//===- Tensors.cpp - ONNX element types and TensorProto contents -----------===//
//
// Every size in a TensorProto is checked against its dims before a byte is
// read: a file cannot make the importer read past its data or allocate an
// impossible tensor. Large float tensors become dense_resource blobs (the
// artifact's read-only data, not giant IR constants).
//
//===----------------------------------------------------------------------===//
#include "GraphImporter.h"
#include "IRHelpers.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

FailureOr<Type> GraphImporter::elementType(int32_t dataType, Location loc,
                                           const Twine &what) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::FLOAT16: return b.getF16Type();
  case onnx::TensorProto::BFLOAT16: return b.getBF16Type();
  case onnx::TensorProto::INT64: return b.getI64Type();
  case onnx::TensorProto::INT32: return b.getI32Type();
  case onnx::TensorProto::INT8: return b.getI8Type();
  case onnx::TensorProto::UINT8: return b.getIntegerType(8, false);
  case onnx::TensorProto::BOOL: return b.getI1Type();
  default: break;
  }
  std::string name = onnx::TensorProto::DataType_IsValid(dataType)
                         ? onnx::TensorProto::DataType_Name(
                               onnx::TensorProto::DataType(dataType))
                         : "unknown (" + std::to_string(dataType) + ")";
  return emitError(loc) << what << " has element type " << name
                        << ", which Kiln does not support (float, float16, "
                           "bfloat16, int64, int32, int8, uint8, bool)";
}

namespace {
/// Bytes per element of the stored form of each supported type.
int64_t byteWidth(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32: return 4;
  case onnx::TensorProto::INT64: return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: return 2;
  default: return 1;
  }
}

/// The typed field of a TensorProto that holds `dataType`, as int64.
std::optional<std::vector<int64_t>> typedInts(const onnx::TensorProto &t) {
  if (t.data_type() == onnx::TensorProto::INT64)
    return std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end());
  return std::vector<int64_t>(t.int32_data().begin(), t.int32_data().end());
}
} // namespace

FailureOr<OnnxValue> GraphImporter::readTensor(const onnx::TensorProto &t,
                                               Location loc,
                                               const Twine &what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << what << " uses external data, which Kiln does "
                                     "not read (save the model with its "
                                     "weights inside)";
  FailureOr<Type> elt = elementType(t.data_type(), loc, what);
  if (failed(elt))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxDim)
      return emitError(loc) << what << " has dim " << d
                            << " (dims must be in [0, 2^40])";
    shape.push_back(d);
  }
  std::optional<int64_t> count = elementCount(shape);
  if (!count)
    return emitError(loc) << what << " has more than 2^40 elements";
  bool u8 = t.data_type() == onnx::TensorProto::UINT8;
  Type stored = u8 ? Type(IntegerType::get(context, 8)) : *elt;
  auto type = RankedTensorType::get(shape, stored);
  int64_t width = byteWidth(t.data_type());
  OnnxValue result;
  result.type = type;
  result.shiftedU8 = u8;

  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    if (int64_t(raw.size()) != *count * width)
      return emitError(loc) << what << " has " << raw.size()
                            << " bytes of raw data; its dims need "
                            << *count * width;
    bool isFloat = isa<FloatType>(stored);
    if (isFloat && int64_t(raw.size()) > options.inlineConstantBytes) {
      // A blob, shared with the artifact's data section.
      auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(raw.data(), raw.size()), alignof(double));
      std::string key = "onnx_w" + std::to_string(resourceCount++);
      result.constant =
          DenseResourceElementsAttr::get(type, key, std::move(blob));
      return result;
    }
    if (isFloat) {
      result.constant = DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(raw.data(), raw.size()));
      return result;
    }
    std::vector<int64_t> ints(static_cast<size_t>(*count));
    for (int64_t i = 0; i < *count; ++i) {
      const char *p = raw.data() + i * width;
      switch (t.data_type()) {
      case onnx::TensorProto::INT64: { int64_t x; std::memcpy(&x, p, 8); ints[i] = x; break; }
      case onnx::TensorProto::INT32: { int32_t x; std::memcpy(&x, p, 4); ints[i] = x; break; }
      case onnx::TensorProto::INT8: ints[i] = int8_t(*p); break;
      case onnx::TensorProto::UINT8: ints[i] = int64_t(uint8_t(*p)) - 128; break;
      default: ints[i] = *p != 0; break; // BOOL
      }
    }
    result.constant = makeElements(type, ints);
    return result;
  }

  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (t.float_data_size() != *count)
      return emitError(loc) << what << " has " << t.float_data_size()
                            << " float values; its dims need " << *count;
    std::vector<double> values(t.float_data().begin(), t.float_data().end());
    result.constant = makeElements(type, values);
    return result;
  }
  std::optional<std::vector<int64_t>> ints = typedInts(t);
  if (int64_t(ints->size()) != *count)
    return emitError(loc) << what << " has " << ints->size()
                          << " values; its dims need " << *count;
  if (t.data_type() == onnx::TensorProto::FLOAT16 ||
      t.data_type() == onnx::TensorProto::BFLOAT16) {
    // int32_data holds the 16-bit patterns.
    std::vector<uint16_t> bits;
    for (int64_t x : *ints)
      bits.push_back(uint16_t(x));
    result.constant = DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(reinterpret_cast<const char *>(bits.data()),
                             bits.size() * 2));
    return result;
  }
  if (u8)
    for (int64_t &x : *ints)
      x = int64_t(uint8_t(x)) - 128;
  result.constant = makeElements(type, *ints);
  return result;
}
