"""Cases merged into modules, compiled and run (kiln-run, Python).

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

# ================================================================ modules

FUNC_RE = re.compile(r"^\s*func\.func (?:(?:private|public|nested) )?@([\w$.]+)", re.M)
RES_RE = re.compile(r'^\s*([\w.$]+): "(0x[0-9A-Fa-f]*)"', re.M)


class Part:
    """One case's functions in a batch module: body text (entry c<i>,
    helpers c<i>_name, private) and its dense_resource blobs."""

    def __init__(self, index, text, entry):
        head, _, tail = text.partition("{-#")
        resources = dict(RES_RE.findall(tail))
        lines = head.rstrip().splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.startswith("module")), None)
        aliases = lines[:start] if start is not None else []
        if start is not None:
            end = max(i for i, ln in enumerate(lines) if ln.strip() == "}")
            lines = lines[start + 1:end]
        prefix = f"c{index}"
        # attribute / type aliases (#map = ...) are module-wide: made unique
        body = "\n".join(aliases + ["\x00"] + lines)
        for name in re.findall(r"^([#!][\w.$]+) = ", "\n".join(aliases), re.M):
            body = re.sub(re.escape(name) + r"(?![\w.$])",
                          name[0] + prefix + "_" + name[1:], body)
        aliases, body = body.split("\x00")
        self.aliases = aliases.strip()
        names = {n: prefix if n == entry else f"{prefix}_{n}"
                 for n in FUNC_RE.findall(body)}
        body = re.sub(r"@([\w$.]+)", lambda m: "@" + names.get(m.group(1), m.group(1)),
                      body)
        body = re.sub(rf"func\.func @({prefix}_[\w$.]+)", r"func.func private @\1", body)
        body = re.sub(r"dense_resource<([\w.$]+)>",
                      lambda m: f"dense_resource<{prefix}_{m.group(1)}>", body)
        self.index, self.body = index, body
        self.resources = {f"{prefix}_{k}": v for k, v in resources.items()}


def module_text(parts):
    """One module of the parts' functions, their blobs merged."""
    text = "".join(p.aliases + "\n" for p in parts if p.aliases)
    text += "module {\n" + "\n".join(p.body for p in parts) + "\n}\n"
    res = {k: v for p in parts for k, v in p.resources.items()}
    if res:
        text += ("\n{-#\n  dialect_resources: {\n    builtin: {\n" +
                 ",\n".join(f'      {k}: "{v}"' for k, v in res.items()) +
                 "\n    }\n  }\n#-}\n")
    return text


def function_ops(text):
    """{function name: (kiln.attention count, kiln.batch_norm count)}."""
    counts, cur = {}, None
    for line in text.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = m.group(1)
            counts.setdefault(cur, [0, 0])
        elif cur:
            counts[cur][0] += len(re.findall(r"\bkiln\.attention\b(?!_)", line))
            counts[cur][1] += line.count("kiln.batch_norm")
    return counts


def case_ops(counts, index):
    att = bn = 0
    for name, (a, b) in counts.items():
        if name == f"c{index}" or name.startswith(f"c{index}_"):
            att, bn = att + a, bn + b
    return att, bn


# ================================================================ running

class Tools:
    def __init__(self, build, threads=None):
        self.build = os.path.abspath(build)
        self.compile = os.path.join(self.build, "bin", "kiln-compile")
        self.run = os.path.join(self.build, "bin", "kiln-run")
        self.python = os.path.join(self.build, "python")
        self.threads = threads

    def missing(self, python):
        need = [self.compile, self.run] + ([os.path.join(self.python, "kiln")]
                                           if python else [])
        return [p for p in need if not os.path.exists(p)]


def sh(cmd, timeout=600):
    """(exit code, stdout, stderr); 124 on a timeout."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s"
    except OSError as e:  # a tool missing (a build under way)
        return 127, "", f"error: {e}"


def brief(rc, err):
    """The first error line of a failed tool, with a crash marked."""
    lines = [ln for ln in err.splitlines() if "error" in ln.lower()] or \
        err.strip().splitlines()[-3:] or [""]
    crash = f" (CRASH, rc {rc})" if rc < 0 or rc > 128 else \
        " (timeout)" if rc == 124 else ""
    return (lines[0].strip()[:300] + crash).strip()


class Batch:
    """One batch of cases in a scratch directory."""

    def __init__(self, cases, tools, opts, tmp):
        self.cases, self.tools, self.opts, self.tmp = cases, tools, opts, tmp
        self.parts, self.problems = {}, {c.index: [] for c in cases}
        self.results = {c.index: {} for c in cases}
        self.fused, self.times = set(), {}
        self.src = os.path.join(tmp, "batch.mlir")

    def fail(self, index, what, msg):
        self.problems[index].append((what, msg))

    def live(self):
        return [c for c in self.cases if c.index in self.parts and
                not self.problems[c.index]]

    # -- preparing

    def prepare(self):
        for c in self.cases:
            d = self.case_dir(c)
            for j, (a, t) in enumerate(zip(c.inputs, c.types)):
                np.save(os.path.join(d, f"in{j}.npy"), to_npy(a, t))
            if c.mlir is not None:
                self.parts[c.index] = Part(c.index, c.mlir, "f")
                continue
            path = os.path.join(d, "case.onnx")
            with open(path, "wb") as f:
                f.write(c.onnx.SerializeToString())
            rc, out, err = sh([self.tools.compile, path, "--compile-to=input",
                               "-o", "-"], 120)
            if rc:
                self.fail(c.index, "import", "kiln-compile --compile-to=input: " +
                          brief(rc, err))
            else:
                self.parts[c.index] = Part(c.index, out, "main")

    def case_dir(self, c):
        d = os.path.join(self.tmp, f"c{c.index}")
        os.makedirs(d, exist_ok=True)
        return d

    # -- compiling, with bisection

    def compile(self, cases, args, out, name):
        path = os.path.join(self.tmp, f"{name}.mlir")
        with open(path, "w") as f:
            f.write(module_text([self.parts[c.index] for c in cases]))
        rc, _, err = sh([self.tools.compile, path, "-o", out] + args, 1800)
        return None if rc == 0 else brief(rc, err)

    def bisect(self, cases, args, err):
        """The cases whose own compile fails (err: the whole set's error)."""
        if len(cases) == 1:
            return {cases[0].index: err}
        half = len(cases) // 2
        bad = {}
        for sub in (cases[:half], cases[half:]):
            e = self.compile(sub, args, os.path.join(self.tmp, "bisect.out"),
                             "bisect")
            if e:
                bad.update(self.bisect(sub, args, e))
        return bad

    def compile_config(self, cfg, args, out):
        """Compiles the live cases; bisects a failure to its cases, which
        fail, and compiles the rest."""
        t0 = time.time()
        cases = self.live()
        err = self.compile(cases, args, out, cfg) if cases else None
        if err:
            bad = self.bisect(cases, args, err) or \
                {c.index: "fails only in the merged module: " + err for c in cases}
            for i, e in bad.items():
                self.fail(i, "compile", f"{cfg}: kiln-compile {' '.join(args)}: {e}")
            rest = self.live()
            err = self.compile(rest, args, out, cfg) if rest else None
            for c in rest if err else []:
                self.fail(c.index, "compile", f"{cfg}: {err}")
        self.times["compile"] = self.times.get("compile", 0) + time.time() - t0

    def compile_all(self):
        graph = os.path.join(self.tmp, "graph.mlir")
        self.compile_config("graph", ["--compile-to=graph"], graph)
        if os.path.exists(graph):
            before = function_ops(module_text([self.parts[c.index] for c in self.live()]))
            with open(graph) as f:
                after = function_ops(f.read())
            for c in self.live():
                a0, b0 = case_ops(before, c.index)
                a1, b1 = case_ops(after, c.index)
                if a1 > a0 or b1 < b0:
                    self.fused.add(c.index)
        for cfg, args in CONFIGS.items():
            self.compile_config(cfg, args, os.path.join(self.tmp, f"{cfg}.so"))
        with open(self.src, "w") as f:
            f.write(module_text([self.parts[c.index] for c in self.live()]))

    # -- running

    def out_paths(self, c, res):
        return [os.path.join(self.case_dir(c), f"{res}-out{j}.npy")
                for j in range(len(c.want))]

    def in_paths(self, c):
        return [os.path.join(self.case_dir(c), f"in{j}.npy")
                for j in range(len(c.inputs))]

    def run_kiln(self):
        t0 = time.time()
        for c in self.live():
            for cfg in CONFIGS:
                outs = self.out_paths(c, cfg)
                cmd = [self.tools.run, os.path.join(self.tmp, f"{cfg}.so"),
                       f"--entry={c.entry}"] + \
                    [f"--input={p}" for p in self.in_paths(c)] + \
                    [f"--output={p}" for p in outs]
                if self.tools.threads is not None:
                    cmd.append(f"--threads={self.tools.threads}")
                rc, _, err = sh(cmd, 300)
                self.results[c.index][cfg] = \
                    [np.load(p) for p in outs] if rc == 0 else \
                    f"{cfg}: kiln-run: {brief(rc, err)}"
        self.times["run"] = time.time() - t0

    def run_python(self):
        """The Python worker: compiles the module in-process at -O3 and runs
        every entry on that artifact and on the -O0 one. A crash is pinned
        on the entry that was running and the worker restarted."""
        t0 = time.time()
        cases = {c.entry: c for c in self.live()}
        job = {"python": self.tools.python, "threads": self.tools.threads,
               "compile": {"src": self.src, "out": os.path.join(self.tmp, "py-O3.so")},
               "artifacts": {"py-O3": os.path.join(self.tmp, "py-O3.so"),
                             "py-O0": os.path.join(self.tmp, "O0.so")},
               "entries": [{"name": e, "inputs": self.in_paths(c), "types": c.types,
                            "out_types": c.out_types,
                            "outs": {r: self.out_paths(c, r) for r in ("py-O3", "py-O0")}}
                           for e, c in cases.items()],
               "progress": os.path.join(self.tmp, "py-progress.txt"), "skip": []}
        jpath = os.path.join(self.tmp, "py-job.json")
        for _ in range(len(cases) * 2 + 2):
            with open(jpath, "w") as f:
                json.dump(job, f)
            open(job["progress"], "w").close()
            rc, out, err = sh([sys.executable, SCRIPT,
                               "--python-worker", jpath], 3600)
            if rc == 0:
                break
            with open(job["progress"]) as f:
                lines = f.read().split()
            started = [ln for ln in lines if ln.startswith("start:")]
            if not started:  # died before any entry ran
                for c in cases.values():
                    for res in ("py-O3", "py-O0"):
                        self.results[c.index][res] = \
                            f"{res}: python worker: {brief(rc, err)}"
                return
            res, name = started[-1][6:].split("/")
            self.results[cases[name].index][res] = \
                f"{res}: python run crashed (rc {rc}): {brief(rc, err)}"
            job["skip"] = [ln[5:] for ln in lines if ln.startswith("done:")] + \
                [started[-1][6:]] + job["skip"]
        for c in cases.values():
            for res in ("py-O3", "py-O0"):
                if res in self.results[c.index]:
                    continue
                outs = self.out_paths(c, res)
                if os.path.exists(outs[0] + ".err"):
                    with open(outs[0] + ".err") as f:
                        self.results[c.index][res] = f"{res}: {f.read().strip()[:300]}"
                elif all(os.path.exists(p) for p in outs):
                    self.results[c.index][res] = [np.load(p) for p in outs]
                else:
                    self.results[c.index][res] = f"{res}: no output"
        self.times["python"] = time.time() - t0


def python_worker(job_path):
    """Runs in a child process: the kiln package on one batch."""
    with open(job_path) as f:
        job = json.load(f)
    sys.path.insert(0, job["python"])
    from kiln import _kiln
    if job["threads"] is not None:
        _kiln.set_num_threads(job["threads"])
    try:
        import ml_dtypes as ml
    except ImportError:
        ml = None
    progress = open(job["progress"], "a")
    comp = job["compile"]
    compile_error = None
    if not os.path.exists(comp["out"]):
        try:
            with open(comp["src"], "rb") as f:
                _kiln.compile_file(f.read(), False, "batch.mlir", comp["out"],
                                   "native", 3, True)
        except Exception as e:  # noqa: BLE001
            compile_error = "kiln._kiln.compile_file: " + str(e).strip().replace(
                "\n", " | ")[:300]
    skip = set(job["skip"])
    for res, path in job["artifacts"].items():
        art = None
        try:
            art = _kiln.Artifact(path)
        except Exception as e:  # noqa: BLE001
            err = compile_error if res == "py-O3" and compile_error else str(e)
        for e in job["entries"]:
            key = f"{res}/{e['name']}"
            if key in skip:
                continue
            outs = e["outs"][res]
            if art is None:
                with open(outs[0] + ".err", "w") as f:
                    f.write(err)
                continue
            progress.write(f"start:{key}\n")
            progress.flush()
            try:
                got = art.run(e["name"], [to_python(np.load(p), t, ml) for p, t in
                                          zip(e["inputs"], e["types"])])
                for p, a, t in zip(outs, got, e["out_types"]):
                    np.save(p, from_python(np.asarray(a), t))
            except Exception as ex:  # noqa: BLE001
                with open(outs[0] + ".err", "w") as f:
                    f.write("kiln._kiln.Artifact.run: " + str(ex))
            progress.write(f"done:{key}\n")
            progress.flush()
    return 0
