# Kiln: the README's two commands are `make demo` and `make check`.
BUILD ?= build
LLVM ?= /usr/lib/llvm-22
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=$(LLVM)/lib/cmake/mlir -DLLVM_EXTERNAL_LIT=$(LLVM)/bin/lit \
  -DCMAKE_C_COMPILER=$(LLVM)/bin/clang -DCMAKE_CXX_COMPILER=$(LLVM)/bin/clang++ \
  -DLLVM_USE_LINKER=lld

.PHONY: all deps configure build check check-full demo docs clean bench bench-deps

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS) --target kiln-opt kiln-compile kiln-run kiln_runtime kiln_parallel KilnUnitTests kiln-doc _kiln

# Every test suite; the last line is "N passed, N failed, N skipped".
check: build
	@scripts/run-tests.sh $(BUILD)

# `check` plus the whole end-to-end numeric matrix (test/Integration/CPU/e2e,
# REQUIRES: kiln-full); `make check` runs only its seeded sample.
check-full: build
	@scripts/run-tests.sh $(BUILD) --param kiln_full=1

# Kiln's main job for now: each example through kiln-opt to the reference
# lowering, printed.
demo: build
	@scripts/demo.sh $(BUILD)

# Benchmarks (bench/README.md, rules in BENCHMARKS.md): FMA peak, fp32 matmul
# vs oneDNN and OpenBLAS; tables and plots in bench/results/.
# `make bench FILTER=matmul` (a regex on the case names), BENCH_ARGS=--full.
bench-deps:
	@scripts/install-deps.sh bench

bench: build bench-deps
	/usr/bin/python3 bench/run.py --build-dir $(BUILD) --jobs $(JOBS) \
	  $(if $(FILTER),--filter '$(FILTER)') $(BENCH_ARGS)

# Regenerates the dialect and pass reference in docs/ from ODS.
docs: configure
	cmake --build $(BUILD) --target kiln-doc
	cp $(BUILD)/docs/*.md docs/

clean:
	rm -rf $(BUILD)
