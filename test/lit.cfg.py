# Lit configuration for Kiln's IR tests (dialect, conversions, transforms,
# CPU integration). Unit tests run from Unit/ with their own config.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "KILN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "Unit", "Inputs", "harness", "lib",
                   "lit.local.cfg"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["kiln-opt", "kiln-compile", "kiln-run", "mlir-opt", "mlir-runner"],
    [config.kiln_tools_dir, config.llvm_tools_dir])

# Runtime support libraries for executing lowered IR with mlir-runner.
config.substitutions.append(("%mlir_lib_dir", config.llvm_lib_dir))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_c_runner_utils.so")))
config.substitutions.append(("%kiln_src_root", config.kiln_src_root))
# C programs that link an artifact or the runtime (test/Runtime).
config.substitutions.append(("%cc", os.path.join(config.llvm_tools_dir, "clang")))
config.substitutions.append(
    ("%kiln_runtime_include", os.path.join(config.kiln_src_root, "include")))
config.substitutions.append(
    ("%kiln_runtime_lib", os.path.join(config.kiln_obj_root, "lib")))
config.substitutions.append(("%kiln_obj_root", config.kiln_obj_root))

# Debian's interpreter carries numpy; another python3 on PATH may not.
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else config.python_executable
config.substitutions.append(("%python", python))

# Numerics tests (python + numpy) find the tools and the harness here.
config.environment["KILN_TOOLS_DIR"] = config.kiln_tools_dir
config.environment["KILN_LLVM_BIN"] = config.llvm_tools_dir
config.environment["KILN_LLVM_LIB"] = config.llvm_lib_dir
config.environment["PYTHONPATH"] = os.path.join(
    config.test_source_root, "Integration", "harness")

# Host CPU features from /proc/cpuinfo, as `cpu-<flag>` lit features (tests
# whose JIT-run code needs an ISA say e.g. `REQUIRES: cpu-avx512`); never
# assumed. cpu-avx512 means the Skylake-AVX512 set (f, bw, vl, dq), cpu-amx
# the Sapphire Rapids additions (amx_tile, amx_bf16, avx512_bf16, fp16).
def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


_flags = _cpu_flags()
for _flag in ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
              "avx512dq", "avx512cd", "avx512_vnni", "avx512_bf16",
              "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8"):
    if _flag in _flags:
        config.available_features.add("cpu-" + _flag.replace("_", "-"))
if {"avx2", "fma"} <= _flags:
    config.available_features.add("cpu-x86-64-v3")
if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= _flags:
    config.available_features.add("cpu-avx512")
if {"amx_tile", "amx_bf16", "avx512_bf16", "avx512_fp16"} <= _flags and \
        "cpu-avx512" in config.available_features:
    config.available_features.add("cpu-amx")

# `lit --param kiln_full=1` (make check-full): the whole end-to-end numeric
# matrix (test/Integration/CPU/e2e/full*.py, REQUIRES: kiln-full).
if lit_config.params.get("kiln_full", "0") not in ("", "0", "false", "False"):
    config.available_features.add("kiln-full")
