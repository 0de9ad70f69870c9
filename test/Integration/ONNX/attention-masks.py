# RUN: %python %s
# Decomposed attention as exporters write it, with a constant additive mask
# of every broadcast shape ([1,1,1,T] key rows stored as blobs, [B,1,1,T],
# [1,1,S,T], [B,H,S,T], a scalar, zero, causal and padding masks), compiled
# with the graph fusions (the default) and without, both against numpy.
# The first case is a miscompile found in review: a zero [1,1,1,T] mask with
# T >= 65 (a blob) was fused as `causal`.
import numpy as np

from onnx_testing import (Suite, assert_close, compile_to, make_model, node,
                          randn, rng, run_model)

suite = Suite("onnx-attention-masks")
R = rng(29)
f32 = np.float32
NEG = np.float32(-np.inf)


def softmax_attention(q, k, v, scale, mask):
    """numpy in float64; a row whose scores are all -inf gives 0 (Kiln's
    Softmax rule, where ONNX's formula gives NaN)."""
    s = (q.astype(np.float64) @ np.swapaxes(k, -1, -2).astype(np.float64))
    s = s * scale + mask.astype(np.float64)
    hidden = np.isneginf(s).all(axis=-1, keepdims=True)
    s = np.where(hidden, 0.0, s)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.where(hidden, 0.0, np.exp(s))
    p = p / np.where(hidden, 1.0, p.sum(axis=-1, keepdims=True))
    return p @ v.astype(np.float64)


def attention_model(b, h, s, t, d, mask, scale=0.125):
    """q k^T (K transposed by a Transpose node), Mul by the scale, Add the
    mask initializer, Softmax, MatMul v: the export of F.softmax(q @ k^T *
    scale + mask) @ v."""
    nodes = [node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
             node("MatMul", ["q", "kt"], ["s"]),
             node("Mul", ["s", "c"], ["s2"]),
             node("Add", ["s2", "m"], ["s3"]),
             node("Softmax", ["s3"], ["p"], axis=-1),
             node("MatMul", ["p", "v"], ["o"])]
    ins = [("q", f32, [b, h, s, d]), ("k", f32, [b, h, t, d]),
           ("v", f32, [b, h, t, d])]
    return make_model(nodes, ins, [("o", f32, [b, h, s, d])],
                      {"c": np.array(scale, f32), "m": mask})


def check(name, b, h, s, t, d, mask, fused_as, atol=1e-5):
    """Runs the model fused and unfused against numpy; `fused_as` is what
    the graph phase must show: 'causal', 'mask', 'plain' or None (not
    fused)."""
    model = attention_model(b, h, s, t, d, mask)
    graph = compile_to(model, "graph")
    fused = "kiln.attention" in graph
    if fused_as is None:
        assert not fused, f"{name}: fused, but must not be:\n{graph}"
    else:
        assert fused, f"{name}: not fused:\n{graph}"
        line = next(l for l in graph.splitlines() if "kiln.attention" in l)
        assert ("causal" in line) == (fused_as == "causal"), line
        assert ("mask(" in line) == (fused_as == "mask"), line
    q, k, v = (randn(R, b, h, n, d) for n in (s, t, t))
    want = softmax_attention(q, k, v, 0.125, mask).astype(f32)
    worst = 0.0
    for args in ((), ("--graph-fusion=false",)):
        got, = run_model(model, [q, k, v], compile_args=args)
        worst = max(worst, assert_close(f"{name}{args}", got, want,
                                        rtol=1e-4, atol=atol))
    return f"max err {worst:.2g}"


@suite.case
def zero_key_row_blob_unit_batch():
    # The review's case: B = H = 1, T = 80 (a blob), S = 40, D = 64.
    return check("zero_key_row", 1, 1, 40, 80, 64,
                 np.zeros((1, 1, 1, 80), f32), "plain")


@suite.case
def zero_key_row_blob_batched():
    return check("zero_key_row_b", 2, 3, 17, 70, 16,
                 np.zeros((1, 1, 1, 70), f32), "plain")


@suite.case
def key_padding_row():
    m = np.zeros((1, 1, 1, 67), f32)
    m[..., 60:] = NEG
    return check("key_padding", 1, 2, 9, 67, 8, m, "mask")


@suite.case
def key_padding_per_batch():
    m = np.zeros((2, 1, 1, 33), f32)
    m[1, ..., 30:] = NEG
    return check("key_padding_b", 2, 2, 5, 33, 8, m, "mask")


@suite.case
def causal_square_and_bottom_right():
    worst = []
    for s, t in ((21, 21), (13, 70)):
        m = np.where(np.arange(t)[None, :] <= np.arange(s)[:, None] + t - s,
                     0, NEG).astype(f32)[None, None]
        worst.append(check(f"causal_{s}x{t}", 1, 2, s, t, 16, m, "causal"))
    return ", ".join(worst)


@suite.case
def causal_full_shape_finite_fill():
    s = t = 11
    m = np.where(np.arange(t)[None, :] <= np.arange(s)[:, None], 0,
                 np.finfo(f32).min).astype(f32)
    return check("causal_full", 2, 2, s, t, 8,
                 np.broadcast_to(m, (2, 2, s, t)).copy(), "causal")


@suite.case
def more_queries_than_keys():
    # Causal with S > T hides every key of the first rows: with -inf they
    # give 0 fused and unfused (`causal`); with a finite fill they average
    # V, so the mask is kept rather than made `causal`.
    s, t = 9, 5
    visible = np.arange(t)[None, :] <= np.arange(s)[:, None] + t - s
    inf = np.where(visible, 0, NEG).astype(f32)[None, None]
    finite = np.where(visible, 0, np.finfo(f32).min).astype(f32)[None, None]
    return ", ".join([check("causal_s_gt_t", 1, 1, s, t, 8, inf, "causal"),
                      check("finite_s_gt_t", 1, 1, s, t, 8, finite, "mask")])


@suite.case
def scalar_and_square_zero():
    return ", ".join([
        check("scalar_zero", 2, 2, 7, 66, 8, np.zeros((), f32), "plain"),
        check("square_zero", 1, 2, 7, 66, 8, np.zeros((1, 1, 7, 66), f32),
              "plain")])


@suite.case
def very_negative_logits():
    # Every logit of a row far below 0 (a finite mask of -1e4 on it): the
    # softmax is still a proper average. The vectorized row max once let
    # masked-off lanes count as 0, and such rows came out 0 at -O3.
    m = np.zeros((1, 1, 7, 19), f32)
    m[..., 2, :] = -1e4
    m[..., 5, :] = np.finfo(f32).min
    # Scores near -1e4 keep f32's resolution there (1e-3) in the graph as
    # in the fused op: the tolerance allows that, not a row of zeros.
    return check("negative_rows", 2, 2, 7, 19, 8, m, "mask", atol=2e-3)


@suite.case
def general_mask_kept():
    m = randn(R, 1, 1, 6, 9)
    return check("general", 2, 2, 6, 9, 8, m, "mask")


if __name__ == "__main__":
    suite.main()
