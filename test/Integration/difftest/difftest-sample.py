# RUN: rm -rf %t.repros
# RUN: %python %kiln_src_root/scripts/difftest.py --seed 0 --cases 100 --keep %t.repros
# Differential testing, seeded sample (make check): cases 0..99 of
# scripts/difftest.py -- generated ONNX graphs (elementwise with broadcasts,
# contractions, norms, conv / pooling, shape and quantization ops), the
# fusion templates (PyTorch-style attention with every mask shape, conv +
# BatchNormalization, QDQ around MatMul / Conv, the same patterns in the kiln
# dialect) and kiln ops, batched about 50 to a module, compiled at -O0, -O3
# and -O3 --graph-fusion=false, run through kiln-run and the kiln Python
# package, and compared with each other and with numpy. A failing case prints
# its seed and a reproducer directory under %t.repros; rerun one case with
# `scripts/difftest.py --seed I --cases 1 --keep DIR`.
# difftest-full.py runs cases 100..599 (make check-full).
