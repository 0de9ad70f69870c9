# RUN: %python %s
# Malformed ONNX nodes: each single-node model below is wrong in one way
# (impossible shapes, attributes of the wrong type or out of range, axes and
# indices out of range, wrong arity or element types, unsupported ops, casts
# and domains). kiln-compile must exit 1 with a '<file>: error:' diagnostic
# naming the node as "node 'NAME' (OpType)" (and the attribute where one is at
# fault); never a crash. One line per case: the diagnostic seen.
import numpy as np
from onnx import AttributeProto, TensorProto, helper

from onnx_testing import (Suite, compile_error, make_model, node, node_ref,
                          tensor)

suite = Suite("onnx-malformed-nodes")
F, I8, I32, I64 = (TensorProto.FLOAT, TensorProto.INT8, TensorProto.INT32,
                   TensorProto.INT64)
f32, i8, i64 = np.float32, np.int8, np.int64
X = [("x", F, [1, 3, 7, 7])]
W = {"w": np.zeros((4, 3, 3, 3), f32)}


def case(name, op, inputs, graph_inputs=X, inits=None, opset=17, outputs=("y",),
         also=(), attr=None, **attrs):
    """Registers a case: one node `op` named after the case's first word."""
    def run():
        n = node(op, inputs, list(outputs), name=name.split("_")[0], **attrs)
        if attr is not None:
            n.attribute.append(attr)
        model = make_model([n], graph_inputs, [(o, F, None) for o in outputs],
                           {k: np.asarray(v) for k, v in (inits or {}).items()},
                           opset=opset, check=False)
        return compile_error(model, [node_ref(n.name, op)] + list(also))
    run.__name__ = name
    suite.case(run)


def ints(*v):
    return np.array(v, i64)


# Shapes.
case("add_3_and_4", "Add", ["a", "b"], [("a", F, [3]), ("b", F, [4])])
case("matmul_k_mismatch", "MatMul", ["a", "b"], [("a", F, [2, 3]), ("b", F, [4, 5])])
case("matmul_scalar", "MatMul", ["a", "b"], [("a", F, [])], {"b": np.zeros((3, 4), f32)})
case("reshape_impossible", "Reshape", ["x", "s"], inits={"s": ints(4, 2)})
case("reshape_two_minus_ones", "Reshape", ["x", "s"], inits={"s": ints(-1, -1)})
case("reshape_target_huge", "Reshape", ["x", "s"], inits={"s": ints(2 ** 62)})
case("reshape_runtime_shape", "Reshape", ["x", "s"], X + [("s", I64, [2])])
case("expand_overflow", "Expand", ["x", "s"], [("x", F, [1, 1])], {"s": ints(2 ** 33, 2 ** 33)})
case("expand_incompatible", "Expand", ["x", "s"], inits={"s": ints(1, 3, 7, 4)})
case("expand_negative", "Expand", ["x", "s"], inits={"s": ints(-3)})
case("conv_weight_rank", "Conv", ["x", "w"], inits={"w": np.zeros((4, 3, 3), f32)})
case("conv_kernel_too_big", "Conv", ["x", "w"], [("x", F, [1, 3, 2, 2])], W)
case("conv_group0", "Conv", ["x", "w"], inits=W, group=0)
case("conv_group2", "Conv", ["x", "w"], inits=W, group=2)
case("concat_rank_mismatch", "Concat", ["x", "z"], inits={"z": np.zeros((2, 2), f32)}, axis=0)
case("concat_no_inputs", "Concat", [], axis=0)
case("gemm_bad_c", "Gemm", ["a", "b", "c"], [("a", F, [2, 3])],
     {"b": np.zeros((3, 4), f32), "c": np.zeros(3, f32)})
case("gemm_3d", "Gemm", ["a", "b"], [("a", F, [2, 3, 3])], {"b": np.zeros((3, 4), f32)})
case("where_bad_broadcast", "Where", ["c", "x", "z"], [("x", F, [3])],
     {"c": np.array([True, False]), "z": np.zeros(3, f32)})
case("batchnorm_bad_length", "BatchNormalization", ["x", "s", "b", "m", "v"],
     inits={k: np.ones(4, f32) for k in "sbmv"})
case("layernorm_scale_shape", "LayerNormalization", ["x", "s"], inits={"s": np.ones(5, f32)})
case("split_bad_sum", "Split", ["x", "s"], inits={"s": ints(1, 1)}, outputs=("y", "z"), axis=1)
case("split_too_many_outputs", "Split", ["x"], outputs=("y", "z", "u", "v"), axis=1)
case("squeeze_not_one", "Squeeze", ["x", "a"], inits={"a": ints(1)}, opset=13)
case("gather_scalar_data", "Gather", ["x", "i"], [("x", F, [])], {"i": np.array(0, i64)})

# Attributes: wrong types, wrong lengths, out of range.
case("conv_strides_float", "Conv", ["x", "w"], inits=W, also=["'strides'"],
     attr=helper.make_attribute("strides", 2.0))
case("conv_strides_string", "Conv", ["x", "w"], inits=W, also=["'strides'"],
     attr=helper.make_attribute("strides", "2,2"))
case("conv_strides_mistagged", "Conv", ["x", "w"], inits=W,
     attr=AttributeProto(name="strides", type=AttributeProto.INTS, floats=[2.0, 2.0]))
case("conv_strides_zero", "Conv", ["x", "w"], inits=W, also=["strides"], strides=[0, 0])
case("conv_dilations_zero", "Conv", ["x", "w"], inits=W, also=["dilations"], dilations=[0, 0])
case("conv_pads_negative", "Conv", ["x", "w"], inits=W, also=["pads"], pads=[-5] * 4)
case("conv_pads_length", "Conv", ["x", "w"], inits=W, also=["pads"], pads=[1, 1])
case("conv_auto_pad_bogus", "Conv", ["x", "w"], inits=W, also=["SIDEWAYS"], auto_pad="SIDEWAYS")
case("convtranspose_output_padding", "ConvTranspose", ["x", "w"], [("x", F, [1, 4, 5, 5])],
     W, also=["output_padding"], output_padding=[3, 3])
case("softmax_axis_tensor", "Softmax", ["x"], also=["'axis'"],
     attr=helper.make_attribute("axis", tensor("axis", np.array(1, i64))))
case("softmax_axis_string", "Softmax", ["x"], also=["'axis'"],
     attr=helper.make_attribute("axis", "last"))
case("maxpool_no_kernel", "MaxPool", ["x"], also=["kernel_shape"])
case("maxpool_strides_zero", "MaxPool", ["x"], kernel_shape=[2, 2], strides=[0, 0])
case("maxpool_kernel_too_big", "MaxPool", ["x"], kernel_shape=[9, 9])
case("averagepool_huge_pads", "AveragePool", ["x"], kernel_shape=[2, 2], pads=[2 ** 62] * 4)
case("transpose_perm_out_of_range", "Transpose", ["x"], perm=[0, 1, 2, 9])
case("transpose_perm_repeated", "Transpose", ["x"], perm=[0, 0, 1, 2])
case("transpose_perm_short", "Transpose", ["x"], perm=[0, 1])
case("cast_to_string", "Cast", ["x"], to=TensorProto.STRING)
case("cast_no_to", "Cast", ["x"])
case("constant_no_value", "Constant", [], graph_inputs=[])
case("constant_string", "Constant", [], graph_inputs=[], value_string="s")
case("gelu_approximate_bogus", "Gelu", ["x"], opset=20, approximate="cubic")

# Axes and indices out of range.
case("softmax_axis_out_of_range", "Softmax", ["x"], axis=5)
case("softmax_axis_negative_out_of_range", "Softmax", ["x"], axis=-9)
case("concat_axis_out_of_range", "Concat", ["x", "x"], axis=-5)
case("flatten_axis_out_of_range", "Flatten", ["x"], axis=7)
case("layernorm_axis_out_of_range", "LayerNormalization", ["x", "s"],
     inits={"s": np.ones(7, f32)}, axis=4)
case("reducesum_axis_out_of_range", "ReduceSum", ["x", "a"], inits={"a": ints(4)}, opset=13)
case("reducemean_axes_runtime", "ReduceMean", ["x", "a"], X + [("a", I64, [1])], opset=18)
case("unsqueeze_axis_out_of_range", "Unsqueeze", ["x", "a"], inits={"a": ints(9)}, opset=13)
case("unsqueeze_axis_twice", "Unsqueeze", ["x", "a"], inits={"a": ints(0, 0)}, opset=13)
case("slice_axis_out_of_range", "Slice", ["x", "s", "e", "a"],
     inits={"s": ints(0), "e": ints(3), "a": ints(9)})
case("slice_step_zero", "Slice", ["x", "s", "e", "a", "t"],
     inits={"s": ints(0), "e": ints(3), "a": ints(2), "t": ints(0)})
case("gather_axis_out_of_range", "Gather", ["x", "i"], inits={"i": ints(0)}, axis=4)
case("gather_index_too_big", "Gather", ["x", "i"], inits={"i": ints(0, 7)}, axis=2)
case("gather_index_too_negative", "Gather", ["x", "i"], inits={"i": ints(-8)}, axis=3)

# Arity, element types, quantization parameters.
case("add_one_input", "Add", ["x"])
case("add_mixed_types", "Add", ["a", "b"], [("a", I32, [3])], {"b": np.ones(3, f32)})
case("pow_integers", "Pow", ["a", "b"], [("a", I32, [3])], {"b": np.ones(3, np.int32)})
case("matmulinteger_float", "MatMulInteger", ["a", "b"], [("a", F, [2, 3])],
     {"b": np.zeros((3, 4), f32)})
case("quantizelinear_float_zero_point", "QuantizeLinear", ["x", "s", "z"],
     inits={"s": np.array(1, f32), "z": np.array(0, f32)})
case("quantizelinear_zero_scale", "QuantizeLinear", ["x", "s", "z"], also=["scale"],
     inits={"s": np.array(0, f32), "z": np.array(0, i8)})
case("dequantizelinear_axis_scale_length", "DequantizeLinear", ["q", "s"], [("q", I8, [4, 8])],
     {"s": np.ones(5, f32)}, axis=1)
case("dequantizelinear_block_negative", "DequantizeLinear", ["q", "s"], [("q", I8, [4, 8])],
     {"s": np.ones((4, 2), f32)}, opset=21, axis=1, block_size=-4)
case("dequantizelinear_block_scale_shape", "DequantizeLinear", ["q", "s"], [("q", I8, [4, 8])],
     {"s": np.ones((4, 3), f32)}, opset=21, axis=1, block_size=4)
case("qlinearconv_weight_scale_length", "QLinearConv",
     ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], [("x", I8, [1, 3, 7, 7])],
     {"xs": np.array(1, f32), "xz": np.array(0, i8), "w": np.zeros((4, 3, 3, 3), i8),
      "ws": np.ones(5, f32), "wz": np.zeros(4, i8), "ys": np.array(1, f32),
      "yz": np.array(0, i8)})

# Unsupported ops and domains.
case("frobnicate_unknown_op", "Frobnicate", ["x"], also=["Frobnicate"])
case("nonzero_unsupported_op", "NonZero", ["x"], also=["NonZero"])
case("loop_unsupported_op", "Loop", ["m", "c"], [], {"m": np.array(3, i64), "c": np.array(True)},
     body=helper.make_graph([], "body", [], []))
case("relu_custom_domain", "Relu", ["x"], domain="com.example", also=["com.example"])

suite.main()
