"""Kiln artifacts for the benches: builds kiln-compile and the runtime, and
compiles one shared library per case with `kiln-compile --emit=shared`
(recompiled when the source text or the compiler changes); called by
run.py."""
import os
import subprocess
import time

from matmul_report import shape_name

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(msg):
    print(msg, flush=True)


def newer(target, *sources):
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(s) > t for s in sources)


def kiln_prepare(args):
    """Builds kiln-compile and the runtime (unless --no-build-kiln).
    Returns (compiler, runtime library, reason Kiln is unavailable or None)."""
    bdir = os.path.abspath(args.build_dir)
    compiler = os.path.join(bdir, "bin", "kiln-compile")
    runtime = os.path.join(bdir, "lib", "libkiln_runtime.so")
    if args.build_kiln and os.path.exists(os.path.join(bdir, "build.ninja")):
        log("bench: building kiln-compile and kiln_runtime in %s" % bdir)
        proc = subprocess.run(["cmake", "--build", bdir, "-j",
                               str(args.jobs), "--target", "kiln-compile",
                               "kiln_runtime"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)
        if proc.returncode != 0:
            tail = proc.stdout.strip().splitlines()[-3:]
            log("bench: building Kiln failed:\n  " + "\n  ".join(tail))
    reason = None
    if not os.path.exists(compiler):
        reason = "%s not built" % os.path.relpath(compiler, ROOT)
    elif not os.path.exists(runtime):
        reason = "%s not built" % os.path.relpath(runtime, ROOT)
    return compiler, runtime, reason


def kiln_compile(args, compiler, reason, items):
    """Compiles each (base path, MLIR text[, extra kiln-compile arguments])
    to base.so, or writes base.err with the reason. Recompiles when the
    text or the compiler changes."""
    for item in items:
        base, text = item[0], item[1]
        extra = list(item[2]) if len(item) > 2 else []
        os.makedirs(os.path.dirname(base), exist_ok=True)
        if os.path.exists(base + ".err"):
            os.remove(base + ".err")
        if reason:
            if os.path.exists(base + ".so"):
                os.remove(base + ".so")
            with open(base + ".err", "w") as f:
                f.write(reason + "\n")
            continue
        src = base + ".mlir"
        old = open(src).read() if os.path.exists(src) else None
        if old != text:
            with open(src, "w") as f:
                f.write(text)
        so = base + ".so"
        stamp = "%s %s %s\n" % (compiler, os.path.getmtime(compiler),
                                 " ".join(extra))
        old_stamp = (open(base + ".stamp").read()
                     if os.path.exists(base + ".stamp") else None)
        if os.path.exists(so) and not newer(so, src) and old_stamp == stamp:
            continue
        with open(base + ".stamp", "w") as f:
            f.write(stamp)
        cmd = [compiler, src, "--emit=shared", "-o", so] + extra
        log("bench: " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT)
                                 else c for c in cmd))
        t0 = time.time()
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  universal_newlines=True,
                                  timeout=args.compile_timeout)
            ok, msg = proc.returncode == 0, proc.stdout.strip()
        except subprocess.TimeoutExpired:
            ok, msg = False, "timed out after %d s" % args.compile_timeout
        if not ok or not os.path.exists(so):
            if os.path.exists(so):
                os.remove(so)
            first = msg.splitlines()[0] if msg else "kiln-compile failed"
            with open(base + ".err", "w") as f:
                f.write("kiln-compile failed: %s\n%s\n" % (first[:300], msg))
            log("bench:   failed: " + first[:300])
        else:
            log("bench:   compiled in %.1f s" % (time.time() - t0))


def kiln_setup(args, shapes, kdir):
    """One matmul artifact per shape (mm_<shape>.so). Returns (runtime
    library, reason Kiln is unavailable or None)."""
    compiler, runtime, reason = kiln_prepare(args)
    items = []
    for s in shapes:
        m, k, n = s
        text = (
            "func.func @matmul(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>)"
            " -> tensor<{m}x{n}xf32> {{\n"
            "  %init = tensor.empty() : tensor<{m}x{n}xf32>\n"
            "  %c = kiln.matmul ins(%a, %b : tensor<{m}x{k}xf32>, "
            "tensor<{k}x{n}xf32>)\n"
            "       outs(%init : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>\n"
            "  return %c : tensor<{m}x{n}xf32>\n}}\n").format(m=m, k=k, n=n)
        items.append((os.path.join(kdir, "mm_" + shape_name(s)), text))
    kiln_compile(args, compiler, reason, items)
    return runtime, reason
