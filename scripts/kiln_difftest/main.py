"""Judging results, reproducers, the command line.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403
from .gen_conv import *  # noqa: F401,F403
from .gen_shape import *  # noqa: F401,F403
from .gen_quant import *  # noqa: F401,F403
from .gen_templates import *  # noqa: F401,F403
from .gen_kiln import *  # noqa: F401,F403
from .batch import *  # noqa: F401,F403

# ============================================================== judging

def judge(case, results, fused):
    """[(result, description)] of every disagreement of a case."""
    problems, dec = [], {}
    for res in RESULTS:
        got = results.get(res, f"{res}: not run")
        if isinstance(got, str):
            problems.append((res, got))
        elif len(got) != len(case.want):
            problems.append((res, f"{res}: {len(got)} outputs, expected "
                                  f"{len(case.want)}"))
        else:
            dec[res] = [decode(a, t) for a, t in zip(got, case.out_types)]
    for res, outs in dec.items():
        for j, (g, w, chk) in enumerate(zip(outs, case.want, case.checks)):
            msg = chk.compare(g, w)
            if msg:
                problems.append((res, f"{res} vs numpy, output {j}: {msg}"))
            if res != "O0" and "O0" in dec:
                msg = chk.compare(g, dec["O0"][j])
                if msg:
                    problems.append((res, f"{res} vs O0, output {j}: {msg}"))
    same = [("py-O3", "O3"), ("py-O0", "O0")] + \
        ([] if case.index in fused else [("O3nf", "O3")])
    for a, b in same:
        if a in dec and b in dec:
            for j, (x, y) in enumerate(zip(dec[a], dec[b])):
                if not np.array_equal(x, y, equal_nan=True):
                    diff = EXACT.compare(x, y) or "differ"
                    problems.append((a, f"{a} vs {b} (bitwise), output {j}: {diff}"))
    return problems


def classify(case, problems):
    """'ok', 'known' (every problem explained by a KNOWN tag) or 'failed'."""
    if not problems:
        return "ok", []
    tags = set(case.known)
    unexplained = [p for p in problems
                   if p[0] in ("import", "compile") or not tags]
    return ("known" if not unexplained else "failed"), sorted(tags)


def write_repro(batch, case, problems, keep):
    """DIR/case-<i>: the case (case.onnx / case.mlir), inputs, expected and
    obtained outputs, what differed and repro.sh."""
    d = os.path.join(keep, f"case-{case.index}")
    shutil.rmtree(d, ignore_errors=True)
    src = batch.case_dir(case)
    shutil.copytree(src, d)
    if case.index in batch.parts:
        with open(os.path.join(d, "case.mlir"), "w") as f:
            f.write(module_text([batch.parts[case.index]]))
    for j, w in enumerate(case.want):
        np.save(os.path.join(d, f"want{j}.npy"), w)
    ins = " ".join(f"--input=in{j}.npy" for j in range(len(case.inputs)))
    tools = batch.tools
    lines = ["#!/bin/sh", f"# difftest case {case.index}: {case.desc}",
             f"# inputs {case.types} -> outputs {case.out_types}; want*.npy: numpy's",
             "# (float64 values; bf16 as floats, f8/f4/i4 as codes)"]
    lines += [f"# {m}" for _, m in problems[:12]]
    lines += ["# the saved results are <config>-out<j>.npy; this writes "
              "repro-<config>-out<j>.npy", 'cd "$(dirname "$0")"', "set -x",
              f"B=${{KILN_BUILD:-{tools.build}}}",
              f"{sys.executable} {SCRIPT} --build $B "
              f"--seed {case.index} --cases 1"]
    for cfg, args in CONFIGS.items():
        outs = " ".join(f"--output=repro-{cfg}-out{j}.npy"
                        for j in range(len(case.want)))
        lines.append(f"$B/bin/kiln-compile case.mlir {' '.join(args)} -o {cfg}.so && "
                     f"$B/bin/kiln-run {cfg}.so --entry={case.entry} {ins} {outs}")
    lines.append("$B/bin/kiln-compile case.mlir --compile-to=graph -o - | grep -n kiln.")
    with open(os.path.join(d, "repro.sh"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(os.path.join(d, "repro.sh"), 0o755)
    with open(os.path.join(d, "problems.txt"), "w") as f:
        f.write(f"case {case.index}: {case.desc}\n" +
                "".join(f"{m}\n" for _, m in problems))
    return d


class Outcome:
    """What a batch reports: per case (status, tags, problems)."""

    def __init__(self, cases):
        self.cases = cases
        self.status, self.lines, self.fused, self.known = {}, [], set(), {}
        self.notes, self.times = [], {}


def run_batch(cases, tools, opts):
    out = Outcome(cases)
    with tempfile.TemporaryDirectory(prefix="difftest-") as tmp:
        b = Batch(cases, tools, opts, tmp)
        t0 = time.time()
        b.prepare()
        b.times["import"] = time.time() - t0
        b.compile_all()
        b.run_kiln()
        if opts.python:
            b.run_python()
        for c in cases:
            problems = b.problems[c.index]
            if not problems:
                res = b.results[c.index]
                if not opts.python:
                    res = dict(res, **{r: res.get("O3" if r == "py-O3" else "O0")
                                       for r in ("py-O3", "py-O0")})
                problems = judge(c, res, b.fused)
            status, tags = classify(c, problems)
            out.status[c.index] = status
            if status == "known":
                for t in tags:
                    out.known[t] = out.known.get(t, 0) + 1
            if c.index in b.fused:
                out.fused.add(c.index)
            if c.template and c.expect_fused is not None and \
                    c.expect_fused != (c.index in b.fused) and not problems:
                out.notes.append(f"NOTE c{c.index}: "
                                 f"{'expected fused, not fused' if c.expect_fused else 'fused against expectation'}"
                                 f" [{c.desc}]")
            if status == "ok" and not opts.keep_all:
                continue
            where = write_repro(b, c, problems, opts.keep) if opts.keep else \
                "(--keep DIR writes a reproducer)"
            if status == "ok":
                continue
            head = "FAIL" if status == "failed" else f"KNOWN({','.join(tags)})"
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            out.lines.append(f"{head} seed {c.index} [{c.desc}]: {problems[0][1]}"
                             f"{more} -> {where}")
        out.times = b.times
    return out


# ================================================================== main

def default_build():
    tools = os.environ.get("KILN_TOOLS_DIR")
    return os.path.dirname(os.path.abspath(tools)) if tools else \
        os.path.join(REPO, "build")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0, help="first case (default 0)")
    p.add_argument("--cases", type=int, default=100, help="number of cases")
    p.add_argument("--batch", type=int, default=50, help="cases per module")
    p.add_argument("--jobs", type=int, default=1, help="batches run at once")
    p.add_argument("--keep", metavar="DIR",
                   help="write a reproducer of every failing case under DIR")
    p.add_argument("--keep-all", action="store_true",
                   help="with --keep: write every case, passing or not")
    p.add_argument("--build", default=default_build(),
                   help="build directory (default: $KILN_TOOLS_DIR/.. or build/)")
    p.add_argument("--family", action="append", choices=list(FAMILIES),
                   help="only the cases of these families (repeatable)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads of the compiled code (default: all cores)")
    p.add_argument("--no-python", dest="python", action="store_false",
                   help="skip the Python runs")
    p.add_argument("--strict", action="store_true",
                   help="count mismatches of known defects as failures")
    p.add_argument("--list", action="store_true",
                   help="print the cases and exit")
    p.add_argument("--verbose", action="store_true",
                   help="also print fusion-expectation notes")
    p.add_argument("--python-worker", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def select(opts):
    idx = range(opts.seed, opts.seed + opts.cases)
    if opts.family:
        idx = [i for i in idx if family_of(i) in opts.family]
    return list(idx)


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    np.seterr(all="ignore")  # references make inf and NaN on purpose
    if opts.python_worker:
        return python_worker(opts.python_worker)
    indices = select(opts)
    if opts.list:
        for i in indices:
            c = make_case(i)
            print(f"c{i}{' T' if c.template else '  '} {c.desc}")
        return 0
    tools = Tools(opts.build, opts.threads)
    missing = tools.missing(opts.python)
    if missing:
        print(f"difftest: error: missing {', '.join(missing)} (--build DIR)")
        return 2
    if opts.keep:
        os.makedirs(opts.keep, exist_ok=True)
    t0 = time.time()
    chunks = [indices[i:i + opts.batch] for i in range(0, len(indices), opts.batch)]

    def one(chunk):
        cases = []
        for i in chunk:
            try:
                cases.append(make_case(i))
            except Exception as e:  # noqa: BLE001 (a generator bug is a failure)
                print(f"FAIL seed {i}: the generator raised {type(e).__name__}: {e}")
                raise
        return run_batch(cases, tools, opts)

    total = fused = failed = known = templates = 0
    fam_fused, notes, seen = {}, [], {}
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for chunk, out in zip(chunks, pool.map(one, chunks)):
            for line in out.lines:
                print(line, flush=True)
            st = list(out.status.values())
            total += len(st)
            failed += st.count("failed")
            known += st.count("known") if not opts.strict else 0
            failed += st.count("known") if opts.strict else 0
            fused += len(out.fused)
            notes += out.notes
            for t, n in out.known.items():
                seen[t] = seen.get(t, 0) + n
            for c in out.cases:
                if c.template:
                    templates += 1
                    n, f = fam_fused.get(c.family, (0, 0))
                    fam_fused[c.family] = (n + 1, f + (c.index in out.fused))
            tm = ", ".join(f"{k} {v:.1f} s" for k, v in out.times.items())
            print(f"batch {chunk[0]}..{chunk[-1]}: {len(st)} cases, {len(out.fused)} "
                  f"fused, {st.count('failed')} failed, {st.count('known')} known; "
                  f"{tm}", flush=True)
    if opts.verbose:
        for n in notes:
            print(n)
    for t, n in sorted(seen.items()):
        print(f"difftest: KNOWN {t} ({n} cases): {KNOWN[t]}")
    by_fam = ", ".join(f"{k} {f}/{n}" for k, (n, f) in sorted(fam_fused.items()))
    first, last = (indices[0], indices[-1]) if indices else (opts.seed, opts.seed)
    print(f"difftest: {templates} template cases (fused: {by_fam}); {len(notes)} "
          f"fusion-expectation notes; {known} known-defect mismatches; "
          f"{time.time() - t0:.1f} s")
    print(f"difftest: {total} cases, {fused} fused, {failed} failed "
          f"(seeds {first}..{last})")
    return 1 if failed else 0
