#!/usr/bin/env bash
# Kiln's main job: compile every example with kiln-compile, run it with
# kiln-run on seeded inputs, check it against numpy and time it.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/../examples/demo.py" "${1:-build}"
