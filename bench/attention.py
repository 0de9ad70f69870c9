"""fp32 attention bench (BENCHMARKS.md, attention): Kiln's flash loop nest
(kiln-tile) against attention composed of oneDNN primitives, 1 thread and
all cores; writes attention.md, attention.json and attention.png. Called by
run.py; cases are named attention/<variant>/H<h>:<hkv>/N<n>/d<d>."""
import json
import os
import subprocess

# (variant, B, H, Hkv, N, d): dense and causal over N at d = 128, GQA 32/8,
# a sliding window of 512 (causal).
CASES = ([("dense", 1, 8, 8, n, 128) for n in (1024, 2048, 4096)] +
         [("causal", 1, 8, 8, n, 128) for n in (1024, 2048, 4096)] +
         [("causal", 1, 8, 8, 2048, 64),
          ("causal", 1, 32, 8, 2048, 128),
          ("window512", 1, 8, 8, 4096, 128)])
# Block-sparse at several densities, and the approximating rewrites on
# structured inputs, against dense causal at the same size.
CASES += [("blocks%d" % p, 1, 8, 8, 4096, 128) for p in (5, 10, 25, 50)]
CASES += [("pbs", 1, 8, 8, 4096, 128), ("moba", 1, 8, 8, 4096, 128)]
LIST_BLOCK = 128
UNFUSED_MAX_N = 1024  # the reference lowering (naive oracle) up to this N
CASES_FULL = [("causal", 1, 8, 8, n, 128) for n in (8192, 16384)] + [
    ("window512", 1, 8, 8, 16384, 128), ("window4096", 1, 8, 8, 16384, 128)]

TARGET = ("causal", 1, 8, 8, 4096, 128)


def case_id(c):
    v, b, h, hkv, n, d = c
    return "%s_B%d_H%d_Hkv%d_N%d_d%d" % (v, b, h, hkv, n, d)


def case_name(c):
    v, b, h, hkv, n, d = c
    return "attention/%s/H%d:%d/N%d/d%d" % (v, h, hkv, n, d)


def mlir_text(c):
    v, b, h, hkv, n, d = c
    q = "tensor<%dx%dx%dx%dxf32>" % (b, h, n, d)
    kv = "tensor<%dx%dx%dx%dxf32>" % (b, hkv, n, d)
    args, clause, attrs = "", "", " {causal}"
    if v == "dense":
        attrs = ""
    elif v.startswith("window"):
        attrs = " {causal, window_left = %d}" % (int(v[6:]) - 1)
    elif v.startswith("blocks"):
        nb = -(-n // LIST_BLOCK)
        it = "tensor<%dx%dx%dx%dxi32>" % (b, h, nb, nb)
        ct = "tensor<%dx%dx%dxi32>" % (b, h, nb)
        args = ", %%bi: %s, %%bc: %s" % (it, ct)
        clause = " blocks(%%bi, %%bc : %s, %s)" % (it, ct)
        attrs = " {causal, q_block = %d, kv_block = %d}" % (LIST_BLOCK,
                                                             LIST_BLOCK)
    elif v == "pbs":
        attrs = " {causal, kiln.pbs}"
    elif v == "moba":
        attrs = " {causal, kiln.route_blocks}"
    return ("func.func @attn(%%q: %s, %%k: %s, %%v: %s%s) -> %s {\n"
            "  %%o = tensor.empty() : %s\n"
            "  %%r = kiln.attention ins(%%q, %%k, %%v : %s, %s, %s)%s\n"
            "       outs(%%o : %s)%s -> %s\n"
            "  return %%r : %s\n}\n" % (q, kv, kv, args, q, q, q, kv, kv,
                                        clause, q, attrs, q, q))


def bench_case_arg(c):
    # windowW: W keys per query, the diagonal included (window_left = W - 1).
    return "%s:%d:%d:%d:%d:%d" % c


def build(cxx, bdir, root, log):
    src = os.path.join(root, "bench", "attention_bench.cpp")
    exe = os.path.join(bdir, "attention_bench")
    deps = [src, os.path.join(root, "bench", "bench_common.h"),
            os.path.join(root, "dialects", "kiln", "Utils", "PbsAnalysis.cpp"),
            os.path.join(root, "include", "kiln", "Runtime", "kiln_runtime.h")]
    if not os.path.exists(exe) or any(
            os.path.getmtime(s) > os.path.getmtime(exe) for s in deps):
        log("bench: building %s" % exe)
        utils = os.path.join(root, "dialects", "kiln", "Utils")
        subprocess.check_call([cxx, "-std=c++17", "-O2", "-Wall", "-I",
                               os.path.join(root, "include"), "-I",
                               os.path.join(root, "dialects"), "-o", exe, src,
                               os.path.join(utils, "PbsAnalysis.cpp"),
                               os.path.join(utils, "BlockList.cpp"),
                               "-ldnnl", "-lgomp", "-ldl", "-lpthread"])
    return exe


def run(exe, cases, threads, kdir, runtime, reps, max_call_s, log):
    cmd = [exe, "--threads", str(threads), "--reps", str(reps),
           "--cases", ",".join(bench_case_arg(c) for c in cases),
           "--kiln-dir", kdir, "--max-warmup-s", str(max_call_s)]
    if os.path.exists(runtime):
        cmd += ["--kiln-runtime", runtime]
    log("bench: attention on %d thread%s: %d cases" %
        (threads, "" if threads == 1 else "s", len(cases)))
    rows = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            universal_newlines=True)
    for line in proc.stdout:
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        rows.append(r)
        if r["status"] == "ok":
            log("  %-34s %d thr %-7s %8.2f ms  useful %6.1f GFLOP/s, "
                "executed %6.1f" % (r["case"], threads, r["impl"],
                                    1e3 * r["median_s"], r["useful_gflops"],
                                    r["executed_gflops"]))
        else:
            log("  %-34s %d thr %-7s %s (%s)" % (r["case"], threads, r["impl"],
                                                r["status"], r["note"]))
    proc.wait()
    return rows


def write_md(path, rows, peak_fn, header, threads_list, cases):
    by = {(r["case"], r["threads"], r["impl"]): r for r in rows}
    lines = ["# fp32 attention: Kiln (kiln-tile) vs oneDNN-composed", "",
             header,
             "Layout [B, H, N, d], fp32, scale 1/sqrt(d). oneDNN-composed: per "
             "(batch, head) a matmul Q K^T (scale, and the causal / window "
             "mask as a binary-add post-op), an in-place softmax primitive "
             "and a matmul P V; it computes all N^2 scores. Kiln: "
             "`kiln-compile --emit=shared` of one kiln.attention, run through "
             "the C runtime (kiln_unfused: the same with -O0, Kiln's reference "
             "lowering, the unfused naive oracle, causal N = 1K only); kiln-tile's "
             "loop nest visits only the 128 x 64 "
             "KV tiles of the band. Useful GFLOP/s = 4 d (visible pairs) / "
             "time, the same work for both; executed GFLOP/s counts what each "
             "computes (all pairs for oneDNN, the visited tiles for Kiln); "
             "% of peak is executed over the measured FMA peak. Kiln's output "
             "is checked against oneDNN's before it is timed. Median of at "
             "least 5 timed calls after warm-up.", ""]
    for t in threads_list:
        p = peak_fn(t)
        lines += ["## %d thread%s" % (t, "" if t == 1 else "s"), "",
                  "| case | impl | ms (median) | min..max ms | useful GFLOP/s "
                  "| executed GFLOP/s | % of peak | Kiln speedup | max rel err "
                  "| note |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for c in cases:
            cid = case_id(c)
            ref = by.get((cid, t, "onednn"))
            for impl in ("onednn", "kiln", "kiln_unfused"):
                r = by.get((cid, t, impl))
                if not r:
                    continue
                if r["status"] != "ok":
                    lines.append("| %s | %s | %s | | | | | | | %s |" % (
                        case_name(c), impl, r["status"], r["note"]))
                    continue
                speed = ("%.2fx" % (ref["median_s"] / r["median_s"])
                         if impl != "onednn" and ref and ref["status"] == "ok"
                         else "")
                lines.append("| %s | %s | %.2f | %.2f..%.2f | %.1f | %.1f | %s "
                             "| %s | %.1e | %s |" % (
                                 case_name(c), impl, 1e3 * r["median_s"],
                                 1e3 * r["min_s"], 1e3 * r["max_s"],
                                 r["useful_gflops"], r["executed_gflops"],
                                 "%.0f%%" % (100 * r["executed_gflops"] / p)
                                 if p else "-", speed, r["max_rel_err"],
                                 r["note"]))
        lines.append("")
    lines += sparse_section(by, threads_list, cases)
    lines += targets(by, peak_fn)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def sparse_section(by, threads_list, cases):
    """Block-sparse and routed attention against Kiln's dense causal run of
    the same size: time ratio, density, and (PBS, MoBA) error vs dense."""
    out = ["## Block-sparse, PBS and MoBA against dense causal (Kiln)", "",
           "blocksP: a random block list (128-token blocks, the diagonal "
           "block plus random causal blocks, P% of the causally visible "
           "blocks), target time <= (density + 0.1) x dense causal. pbs / "
           "moba: `kiln.pbs` / `kiln.route_blocks` with the passes' defaults "
           "(PBS: block 128, segment 256, threshold 0.9, sink; MoBA: block "
           "128, top-8) on structured inputs (one heavy-hitter key per 32 "
           "tokens at a random offset); density = computed blocks / causally visible "
           "blocks (PBS before -> after permutation, from the C++ model "
           "kiln/Utils/PbsAnalysis, head 0 pictured in attention_pbs_mask."
           "png); error = max |O - O_dense| / max |O_dense|.", "",
           "| case | threads | density | Kiln ms | dense causal ms | ratio "
           "| target | verdict | error vs dense |",
           "|---|---:|---|---:|---:|---:|---:|---|---:|"]
    for t in threads_list:
        for c in cases:
            v, b, h, hkv, n, d = c
            if not (v.startswith("blocks") or v in ("pbs", "moba")):
                continue
            r = by.get((case_id(c), t, "kiln"))
            dense = by.get((case_id(("causal", b, h, hkv, n, d)), t, "kiln"))
            if not (r and dense and r["status"] == "ok"
                    and dense["status"] == "ok"):
                continue
            ratio = r["median_s"] / dense["median_s"]
            if v.startswith("blocks"):
                dens = r["useful_gflops"] * r["median_s"]  # useful GFLOP
                dens /= dense["useful_gflops"] * dense["median_s"]
                target = dens + 0.1
                out.append("| %s | %d | %.3f | %.1f | %.1f | %.3f | <= %.3f "
                           "| %s | %.1e |" % (
                               case_name(c), t, dens, 1e3 * r["median_s"],
                               1e3 * dense["median_s"], ratio, target,
                               "PASS" if ratio <= target else "FAIL",
                               r["max_rel_err"]))
            else:
                dens = ("%.3f -> %.3f" % (r["density_unpermuted"],
                                          r["density"])
                        if "density_unpermuted" in r else "%.3f" % r["density"])
                out.append("| %s | %d | %s | %.1f | %.1f | %.3f | | | %.1e |"
                           % (case_name(c), t, dens, 1e3 * r["median_s"],
                              1e3 * dense["median_s"], ratio,
                              r["max_rel_err"]))
    return out + [""]


def plot_masks(path, rows, log):
    """The PBS block mask of head 0 before and after permutation."""
    r = next((r for r in rows if r.get("mask_permuted")), None)
    if not r:
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("bench: no matplotlib; skipping %s" % os.path.basename(path))
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 5))
    for ax, key, title in ((axes[0], "mask_unpermuted", "unpermuted"),
                           (axes[1], "mask_permuted", "after PBS permutation")):
        m = [[int(ch) for ch in line] for line in r[key]]
        ax.imshow(m, cmap="Greys", interpolation="nearest")
        sel = sum(map(sum, m))
        ax.set_title("%s: %d blocks selected" % (title, sel))
        ax.set_xlabel("key block")
        ax.set_ylabel("query block")
    fig.suptitle("PBS threshold 0.9 block mask, %s, head 0" % r["case"])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def targets(by, peak_fn):
    cid = case_id(TARGET)
    out = ["## Target: dense causal fp32 attention, N = 4K, d = 128", ""]
    k, d = by.get((cid, 1, "kiln")), by.get((cid, 1, "onednn"))
    if not (k and d and k["status"] == "ok" and d["status"] == "ok"):
        return out + ["not measured in this run", ""]
    p = peak_fn(1)
    pct = 100 * k["executed_gflops"] / p if p else None
    ratio = d["median_s"] / k["median_s"]
    out += ["| check (1 thread) | value | target | verdict |",
            "|---|---:|---:|---|",
            "| Kiln executed %% of FMA peak | %s | >= 50%% | %s |" % (
                "%.0f%%" % pct if pct else "-",
                "n/a" if pct is None else ("PASS" if pct >= 50 else "FAIL")),
            "| Kiln speedup over oneDNN-composed | %.2fx | >= 1.5x | %s |" % (
                ratio, "PASS" if ratio >= 1.5 else "FAIL"), ""]
    return out


def plot(path, rows, threads_list, log):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("bench: no matplotlib (python3-matplotlib); skipping attention.png")
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, variant in zip(axes, ("dense", "causal")):
        for t in threads_list:
            for impl, color in (("onednn", "tab:blue"), ("kiln", "tab:red")):
                pts = sorted((r["n"], 1e3 * r["median_s"]) for r in rows
                             if r["variant"] == variant and r["impl"] == impl
                             and r["threads"] == t and r["status"] == "ok"
                             and r["h"] == 8 and r["hkv"] == 8
                             and r["d"] == 128)
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts],
                            "-" if t == 1 else "--", marker="o", color=color,
                            label="%s, %d thr" % (impl, t))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("N (tokens), H = 8, d = 128")
        ax.set_ylabel("ms (median)")
        ax.set_title("fp32 %s attention" % variant)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
