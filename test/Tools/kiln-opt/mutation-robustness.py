# RUN: %python %s %kiln_src_root
# Bad input never crashes kiln-opt: every kiln test case, mutated at random
# (shapes, element types, attribute values, dropped tokens and lines), must
# parse-and-verify, lower and tile with exit code 0 or 1, never a signal or
# another code. Seeded, so a failure reproduces; the failing input is printed.
import os
import random
import re
import subprocess
import sys
import tempfile

root = sys.argv[1]
opt = os.path.join(os.environ.get("KILN_TOOLS_DIR", ""), "kiln-opt")
rng = random.Random(20261123)

cases = []
for sub in ("Dialect", "Conversion", "Transforms"):
    for dirpath, _, files in os.walk(os.path.join(root, "test", sub)):
        for f in sorted(files):
            if f.endswith(".mlir"):
                text = open(os.path.join(dirpath, f)).read()
                for chunk in text.split("// -----"):
                    if "kiln." in chunk:
                        # Drop RUN/CHECK/expected lines: only the IR matters.
                        ir = "\n".join(l for l in chunk.splitlines()
                                       if not l.lstrip().startswith("//"))
                        cases.append((f, ir))
cases.sort()
if not cases:
    sys.exit("no kiln test cases found under " + root)

DIM = re.compile(r"(?<=[<x])(\d+)(?=x)")
ELT = re.compile(r"\b(f32|f16|bf16|i32|i8|i4|f8E4M3FN|f4E2M1FN|f8E8M0FNU)\b")
INT = re.compile(r"(?<=[ =:<,\[])(-?\d+)(?= ?[:,>\]])")


def mutate(ir):
    kind = rng.randrange(6)
    if kind == 0:  # a tensor dimension
        ms = list(DIM.finditer(ir))
        if ms:
            m = rng.choice(ms)
            new = rng.choice(["0", "1", "2", "3", "7", "?", "1000000"])
            return ir[:m.start()] + new + ir[m.end():]
    if kind == 1:  # an element type
        ms = list(ELT.finditer(ir))
        if ms:
            m = rng.choice(ms)
            # Not "index": upstream's parser crashes on `array<index: ...>`
            # (DenseArrayAttr of index), which no Kiln code can prevent.
            new = rng.choice(["f32", "f16", "i32", "i8", "i4", "f8E4M3FN"])
            return ir[:m.start()] + new + ir[m.end():]
    if kind == 2:  # an integer attribute value
        ms = list(INT.finditer(ir))
        if ms:
            m = rng.choice(ms)
            new = rng.choice(["0", "-1", "-7", "3", "64", "9223372036854775807"])
            return ir[:m.start()] + new + ir[m.end():]
    if kind == 3:  # drop a line
        lines = ir.splitlines()
        if lines:
            del lines[rng.randrange(len(lines))]
            return "\n".join(lines)
    if kind == 4:  # drop a token
        toks = ir.split(" ")
        if len(toks) > 1:
            del toks[rng.randrange(len(toks))]
            return " ".join(toks)
    # truncate
    return ir[: rng.randrange(max(1, len(ir)))]


RUNS = [[], ["--convert-kiln-to-linalg"],
        ["--kiln-test-tiling-interface=tile-sizes=1,2,3,5"],
        # The graph and attention rewrites on whatever survives parsing.
        ["--kiln-fuse-attention", "--kiln-fold-conv-bn",
         "--kiln-route-blocks=all=true split-self=true",
         "--kiln-tile=q-tile=4 kv-tile=4"]]
failures = 0
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "m.mlir")
    for i in range(400):
        name, ir = rng.choice(cases)
        mutated = mutate(ir)
        with open(path, "w") as f:
            f.write(mutated)
        for extra in RUNS:
            r = subprocess.run([opt, path] + extra, capture_output=True, text=True)
            checked += 1
            if r.returncode not in (0, 1):
                failures += 1
                print(f"kiln-opt {' '.join(extra)} exited {r.returncode} on a "
                      f"mutation of {name}:\n{mutated}\n{r.stderr[-2000:]}")
            if r.returncode != 0:
                break  # a rejected input is not lowered further
print(f"{checked} runs, {failures} crashes")
sys.exit(1 if failures else 0)
