"""The matmul tables and plot of `make bench` (matmul.md, matmul.png),
from matmul_bench's results; called by run.py."""
import os

LLM_NAMES = {(4096, 4096): "O proj", (4096, 14336): "gate/up",
             (4096, 6144): "QKV", (14336, 4096): "down"}


def shape_name(s):
    return "%dx%dx%d" % s


def shape_label(s):
    m, k, n = s
    if m == k == n:
        return "%d^3" % m
    name = LLM_NAMES.get((k, n))
    return ("%s M=%d K=%d N=%d" % (name, m, k, n) if name else
            "M=%d K=%d N=%d" % (m, k, n))


def fmt(x, spec="%.1f"):
    return "-" if x is None else spec % x


def write_md(out, rows, infos, peak_fn, kernel, env_note, threads_list,
             shapes, header):
    by = {(r["shape"], r["threads"], r["impl"]): r for r in rows}
    lines = ["# fp32 matmul: Kiln vs oneDNN vs OpenBLAS", ""]
    lines.append(header)
    for t in threads_list:
        i = infos.get(t, {})
        if i:
            lines.append("- %d thread%s: OpenBLAS %d threads, OpenMP (oneDNN) "
                         "%d threads, Kiln kiln_set_num_threads(%d)" %
                         (t, "" if t == 1 else "s", i.get("openblas_threads", -1),
                          i.get("omp_threads", -1), t))
    i = next(iter(infos.values()), {})
    if i:
        lines.append("- BLAS: %s (kernel %s)%s" % (i.get("openblas_config"),
                                                   i.get("openblas_core"),
                                                   env_note))
        lines.append("- oneDNN %s (%s runtime), matmul primitive with plain "
                     "row-major layouts, created outside the timed region" %
                     (i.get("onednn_version"), i.get("onednn_runtime")))
    for t in threads_list:
        p = peak_fn(t)
        lines.append("- fp32 FMA peak at %d thread%s: %s GFLOP/s (%s; "
                     "fma_peak.md)" % (t, "" if t == 1 else "s", fmt(p),
                                       kernel))
    lines += [
        "",
        "C[M,N] = A[M,K] * B[K,N], fp32, row-major; GFLOP/s = 2*M*N*K / time "
        "(executed work). Median of the timed calls after warm-up (at least "
        "5; more for fast shapes, about 1 s in all), min..max across them. "
        "Every result is checked against OpenBLAS's (max |C - C_ref| / "
        "max |C_ref|) before it is timed. Kiln: `kiln-compile --emit=shared` "
        "of one kiln.matmul per shape, run through the C runtime (kiln_run; "
        "the time includes allocating the result, which the artifact does). "
        "Each implementation runs after a 0.3 s pause so that the previous "
        "library's spinning threads have gone to sleep. B GB/s: the bytes of "
        "B (the weights, K*N*4) per second, the figure that counts for the "
        "memory-bound shapes (M <= 64), where % of peak says little.", ""]
    for t in threads_list:
        p = peak_fn(t)
        lines.append("## %d thread%s" % (t, "" if t == 1 else "s"))
        lines.append("")
        lines.append("| shape | M x K x N | impl | GFLOP/s (median) | min..max "
                     "| % of peak | vs oneDNN | B GB/s | max rel err | reps "
                     "| note |")
        lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for s in shapes:
            sn = shape_name(s)
            ref = by.get((sn, t, "onednn"))
            refg = ref["gflops"] if ref and ref["status"] == "ok" else None
            for r in rows:
                if r["shape"] != sn or r["threads"] != t:
                    continue
                if r["status"] == "ok":
                    g = r["gflops"]
                    gbs = 4.0 * s[1] * s[2] / r["median_s"] * 1e-9
                    lines.append(
                        "| %s | %s | %s | %.1f | %.1f..%.1f | %s | %s | %.1f | "
                        "%.1e | %d | %s |" % (
                            shape_label(s), sn, r["impl"], g,
                            r["gflops_worst"], r["gflops_best"],
                            fmt(100 * g / p if p else None, "%.0f%%"),
                            fmt(g / refg if refg else None, "%.2fx"), gbs,
                            r["max_rel_err"], r["reps"], r["note"]))
                else:
                    name = {"unavailable": "not available"}.get(r["status"],
                                                                 r["status"])
                    err = ("%.1e" % r["max_rel_err"]
                           if r["max_rel_err"] >= 0 else "-")
                    lines.append("| %s | %s | %s | %s (%s) | | | | | %s | | |" %
                                 (shape_label(s), sn, r["impl"], name,
                                  r["note"].replace("|", "/"), err))
        lines.append("")
    lines += targets_section(by, peak_fn, threads_list)
    with open(os.path.join(out, "matmul.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def targets_section(by, peak_fn, threads_list):
    """The issue's target: 1024^3 >= 70% of the FMA peak on 1 thread and
    >= 0.8x oneDNN at 1 and 2 threads."""
    sn = "1024x1024x1024"
    out = ["## Target: fp32 matmul 1024^3", ""]
    if not any(k[0] == sn for k in by):
        return out + ["not measured in this run (filtered out)", ""]
    out += ["| check | value | target | verdict |", "|---|---:|---:|---|"]

    def ok(r):
        return r is not None and r["status"] == "ok"
    k1 = by.get((sn, 1, "kiln"))
    p1 = peak_fn(1)
    if ok(k1) and p1:
        v = 100 * k1["gflops"] / p1
        out.append("| Kiln %% of FMA peak, 1 thread | %.0f%% | >= 70%% | %s |" %
                   (v, "PASS" if v >= 70 else "FAIL"))
    else:
        out.append("| Kiln %% of FMA peak, 1 thread | - | >= 70%% | n/a (%s) |" %
                   ("Kiln not measured" if not ok(k1) else "no peak"))
    for t in (1, 2):
        k, d = by.get((sn, t, "kiln")), by.get((sn, t, "onednn"))
        label = "| Kiln / oneDNN, %d thread%s" % (t, "" if t == 1 else "s")
        if t not in threads_list:
            out.append(label + " | - | >= 0.8x | n/a (not run) |")
        elif ok(k) and ok(d):
            v = k["gflops"] / d["gflops"]
            out.append(label + " | %.2fx | >= 0.8x | %s |" %
                       (v, "PASS" if v >= 0.8 else "FAIL"))
        else:
            out.append(label + " | - | >= 0.8x | n/a (not measured) |")
    return out + [""]


def plot(out, rows, peak_fn, threads_list, shapes, log):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("bench: no matplotlib (python3-matplotlib); skipping matmul.png")
        return
    groups = [("squares (M = K = N)", [s for s in shapes if s[0] == s[1] == s[2]]),
              ("LLM layers (M = tokens)", [s for s in shapes
                                           if not s[0] == s[1] == s[2]])]
    groups = [g for g in groups if g[1]]
    fig, axes = plt.subplots(1, len(groups), figsize=(7 * len(groups), 5),
                             squeeze=False)
    impls = []
    for r in rows:
        if r["impl"] not in impls:
            impls.append(r["impl"])
    colors = {"kiln": "tab:red", "onednn": "tab:blue",
              "onednn_sgemm": "tab:cyan", "openblas": "tab:green"}
    styles = {}
    for i, t in enumerate(threads_list):
        styles[t] = ("-", "o") if i == 0 else ("--", "s")
    for ax, (title, ss) in zip(axes[0], groups):
        xs = list(range(len(ss)))
        for t in threads_list:
            for impl in impls:
                ys = []
                for s in ss:
                    r = next((r for r in rows if r["shape"] == shape_name(s)
                              and r["threads"] == t and r["impl"] == impl), None)
                    ys.append(r["gflops"] if r and r["status"] == "ok" else None)
                if all(y is None for y in ys):
                    continue
                ls, mk = styles[t]
                ax.plot([x for x, y in zip(xs, ys) if y is not None],
                        [y for y in ys if y is not None], ls, marker=mk,
                        color=colors.get(impl), label="%s, %d thr" % (impl, t))
            p = peak_fn(t)
            if p:
                ax.axhline(p, color="gray", linestyle=styles[t][0], linewidth=1)
                ax.text(xs[-1], p, " FMA peak %d thr" % t, va="bottom",
                        ha="right", fontsize=8, color="gray")
        ax.set_xticks(xs)
        if ss[0][0] == ss[0][1] == ss[0][2]:
            ax.set_xticklabels([str(s[0]) for s in ss])
            ax.set_xlabel("M = K = N")
        else:
            ax.set_xticklabels(["%d x %d x %d" % s for s in ss], rotation=30,
                               ha="right", fontsize=8)
            ax.set_xlabel("M (tokens) x K x N")
        ax.set_ylabel("GFLOP/s (median)")
        ax.set_ylim(bottom=0)
        ax.set_title("fp32 matmul, " + title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "matmul.png"), dpi=110)
    plt.close(fig)
