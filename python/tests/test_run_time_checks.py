"""Run-time contracts seen from Python: dynamic dims the code requires to
agree, and checks on input data (Gather indices, permutations), raise
RuntimeError with the runtime's message instead of returning garbage."""
import numpy as np
import onnx
import onnx.helper as oh
import pytest

import kiln

RNG = np.random.default_rng(17)

MATMUL = b"""func.func @main(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>)
    -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %i = tensor.empty(%m, %n) : tensor<?x?xf32>
  %c = kiln.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
       outs(%i : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %c : tensor<?x?xf32>
}"""


@pytest.mark.parametrize("opt_level", [0, 3])
def test_dynamic_matmul_dims_must_agree(opt_level):
    m = kiln.compile(MATMUL, opt_level=opt_level)
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    b = RNG.standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(m(a, b), a @ b, rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError,
                       match="input 0 dim 1 is 3 but input 1 dim 0 is 100"):
        m(a, np.ones((100, 5), np.float32))


def two_input_model():
    """y = a + b * 2 over a dynamic batch: the batches must agree."""
    graph = oh.make_graph(
        [oh.make_node("Mul", ["b", "two"], ["t"]),
         oh.make_node("Add", ["a", "t"], ["y"])],
        "two_inputs",
        [oh.make_tensor_value_info("a", onnx.TensorProto.FLOAT, ["N", 4]),
         oh.make_tensor_value_info("b", onnx.TensorProto.FLOAT, ["N", 4])],
        [oh.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["N", 4])],
        [oh.make_tensor("two", onnx.TensorProto.FLOAT, [], [2.0])])
    return oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)])


def test_dynamic_batch_of_two_inputs_must_agree():
    m = kiln.compile(two_input_model())
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(m(a, a), 3 * a, rtol=1e-6)
    with pytest.raises(RuntimeError,
                       match="input 0 dim 0 is 3 but input 1 dim 0 is 7"):
        m(a, np.ones((7, 4), np.float32))


def gather_model():
    graph = oh.make_graph(
        [oh.make_node("Gather", ["table", "ids"], ["y"], axis=0,
                      name="embed")],
        "gather",
        [oh.make_tensor_value_info("table", onnx.TensorProto.FLOAT, [6, 3]),
         oh.make_tensor_value_info("ids", onnx.TensorProto.INT64, ["T"])],
        [oh.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["T", 3])])
    return oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)])


@pytest.mark.parametrize("opt_level", [0, 3])
def test_gather_index_out_of_range_is_an_error(opt_level):
    m = kiln.compile(gather_model(), opt_level=opt_level)
    table = RNG.standard_normal((6, 3)).astype(np.float32)
    ids = np.array([0, 5, -6, -1, 2])
    np.testing.assert_array_equal(m(table, ids), table[ids])
    for bad in ([0, 6], [-7], [1 << 40]):
        with pytest.raises(RuntimeError,
                           match=r"node 'embed' \(Gather\): an index is out "
                                 r"of range for axis 0 \(of size 6"):
            m(table, np.array(bad))
    # The artifact keeps working after a failed check.
    np.testing.assert_array_equal(m(table, ids), table[ids])
