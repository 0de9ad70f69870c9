"""Runs a tool on ONNX models written in ONNX's text syntax (onnx.parser).

Usage: onnx_text.py FILE TOOL [ARGS...]

FILE holds one or more models separated by lines `# -----` (like MLIR's
--split-input-file). Each is parsed, saved as chunkN.onnx in a temporary
folder, and TOOL ARGS... chunkN.onnx is run on it. Its stdout and stderr are
printed in order, with `// -----` between chunks and `exit N` after a
non-zero exit, so one FileCheck run checks every model and every
diagnostic. A chunk starting with `# raw:` is written as the bytes after the
marker (hex), for files that are not valid protobuf.
"""
import os
import subprocess
import sys
import tempfile

import onnx
import onnx.parser


def chunks(text):
    part = []
    for line in text.splitlines():
        if line.strip() == "# -----":
            yield "\n".join(part)
            part = []
        else:
            part.append(line)
    yield "\n".join(part)


def main():
    path, tool = sys.argv[1], sys.argv[2:]
    with open(path) as f:
        text = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        for i, chunk in enumerate(chunks(text)):
            if i:
                print("// -----", flush=True)
            model_path = os.path.join(tmp, f"chunk{i}.onnx")
            raw = [l for l in chunk.splitlines() if l.startswith("# raw:")]
            if raw:
                data = bytes.fromhex(raw[0][len("# raw:"):].strip())
            else:
                data = onnx.parser.parse_model(chunk).SerializeToString()
            with open(model_path, "wb") as f:
                f.write(data)
            run = subprocess.run(tool + [model_path], capture_output=True,
                                 text=True)
            sys.stdout.write(run.stdout)
            sys.stdout.write(run.stderr.replace(tmp + os.sep, ""))
            if run.returncode:
                print(f"exit {run.returncode}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
