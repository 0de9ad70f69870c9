# REQUIRES: torch
# RUN: %python %s
# ONNX convolution, normalization and pooling ops through kiln-compile +
# kiln-run against torch.nn.functional in float64: Conv (bias or not,
# asymmetric pads, stride, dilation, groups, depthwise with a channel
# multiplier, auto_pad SAME_UPPER with odd total padding, 1x1, kernel_shape
# given or not), ConvTranspose (stride, pads, output_padding, groups),
# BatchNormalization alone and after Conv (the fold-conv-bn path),
# GlobalAveragePool, MaxPool (pads, stride, ceil_mode) and AveragePool
# (count_include_pad 0 and 1).
import numpy as np
import torch
import torch.nn.functional as F

from onnx_testing import Suite, check_model, node, randn, rng

suite = Suite("onnx-conv-pool")
R = rng(5)
f32 = np.float32


def t(a):
    return torch.from_numpy(np.asarray(a, np.float64))


def ok(err):
    return f"max abs err {err:.2g}"


def conv_ref(x, w, b=None, stride=1, pads=(0, 0, 0, 0), dil=1, groups=1):
    """pads in ONNX order: top, left, bottom, right."""
    xp = F.pad(t(x), (pads[1], pads[3], pads[0], pads[2]))
    y = F.conv2d(xp, t(w), None if b is None else t(b), stride=stride,
                 dilation=dil, groups=groups)
    return y.numpy().astype(f32)


def conv_case(name, x, w, b=None, stride=1, pads=(0, 0, 0, 0), dil=1,
              groups=1, want=None, **attrs):
    names = ["x", "w"] + (["b"] if b is not None else [])
    inits = {"w": w} | ({"b": b} if b is not None else {})
    if "auto_pad" not in attrs:
        attrs.setdefault("pads", list(pads))
    if want is None:
        want = conv_ref(x, w, b, stride, pads, dil, groups)
    return check_model(name, [node("Conv", names, ["y"], strides=[stride] * 2,
                                   dilations=[dil] * 2, group=groups, **attrs)],
                       {"x": x}, {"y": want}, inits)


@suite.case
def conv_basic():
    x = randn(R, 1, 3, 7, 7)
    w, b = randn(R, 4, 3, 3, 3, scale=0.3), randn(R, 4)
    worst = conv_case("conv_3x3_bias", x, w, b, kernel_shape=[3, 3])
    worst = max(worst, conv_case("conv_3x3_nobias", x, w))
    x2 = randn(R, 2, 5, 9, 13)
    worst = max(worst, conv_case("conv_1x1", x2, randn(R, 7, 5, 1, 1), randn(R, 7)))
    worst = max(worst, conv_case("conv_5x3_kernel", x2, randn(R, 6, 5, 5, 3, scale=0.2)))
    return ok(worst)


@suite.case
def conv_pads_stride_dilation():
    x = randn(R, 1, 4, 13, 11)
    w, b = randn(R, 5, 4, 3, 3, scale=0.3), randn(R, 5)
    worst = conv_case("conv_pads_sym", x, w, b, pads=(1, 1, 1, 1))
    worst = max(worst, conv_case("conv_pads_asym", x, w, b, pads=(1, 2, 0, 1)))
    worst = max(worst, conv_case("conv_stride2", x, w, b, stride=2, pads=(1, 1, 1, 1)))
    worst = max(worst, conv_case("conv_dilation2", x, w, b, dil=2, pads=(2, 2, 2, 2)))
    worst = max(worst, conv_case("conv_stride2_dilation2", x, w, None, stride=2, dil=2))
    # The ResNet stem: 7x7 stride 2 pad 3.
    x3 = randn(R, 1, 3, 32, 32)
    worst = max(worst, conv_case("conv_7x7_stem", x3, randn(R, 8, 3, 7, 7, scale=0.1),
                                 randn(R, 8), stride=2, pads=(3, 3, 3, 3)))
    return ok(worst)


@suite.case
def conv_groups_depthwise():
    x = randn(R, 2, 4, 9, 9)
    worst = conv_case("conv_groups2", x, randn(R, 6, 2, 3, 3, scale=0.3), randn(R, 6),
                      groups=2, pads=(1, 1, 1, 1))
    x5 = randn(R, 1, 5, 11, 7)
    worst = max(worst, conv_case("conv_depthwise", x5, randn(R, 5, 1, 3, 3), randn(R, 5),
                                 groups=5, pads=(1, 1, 1, 1)))
    worst = max(worst, conv_case("conv_depthwise_multiplier2", x5, randn(R, 10, 1, 3, 3),
                                 randn(R, 10), groups=5, stride=2, pads=(1, 1, 1, 1)))
    worst = max(worst, conv_case("conv_depthwise_5x5", x5, randn(R, 5, 1, 5, 5), None,
                                 groups=5, pads=(2, 2, 2, 2)))
    return ok(worst)


@suite.case
def conv_auto_pad_same_upper():
    x = randn(R, 1, 3, 9, 9)
    w = randn(R, 4, 3, 3, 3, scale=0.3)
    # 9 -> 5 at stride 2: total pad 2, split 1 / 1.
    worst = conv_case("conv_same_upper_s2", x, w, want=conv_ref(x, w, None, 2, (1, 1, 1, 1)),
                      stride=2, auto_pad="SAME_UPPER")
    # Kernel 4 at stride 1: total pad 3, the extra one at the end.
    x8 = randn(R, 1, 3, 8, 6)
    w4 = randn(R, 2, 3, 4, 4, scale=0.3)
    worst = max(worst, conv_case("conv_same_upper_k4", x8, w4,
                                 want=conv_ref(x8, w4, None, 1, (1, 1, 2, 2)),
                                 auto_pad="SAME_UPPER"))
    return ok(worst)


def convt_ref(x, w, b, stride, pads, out_pad, groups=1):
    y = F.conv_transpose2d(t(x), t(w), None if b is None else t(b), stride=stride,
                           output_padding=0, groups=groups)
    # ONNX pads crop the full output; output_padding adds rows/cols at the end.
    n, c, h, wd = y.shape
    y = F.pad(y, (0, out_pad, 0, out_pad))
    if b is not None and out_pad:
        y[:, :, h:, :] = t(b).view(1, -1, 1, 1)
        y[:, :, :, wd:] = t(b).view(1, -1, 1, 1)
    return y[:, :, pads[0]:y.shape[2] - pads[2], pads[1]:y.shape[3] - pads[3]].numpy().astype(f32)


@suite.case
def conv_transpose():
    x = randn(R, 1, 4, 5, 5)
    w, b = randn(R, 4, 3, 3, 3, scale=0.3), randn(R, 3)
    worst = 0.0
    for name, stride, pads, out_pad, bias in [
            ("convt_s1", 1, (0, 0, 0, 0), 0, b),
            ("convt_s2_p1", 2, (1, 1, 1, 1), 0, b),
            ("convt_s2_p1_outpad1", 2, (1, 1, 1, 1), 1, b),
            ("convt_s2_asym_nobias", 2, (0, 1, 1, 0), 0, None)]:
        names = ["x", "w"] + (["b"] if bias is not None else [])
        inits = {"w": w} | ({"b": bias} if bias is not None else {})
        worst = max(worst, check_model(
            name, [node("ConvTranspose", names, ["y"], strides=[stride] * 2,
                        pads=list(pads), output_padding=[out_pad] * 2)],
            {"x": x}, {"y": convt_ref(x, w, bias, stride, pads, out_pad)}, inits))
    xg = randn(R, 1, 6, 7, 5)
    wg = randn(R, 6, 2, 3, 3, scale=0.3)
    worst = max(worst, check_model(
        "convt_groups3", [node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2],
                               group=3)],
        {"x": xg}, {"y": convt_ref(xg, wg, None, 2, (0, 0, 0, 0), 0, 3)}, {"w": wg}))
    return ok(worst)


def bn_params(c):
    return {"scale": randn(R, c), "bias": randn(R, c), "mean": randn(R, c),
            "var": (R.random(c) + 0.5).astype(f32)}


def bn_ref(y, p, eps):
    s = lambda v: t(v).view(1, -1, 1, 1)
    out = (t(y) - s(p["mean"])) / torch.sqrt(s(p["var"]) + eps) * s(p["scale"]) + s(p["bias"])
    return out.numpy().astype(f32)


@suite.case
def batch_norm():
    x = randn(R, 2, 5, 7, 9)
    p = bn_params(5)
    worst = check_model("batchnorm", [node("BatchNormalization",
                                           ["x", "scale", "bias", "mean", "var"], ["y"],
                                           epsilon=1e-3)],
                        {"x": x}, {"y": bn_ref(x, p, 1e-3)}, p)
    # Conv -> BN -> Relu, as exported from an unfused ConvBN.
    w, b = randn(R, 5, 5, 3, 3, scale=0.3), randn(R, 5)
    want = np.maximum(bn_ref(conv_ref(x, w, b, pads=(1, 1, 1, 1)), p, 1e-5), 0)
    worst = max(worst, check_model(
        "conv_bn_relu", [node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
                         node("BatchNormalization", ["c", "scale", "bias", "mean", "var"],
                              ["n"]),
                         node("Relu", ["n"], ["y"])],
        {"x": x}, {"y": want}, {"w": w, "b": b} | p))
    return ok(worst)


def pool_case(name, op, x, want, **attrs):
    return check_model(name, [node(op, ["x"], ["y"], **attrs)], {"x": x}, {"y": want})


@suite.case
def global_average_pool():
    x = randn(R, 2, 5, 7, 9)
    return ok(pool_case("gap", "GlobalAveragePool", x,
                        x.astype(np.float64).mean((2, 3), keepdims=True).astype(f32)))


@suite.case
def max_pool():
    x = randn(R, 1, 3, 13, 13)
    mp = lambda **k: F.max_pool2d(t(x), **k).numpy().astype(f32)
    worst = pool_case("maxpool_3_s2_p1", "MaxPool", x, mp(kernel_size=3, stride=2, padding=1),
                      kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    worst = max(worst, pool_case("maxpool_2_s2", "MaxPool", x, mp(kernel_size=2, stride=2),
                                 kernel_shape=[2, 2], strides=[2, 2]))
    worst = max(worst, pool_case("maxpool_2_s2_ceil", "MaxPool", x,
                                 mp(kernel_size=2, stride=2, ceil_mode=True),
                                 kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1))
    worst = max(worst, pool_case("maxpool_3x2_s1", "MaxPool", x, mp(kernel_size=(3, 2), stride=1),
                                 kernel_shape=[3, 2]))
    # Negative inputs with padding: padded cells must not win.
    neg = -np.abs(x) - 1
    worst = max(worst, pool_case("maxpool_negative_padded", "MaxPool", neg,
                                 F.max_pool2d(t(neg), 3, 2, 1).numpy().astype(f32),
                                 kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    return ok(worst)


@suite.case
def average_pool():
    x = randn(R, 2, 3, 11, 9)
    ap = lambda **k: F.avg_pool2d(t(x), **k).numpy().astype(f32)
    worst = pool_case("avgpool_3_s1_p1_exclude", "AveragePool", x,
                      ap(kernel_size=3, stride=1, padding=1, count_include_pad=False),
                      kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    worst = max(worst, pool_case(
        "avgpool_3_s1_p1_include", "AveragePool", x,
        ap(kernel_size=3, stride=1, padding=1, count_include_pad=True),
        kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1))
    worst = max(worst, pool_case("avgpool_2_s2", "AveragePool", x,
                                 ap(kernel_size=2, stride=2),
                                 kernel_shape=[2, 2], strides=[2, 2]))
    worst = max(worst, pool_case(
        "avgpool_3_s2_p1_exclude", "AveragePool", x,
        ap(kernel_size=3, stride=2, padding=1, count_include_pad=False),
        kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    return ok(worst)


suite.main()
