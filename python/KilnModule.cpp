//===- KilnModule.cpp - the kiln._kiln extension (pybind11) ---------------===//
//
// Two things, both thin: `compile_file` runs kiln-compile's driver on MLIR
// text or ONNX bytes and writes a shared artifact (diagnostics become the
// RuntimeError's message), and `Artifact` loads one through the C runtime
// and runs an entry on numpy arrays (dtypes and shapes are checked by the
// runtime against the artifact's signature). Arrays must already have the
// entry's dtype (kiln/__init__.py converts where a conversion is exact or
// rounds to nearest even); bf16, the small floats and i4 are ml_dtypes
// arrays.
//
//===----------------------------------------------------------------------===//
#include "kiln/Driver/Driver.h"
#include "kiln/Import/OnnxImporter.h"
#include "kiln/Runtime/kiln_runtime.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

namespace py = pybind11;
namespace drv = mlir::kiln::driver;

namespace {
/// Compiles `source` (MLIR text, or an ONNX ModelProto when `onnx`) into
/// the shared artifact `output`; throws RuntimeError with the diagnostics.
/// With `remarksYaml` non-empty, Kiln's remarks are also written there as
/// YAML; returns them as dicts (kind, category, pass, name, function,
/// location, message), empty unless `remarks`.
std::vector<py::dict> compileFile(py::bytes source, bool onnx,
                                  const std::string &name,
                                  const std::string &output,
                                  const std::string &mcpu, unsigned optLevel,
                                  bool graphFusion, bool remarks,
                                  const std::string &remarksYaml) {
  std::string bytes = source;
  mlir::DialectRegistry registry;
  drv::registerDriverDialects(registry);
  mlir::MLIRContext context(registry);
  std::string messages;
  llvm::raw_string_ostream os(messages);
  std::vector<drv::RemarkRecord> records;
  if (remarks) {
    drv::RemarkSink sink;
    sink.yamlPath = remarksYaml;
    sink.collect = [&](const drv::RemarkRecord &r) { records.push_back(r); };
    if (mlir::failed(drv::enableRemarks(context, sink)))
      throw std::runtime_error("kiln: cannot write remarks to " + remarksYaml);
  }
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success(); // remarks come through `records`
    // "file: error: ..." as the tools print it (file:line:col for MLIR).
    auto file = d.getLocation()->findInstanceOf<mlir::FileLineColLoc>();
    if (file && file.getLine() == 0)
      os << file.getFilename().getValue();
    else if (file)
      os << file.getFilename().getValue() << ":" << file.getLine() << ":"
         << file.getColumn();
    else
      os << name;
    os << ": error: " << d << "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      onnx ? mlir::kiln::importOnnxModel(&context, bytes, name)
           : mlir::parseSourceString<mlir::ModuleOp>(bytes, &context, name);
  drv::CompileOptions options;
  options.mcpu = mcpu;
  options.optLevel = optLevel;
  options.graphFusion = graphFusion;
  bool ok = module && mlir::succeeded(drv::compile(*module, options, output));
  if (remarks)
    drv::finishRemarks(context);
  if (!ok)
    throw std::runtime_error("kiln: compilation failed\n" + messages);
  std::vector<py::dict> result;
  for (const drv::RemarkRecord &r : records)
    result.push_back(py::dict(
        py::arg("kind") = r.kind, py::arg("category") = r.category,
        py::arg("pass") = r.pass, py::arg("name") = r.name,
        py::arg("function") = r.function, py::arg("location") = r.location,
        py::arg("message") = r.message));
  return result;
}

/// ml_dtypes' numpy dtype `name` (bfloat16, float8_*, float4_*, int4).
py::dtype mlDtype(const char *name) {
  py::module_ ml;
  try {
    ml = py::module_::import("ml_dtypes");
  } catch (py::error_already_set &) {
    throw std::runtime_error(std::string("kiln: tensors of this dtype are "
                                         "ml_dtypes.") +
                             name + " arrays; install the ml_dtypes package");
  }
  return py::dtype::from_args(ml.attr(name));
}

/// The numpy dtype a tensor of `t` is in Python: numpy's own, or ml_dtypes'
/// for bf16, the 8- and 4-bit floats and i4 (one element per byte in
/// numpy; packed two per byte only inside the runtime).
py::dtype toNumpy(kiln_dtype t) {
  switch (t) {
  case KILN_F32: return py::dtype::of<float>();
  case KILN_F64: return py::dtype::of<double>();
  case KILN_I64: return py::dtype::of<int64_t>();
  case KILN_I32: return py::dtype::of<int32_t>();
  case KILN_I16: return py::dtype::of<int16_t>();
  case KILN_I8: return py::dtype::of<int8_t>();
  case KILN_U8: return py::dtype::of<uint8_t>();
  case KILN_I1: return py::dtype::of<bool>();
  case KILN_F16: return py::dtype("float16");
  case KILN_BF16: return mlDtype("bfloat16");
  case KILN_F8E4M3FN: return mlDtype("float8_e4m3fn");
  case KILN_F8E5M2: return mlDtype("float8_e5m2");
  case KILN_F4E2M1FN: return mlDtype("float4_e2m1fn");
  case KILN_I4: return mlDtype("int4");
  case KILN_F8E8M0FNU: return mlDtype("float8_e8m0fnu");
  case KILN_DTYPE_COUNT: break;
  }
  throw std::runtime_error("kiln: unknown dtype");
}

bool isPacked(kiln_dtype t) { return t == KILN_I4 || t == KILN_F4E2M1FN; }

/// ml_dtypes holds a 4-bit value in the low nibble of its byte; the runtime
/// packs two per byte, low nibble first.
std::vector<uint8_t> packNibbles(const uint8_t *src, int64_t count) {
  std::vector<uint8_t> out((count + 1) / 2, 0);
  for (int64_t i = 0; i < count; ++i)
    out[i / 2] |= (src[i] & 0xF) << ((i % 2) * 4);
  return out;
}

class Artifact {
public:
  explicit Artifact(const std::string &path) {
    if (kiln_artifact_load(path.c_str(), &artifact) != KILN_OK)
      throw std::runtime_error(std::string("kiln: ") + kiln_last_error());
  }
  ~Artifact() { kiln_artifact_free(artifact); }
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (int i = 0; i < kiln_entry_count(artifact); ++i)
      names.push_back(kiln_entry_name(artifact, i));
    return names;
  }

  /// The declared inputs of entry `name`: (dtype name, numpy dtype, dims
  /// with -1 for a dynamic one).
  std::vector<py::tuple> inputs(const std::string &name) const {
    int entry = kiln_entry_find(artifact, name.c_str());
    if (entry < 0)
      throw std::runtime_error("kiln: no entry point '" + name + "'");
    std::vector<py::tuple> sig;
    for (int i = 0; i < kiln_entry_num_inputs(artifact, entry); ++i) {
      kiln_dtype dtype;
      int rank;
      int64_t dims[KILN_MAX_RANK];
      kiln_entry_input(artifact, entry, i, &dtype, &rank, dims);
      sig.push_back(py::make_tuple(kiln_dtype_name(dtype), toNumpy(dtype),
                                   std::vector<int64_t>(dims, dims + rank)));
    }
    return sig;
  }

  /// Runs entry `name` on `inputs`. Without `outs`, returns the outputs as
  /// arrays over the result buffers (no copy; freeing an array returns its
  /// buffer to the artifact's pool). With `outs` (arrays of the outputs'
  /// dtypes and shapes, C-contiguous and writeable), the results are written
  /// into them and they are returned.
  std::vector<py::array> run(const std::string &name,
                             const std::vector<py::array> &inputs,
                             std::optional<std::vector<py::array>> outs) {
    int entry = kiln_entry_find(artifact, name.c_str());
    if (entry < 0)
      throw std::runtime_error("kiln: no entry point '" + name + "'");
    int numOut = kiln_entry_num_outputs(artifact, entry);
    std::vector<kiln_tensor *> in, out(numOut, nullptr);
    std::vector<py::array> keep; // contiguous copies the tensors view
    std::vector<std::vector<uint8_t>> packed;
    auto release = [&] {
      for (kiln_tensor *t : in)
        kiln_tensor_free(t);
      for (kiln_tensor *t : out)
        kiln_tensor_free(t);
    };
    auto wrap = [&](const py::array &a, kiln_dtype dtype) {
      std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
      kiln_tensor *t = nullptr;
      kiln_status st;
      if (isPacked(dtype)) {
        packed.push_back(
            packNibbles(static_cast<const uint8_t *>(a.data()), a.size()));
        st = kiln_tensor_wrap(dtype, int(a.ndim()), shape.data(),
                              packed.back().data(), &t);
      } else {
        st = kiln_tensor_wrap(dtype, int(a.ndim()), shape.data(),
                              const_cast<void *>(a.data()), &t);
      }
      if (st != KILN_OK) {
        release();
        throw std::runtime_error(std::string("kiln: ") + kiln_last_error());
      }
      return t;
    };
    for (size_t i = 0; i < inputs.size(); ++i) {
      kiln_dtype dtype = declared(entry, int(i), true);
      // kiln.CompiledModel converts what may be converted; here the dtype
      // must be the declared one, so bytes are never reinterpreted.
      checkDtype(inputs[i], dtype, "input " + std::to_string(i), name,
                 release);
      keep.push_back(py::array::ensure(inputs[i], py::array::c_style));
      in.push_back(wrap(keep.back(), dtype));
    }
    if (outs) {
      if (int(outs->size()) != numOut) {
        release();
        throw py::type_error("kiln: entry '" + name + "' has " +
                             std::to_string(numOut) + " outputs, out= gives " +
                             std::to_string(outs->size()));
      }
      for (int o = 0; o < numOut; ++o) {
        const py::array &a = (*outs)[o];
        kiln_dtype dtype = declared(entry, o, false);
        checkDtype(a, dtype, "output " + std::to_string(o), name, release);
        if (!(a.flags() & py::array::c_style) || !a.writeable() ||
            isPacked(dtype)) {
          release();
          throw py::type_error("kiln: out= array " + std::to_string(o) +
                               " must be C-contiguous and writeable" +
                               (isPacked(dtype) ? " (and not a 4-bit type)"
                                                : ""));
        }
        out[o] = wrap(a, dtype);
      }
    }
    kiln_status status;
    {
      py::gil_scoped_release unlocked;
      status = outs ? kiln_run_into(artifact, entry, in.data(), int(in.size()),
                                    out.data(), numOut)
                    : kiln_run(artifact, entry, in.data(), int(in.size()),
                               out.data(), numOut);
    }
    if (status != KILN_OK) {
      std::string message = kiln_last_error();
      release();
      throw std::runtime_error("kiln: " + message);
    }
    if (outs) {
      release();
      return *outs;
    }
    std::vector<py::array> results;
    for (kiln_tensor *&t : out) {
      std::vector<py::ssize_t> shape;
      for (int d = 0; d < kiln_tensor_rank(t); ++d)
        shape.push_back(kiln_tensor_dim(t, d));
      kiln_dtype dtype = kiln_tensor_dtype(t);
      auto *src = static_cast<uint8_t *>(kiln_tensor_data(t));
      if (isPacked(dtype)) {
        py::array r(toNumpy(dtype), shape);
        auto *dst = static_cast<uint8_t *>(r.mutable_data());
        for (py::ssize_t e = 0; e < r.size(); ++e)
          dst[e] = (src[e / 2] >> ((e % 2) * 4)) & 0xF;
        results.push_back(r);
        continue;
      }
      // The array views the tensor's buffer and owns the tensor.
      py::capsule owner(t, [](void *p) {
        kiln_tensor_free(static_cast<kiln_tensor *>(p));
      });
      t = nullptr;
      results.push_back(py::array(toNumpy(dtype), shape, src, owner));
    }
    release();
    return results;
  }

private:
  kiln_dtype declared(int entry, int i, bool input) const {
    kiln_dtype dtype;
    int rank;
    int64_t dims[KILN_MAX_RANK];
    kiln_status st =
        input ? kiln_entry_input(artifact, entry, i, &dtype, &rank, dims)
              : kiln_entry_output(artifact, entry, i, &dtype, &rank, dims);
    if (st != KILN_OK)
      throw std::runtime_error(std::string("kiln: ") + kiln_last_error());
    return dtype;
  }

  template <typename Release>
  static void checkDtype(const py::array &a, kiln_dtype dtype,
                         const std::string &what, const std::string &entry,
                         Release &release) {
    py::dtype want = toNumpy(dtype);
    if (a.dtype().num() == want.num())
      return;
    release();
    throw py::type_error("kiln: " + what + " of '" + entry + "' is " +
                         kiln_dtype_name(dtype) + " (numpy " +
                         py::str(want).cast<std::string>() + "), not " +
                         py::str(a.dtype()).cast<std::string>());
  }

  kiln_artifact *artifact = nullptr;
};
} // namespace

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "Kiln's compiler driver and C runtime (use the kiln package)";
  m.def("compile_file", &compileFile, py::arg("source"), py::arg("onnx"),
        py::arg("name"), py::arg("output"), py::arg("mcpu") = "native",
        py::arg("opt_level") = 3, py::arg("graph_fusion") = true,
        py::arg("remarks") = false, py::arg("remarks_yaml") = "");
  m.def("set_num_threads", &kiln_set_num_threads);
  m.def("get_num_threads", &kiln_get_num_threads);
  py::class_<Artifact>(m, "Artifact")
      .def(py::init<const std::string &>())
      .def_property_readonly("entries", &Artifact::entries)
      .def("inputs", &Artifact::inputs)
      .def("run", &Artifact::run, py::arg("entry"), py::arg("inputs"),
           py::arg("outs") = py::none());
}
