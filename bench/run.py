#!/usr/bin/python3
"""Kiln's benchmarks (see BENCHMARKS.md in the design docs (shared/ beside the repository)): `make bench`.

Builds the bench programs (a plain compiler command, into bench/build/),
measures the machine's FMA peak (fma_peak), then times fp32 matmul with
OpenBLAS, oneDNN and Kiln (matmul_bench) and fp32 attention, Kiln's flash
loop nest against oneDNN-composed attention (attention_bench,
attention.py), and whole ONNX models against PyTorch CPU (models.py), on
1 thread and on all cores, and writes into --out (default bench/results/):
  fma_peak.md, fma_peak.json   the peak table
  matmul.md, matmul.json       the matmul table (+ raw results)
  matmul.png                   GFLOP/s per shape, implementation and threads
  attention.md, .json, .png    the attention table, time vs N
  models.md, models.json       Kiln vs PyTorch vs Kiln without graph fusions

Cases are named fma_peak, matmul/<M>x<K>x<N>,
attention/<variant>/H<h>:<hkv>/N<n>/d<d> and models/<name>; FILTER (a regular expression,
searched in the names) picks some: `--filter matmul`,
`--filter 'matmul/1024x'`, `--filter attention/causal`. --full adds the
large shapes.
Run with Debian's python3 (it has matplotlib): /usr/bin/python3 bench/run.py.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

import attention
import models
import matmul_report
from kiln_artifacts import kiln_compile, kiln_prepare, kiln_setup, log, newer
from matmul_report import shape_name

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LLVM = os.environ.get("LLVM", "/usr/lib/llvm-22")

# fp32 squares and LLM linear layers (ALGORITHMS.md 3.2, Llama-3.1-8B:
# C[tokens, out] = X[tokens, in] * W[in, out]; M = tokens, K = in, N = out).
SQUARES = [256, 512, 1024, 2048]
SQUARES_FULL = [4096]
LLM = [(m, 4096, n) for m in (1, 8, 64) for n in (4096, 14336)] + [
    (2048, 4096, 4096)]
LLM_FULL = [(2048, 4096, 14336)] + [
    (m, k, n) for m in (1, 8, 64, 2048) for (k, n) in ((4096, 6144),
                                                       (14336, 4096))]
# OpenBLAS kernels that mean "did not recognize this CPU".
GENERIC_OPENBLAS_CORES = {"prescott", "core2", "katmai", "coppermine",
                          "northwood", "banias", "atom", "penryn", "dunnington",
                          "nehalem", "generic"}


def cpu_info():
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return model, flags


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def build_programs(bdir):
    """Builds fma_peak and matmul_bench with a plain compiler command."""
    os.makedirs(bdir, exist_ok=True)
    cc = os.path.join(LLVM, "bin", "clang")
    cxx = os.path.join(LLVM, "bin", "clang++")
    if not os.path.exists(cc):
        cc, cxx = "cc", "c++"
    fma_src = os.path.join(HERE, "fma_peak.c")
    fma = os.path.join(bdir, "fma_peak")
    if newer(fma, fma_src):
        log("bench: building %s" % fma)
        subprocess.check_call([cc, "-O2", "-Wall", "-o", fma, fma_src,
                               "-lpthread"])
    mm_src = os.path.join(HERE, "matmul_bench.cpp")
    hdr = os.path.join(ROOT, "include", "kiln", "Runtime", "kiln_runtime.h")
    mm = os.path.join(bdir, "matmul_bench")
    if newer(mm, mm_src, hdr):
        log("bench: building %s" % mm)
        blas_inc = "/usr/include/x86_64-linux-gnu/openblas-pthread"
        blas_lib = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
        cmd = [cxx, "-std=c++17", "-O2", "-Wall", "-I", os.path.join(ROOT, "include")]
        if os.path.isdir(blas_inc):
            cmd += ["-I", blas_inc]
        cmd += ["-o", mm, mm_src]
        if os.path.isdir(blas_lib):
            cmd += ["-L", blas_lib]
        # libgomp: the OpenMP runtime Debian's libdnnl uses.
        cmd += ["-lopenblas", "-ldnnl", "-lgomp", "-ldl", "-lpthread"]
        try:
            subprocess.check_call(cmd)
        except subprocess.CalledProcessError:
            sys.exit("bench: cannot build matmul_bench; install its libraries "
                     "with `scripts/install-deps.sh bench` (libdnnl-dev, "
                     "libopenblas-dev)")
    return fma, mm


# ------------------------------------------------------------- FMA peak ---
def run_fma_peak(fma, out, threads):
    log("bench: fma_peak (%d threads for all cores)" % threads)
    jpath = os.path.join(out, "fma_peak.json")
    proc = subprocess.run([fma, "--threads", str(threads), "--json", jpath],
                          stdout=subprocess.PIPE, universal_newlines=True,
                          check=True)
    log(proc.stdout.rstrip())
    with open(jpath) as f:
        peak = json.load(f)
    model, _ = cpu_info()
    with open(os.path.join(out, "fma_peak.md"), "w") as f:
        f.write("# Peak arithmetic rate of this machine\n\n")
        f.write(header_lines(model))
        f.write("\nfp32: 2 flops per lane per FMA; int8: 2 ops per u8*s8 "
                "multiply-add (vpdpbusd). Best of the repetitions (the peak "
                "estimate) and their median. Made by bench/fma_peak.c.\n\n")
        f.write(proc.stdout)
    return peak


def load_peak(out):
    path = os.path.join(out, "fma_peak.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return None


def fp32_peak(peak, threads):
    """Measured fp32 FMA peak (GFLOP/s) at `threads` (1 or the all-cores
    count the peak was measured at; scaled per core otherwise)."""
    if not peak:
        return None
    k = next((k for k in peak["kernels"] if k["name"] == peak["fp32_peak_kernel"]),
             None)
    if not k:
        return None
    if threads == 1:
        return k["t1_best"]
    if threads == k["tn"]:
        return k["tn_best"]
    return k["tn_best"] / k["tn"] * threads


# ---------------------------------------------------------------- Kiln ----
# -------------------------------------------------------------- matmul ----
def run_matmul_bench(mm, args, shapes, threads, kdir, runtime, env):
    cmd = [mm, "--threads", str(threads), "--reps", str(args.reps),
           "--shapes", ",".join(shape_name(s) for s in shapes),
           "--impls", args.impls, "--kiln-dir", kdir,
           "--max-warmup-s", str(args.max_call_s)]
    if os.path.exists(runtime):
        cmd += ["--kiln-runtime", runtime]
    log("bench: matmul on %d thread%s: %d shapes" %
        (threads, "" if threads == 1 else "s", len(shapes)))
    results, info = [], {}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env,
                            universal_newlines=True)
    for line in proc.stdout:
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "info" in r:
            info.update(r)
            continue
        results.append(r)
        if r["status"] == "ok":
            log("  %-18s %2d thr %-13s %8.1f GFLOP/s  (%.1f..%.1f, %d reps, "
                "err %.1e)" % (r["shape"], threads, r["impl"], r["gflops"],
                               r["gflops_worst"], r["gflops_best"], r["reps"],
                               r["max_rel_err"]))
        else:
            log("  %-18s %2d thr %-13s %s (%s)" % (r["shape"], threads,
                                                   r["impl"], r["status"],
                                                   r["note"]))
    if proc.wait() != 0:
        log("bench: matmul_bench exited with status %d" % proc.returncode)
    return results, info


# ---------------------------------------------------------------- main ----
def header_lines(model):
    load = os.getloadavg()
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True).stdout.strip()
    except OSError:
        rev = ""
    s = ("- machine: %s, %d CPUs usable; load average %.2f when written%s\n"
         "- date: %s; Kiln git %s\n" %
         (model, usable_cpus(), load[0],
          " (BUSY MACHINE: figures are noisy)" if load[0] > 0.5 else "",
          datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), rev or "?"))
    return s


def openblas_env(mm, flags):
    """OpenBLAS 0.3.21's DYNAMIC_ARCH does not recognize some recent CPUs
    (under a hypervisor in particular) and falls back to an SSE3 kernel; the
    bench then picks the kernel of the widest ISA the CPU has."""
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" in env:
        return env, " (OPENBLAS_CORETYPE=%s from the environment)" % env[
            "OPENBLAS_CORETYPE"]
    proc = subprocess.run([mm, "--info"], stdout=subprocess.PIPE,
                          universal_newlines=True, env=env)
    core = ""
    for line in proc.stdout.splitlines():
        if '"openblas_core"' in line:
            core = json.loads(line)["openblas_core"]
    if core.lower() not in GENERIC_OPENBLAS_CORES:
        return env, ""
    want = ("SkylakeX" if "avx512f" in flags else
            "Haswell" if "avx2" in flags and "fma" in flags else None)
    if not want:
        return env, ""
    env["OPENBLAS_CORETYPE"] = want
    return env, (" (OpenBLAS detected this CPU as %s, a generic SSE3 kernel; "
                 "the bench set OPENBLAS_CORETYPE=%s)" % (core, want))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("filter", nargs="?", default="",
                    help="regex: cases whose name it matches (fma_peak, "
                         "matmul/MxKxN)")
    ap.add_argument("--filter", dest="filter_opt", default="")
    ap.add_argument("--full", action="store_true",
                    help="add 4096^3 and the larger LLM shapes")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"),
                    help="Kiln's CMake build dir (kiln-compile, "
                         "libkiln_runtime.so)")
    ap.add_argument("--no-build-kiln", dest="build_kiln", action="store_false",
                    help="do not build kiln-compile/kiln_runtime first")
    ap.add_argument("--jobs", type=int, default=usable_cpus())
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--threads", default="",
                    help="comma-separated thread counts (default: 1,all)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--impls", default="openblas,onednn,kiln")
    ap.add_argument("--shapes", default="",
                    help="comma-separated MxKxN, instead of the default set")
    ap.add_argument("--max-call-s", type=float, default=10,
                    help="skip an implementation whose first call takes "
                         "longer (seconds)")
    ap.add_argument("--compile-timeout", type=int, default=600)
    args = ap.parse_args()
    flt = re.compile(args.filter_opt or args.filter or "")

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    bdir = os.path.join(HERE, "build")
    fma, mm = build_programs(bdir)
    model, flags = cpu_info()
    ncpu = usable_cpus()
    threads_list = ([int(t) for t in args.threads.split(",") if t]
                    if args.threads else sorted({1, ncpu}))
    log("bench: %s, %d CPUs usable, load average %.2f" %
        (model, ncpu, os.getloadavg()[0]))

    if args.shapes:
        shapes = [tuple(int(x) for x in s.split("x"))
                  for s in args.shapes.split(",") if s]
    else:
        shapes = [(n, n, n) for n in SQUARES + (SQUARES_FULL if args.full else [])]
        shapes += LLM + (LLM_FULL if args.full else [])
    shapes = [s for s in shapes if flt.search("matmul/" + shape_name(s))]

    att_cases = [c for c in attention.CASES +
                 (attention.CASES_FULL if args.full else [])
                 if flt.search(attention.case_name(c))]
    model_cases = [c for c in models.CASES if flt.search(c)]
    if (not shapes and not att_cases and not model_cases and
            not flt.search("fma_peak")):
        sys.exit("bench: no case matches the filter '%s' (cases: fma_peak, "
                 "matmul/MxKxN, attention/VARIANT/H:HKV/N/d, models/NAME)"
                 % flt.pattern)
    peak = None
    if flt.search("fma_peak"):
        peak = run_fma_peak(fma, out, max(threads_list))
    elif shapes or att_cases:
        peak = load_peak(out)
        if not peak or peak.get("threads") != max(threads_list):
            log("bench: measuring the FMA peak for the tables")
            peak = run_fma_peak(fma, out, max(threads_list))
    failed = run_matmul(args, out, bdir, mm, flags, shapes, peak,
                        threads_list) if shapes else 0
    if att_cases:
        failed += run_attention(args, out, bdir, att_cases, peak,
                                threads_list, model)
    if model_cases:
        run_models(args, out, model_cases, threads_list, model)
    if failed:
        sys.exit(1)


def run_models(args, out, cases, threads_list, model):
    """Whole ONNX models: Kiln, Kiln without graph fusions, PyTorch."""
    build_dir = os.path.abspath(args.build_dir)
    rows = models.run(cases, threads_list, args.reps, build_dir, log)
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump(rows, f, indent=1)
    header = ["# Whole models: Kiln vs PyTorch CPU", "",
              "%s, %s. %s. Median of at least %d calls (and of at least "
              "2 s of calls for fast models) after 2 warm-ups, each "
              "implementation in a process of its own." %
              (model, time.strftime("%Y-%m-%d"), models.torch_config(),
               args.reps)]
    models.write_md(os.path.join(out, "models.md"), rows, header)
    log("bench: wrote %s/models.md" % out)


def run_attention(args, out, bdir, cases, peak, threads_list, model):
    cxx = os.path.join(LLVM, "bin", "clang++")
    exe = attention.build(cxx if os.path.exists(cxx) else "c++", bdir, ROOT,
                          log)
    compiler, runtime, reason = kiln_prepare(args)
    kdir = os.path.join(bdir, "kiln")
    items = [(os.path.join(kdir, "attn_" + attention.case_id(c)),
              attention.mlir_text(c)) for c in cases]
    # The naive oracle (reference lowering) only for causal N = 1K: its
    # scalar loops take about 7 s per call there (BENCHMARKS.md caps it at
    # 2K; this keeps make bench near 15 minutes).
    items += [(os.path.join(kdir, "attn_%s_unfused" % attention.case_id(c)),
               attention.mlir_text(c), ["-O0"]) for c in cases
              if c[4] <= attention.UNFUSED_MAX_N and c[0] == "causal"]
    kiln_compile(args, compiler, reason, items)
    rows = []
    for t in threads_list:
        rows += attention.run(exe, cases, t, kdir, runtime, args.reps,
                              args.max_call_s, log)
    with open(os.path.join(out, "attention.json"), "w") as f:
        json.dump({"results": rows}, f, indent=1)
    attention.write_md(os.path.join(out, "attention.md"), rows,
                       lambda t: fp32_peak(peak, t), header_lines(model),
                       threads_list, cases)
    attention.plot(os.path.join(out, "attention.png"), rows, threads_list,
                   log)
    attention.plot_masks(os.path.join(out, "attention_pbs_mask.png"), rows,
                         log)
    log("bench: wrote %s/attention.md and attention.png" % out)
    return sum(r["status"] in ("wrong", "error") for r in rows)


def run_matmul(args, out, bdir, mm, flags, shapes, peak, threads_list):
    env, env_note = openblas_env(mm, flags)
    if env_note:
        log("bench:" + env_note)
    kdir = os.path.join(bdir, "kiln")
    runtime, reason = (("", "not requested") if "kiln" not in args.impls
                       else kiln_setup(args, shapes, kdir))
    if reason:
        log("bench: kiln: not available (%s)" % reason)
    rows, infos = [], {}
    for t in threads_list:
        r, i = run_matmul_bench(mm, args, shapes, t, kdir, runtime, env)
        rows += r
        infos[t] = i
    with open(os.path.join(out, "matmul.json"), "w") as f:
        json.dump({"info": infos, "results": rows}, f, indent=1)
    peak_fn = lambda t: fp32_peak(peak, t)
    kernel = peak["fp32_peak_kernel"] if peak else "not measured"
    matmul_report.write_md(out, rows, infos, peak_fn, kernel, env_note,
                           threads_list, shapes, header_lines(cpu_info()[0]))
    matmul_report.plot(out, rows, peak_fn, threads_list, shapes, log)
    log("bench: wrote %s/matmul.md and matmul.png" % out)
    wrong = [r for r in rows if r["status"] in ("wrong", "error")]
    if wrong:
        log("bench: %d results wrong or failed (see matmul.md)" % len(wrong))
    return len(wrong)


if __name__ == "__main__":
    main()
