//===- KilnModule.cpp - the kiln._kiln extension (pybind11) ---------------===//
//
// Two things, both thin: `compile_file` runs kiln-compile's driver on MLIR
// text or ONNX bytes and writes a shared artifact (diagnostics become the
// RuntimeError's message), and `Artifact` loads one through the C runtime
// and runs an entry on numpy arrays (dtypes and shapes are checked by the
// runtime against the artifact's signature).
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

namespace py = pybind11;
namespace drv = mlir::kiln::driver;

namespace {
/// Compiles `source` (MLIR text, or an ONNX ModelProto when `onnx`) into
/// the shared artifact `output`; throws RuntimeError with the diagnostics.
void compileFile(py::bytes source, bool onnx, const std::string &name,
                 const std::string &output, const std::string &mcpu,
                 unsigned optLevel, bool graphFusion) {
  std::string bytes = source;
  mlir::DialectRegistry registry;
  drv::registerDriverDialects(registry);
  mlir::MLIRContext context(registry);
  std::string messages;
  llvm::raw_string_ostream os(messages);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
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
  if (!ok)
    throw std::runtime_error("kiln: compilation failed\n" + messages);
}

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
  default: // bf16, f8, f4, i4: their bit patterns
    return py::dtype::of<uint16_t>();
  }
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

  /// Runs entry `name` on `inputs`; returns the outputs as new arrays.
  std::vector<py::array> run(const std::string &name,
                             const std::vector<py::array> &inputs) {
    int entry = kiln_entry_find(artifact, name.c_str());
    if (entry < 0)
      throw std::runtime_error("kiln: no entry point '" + name + "'");
    std::vector<kiln_tensor *> in, out(kiln_entry_num_outputs(artifact, entry));
    auto release = [&] {
      for (kiln_tensor *t : in)
        kiln_tensor_free(t);
      for (kiln_tensor *t : out)
        kiln_tensor_free(t);
    };
    for (size_t i = 0; i < inputs.size(); ++i) {
      kiln_dtype dtype;
      int rank;
      int64_t dims[KILN_MAX_RANK];
      if (kiln_entry_input(artifact, entry, int(i), &dtype, &rank, dims) !=
          KILN_OK) {
        release();
        throw std::runtime_error(std::string("kiln: ") + kiln_last_error());
      }
      // Converted to the declared dtype, C-contiguous (a copy if needed).
      py::array a = py::array::ensure(
          inputs[i].attr("astype")(toNumpy(dtype), py::arg("copy") = false),
          py::array::c_style);
      std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
      kiln_tensor *t = nullptr;
      if (kiln_tensor_create(dtype, int(a.ndim()), shape.data(), a.data(),
                             &t) != KILN_OK) {
        release();
        throw std::runtime_error(std::string("kiln: ") + kiln_last_error());
      }
      in.push_back(t);
    }
    kiln_status status;
    {
      py::gil_scoped_release unlocked;
      status = kiln_run(artifact, entry, in.data(), int(in.size()), out.data(),
                        int(out.size()));
    }
    if (status != KILN_OK) {
      std::string message = kiln_last_error();
      release();
      throw std::runtime_error("kiln: " + message);
    }
    std::vector<py::array> results;
    for (kiln_tensor *t : out) {
      std::vector<py::ssize_t> shape;
      for (int d = 0; d < kiln_tensor_rank(t); ++d)
        shape.push_back(kiln_tensor_dim(t, d));
      py::array r(toNumpy(kiln_tensor_dtype(t)), shape);
      std::memcpy(r.mutable_data(), kiln_tensor_data(t), kiln_tensor_nbytes(t));
      results.push_back(r);
    }
    release();
    return results;
  }

private:
  kiln_artifact *artifact = nullptr;
};
} // namespace

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "Kiln's compiler driver and C runtime (use the kiln package)";
  m.def("compile_file", &compileFile, py::arg("source"), py::arg("onnx"),
        py::arg("name"), py::arg("output"), py::arg("mcpu") = "native",
        py::arg("opt_level") = 3, py::arg("graph_fusion") = true);
  m.def("set_num_threads", &kiln_set_num_threads);
  m.def("get_num_threads", &kiln_get_num_threads);
  py::class_<Artifact>(m, "Artifact")
      .def(py::init<const std::string &>())
      .def_property_readonly("entries", &Artifact::entries)
      .def("run", &Artifact::run);
}
