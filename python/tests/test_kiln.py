"""The kiln Python package: compile from every kind of source, call on
numpy, dynamic batch, torch modules, and errors as RuntimeError."""
import numpy as np
import onnx
import onnx.helper as oh
import onnx.numpy_helper
import pytest
import torch

import kiln

RNG = np.random.default_rng(3)


def gemm_model(batch="N"):
    """y = relu(x @ W^T + b) for x [batch, 7] (W a 5x7 initializer)."""
    w = RNG.standard_normal((5, 7)).astype(np.float32)
    b = RNG.standard_normal(5).astype(np.float32)
    graph = oh.make_graph(
        [oh.make_node("Gemm", ["x", "w", "b"], ["t"], transB=1),
         oh.make_node("Relu", ["t"], ["y"])],
        "gemm",
        [oh.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [batch, 7])],
        [oh.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [batch, 5])],
        [onnx.numpy_helper.from_array(w, "w"),
         onnx.numpy_helper.from_array(b, "b")])
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)])
    return model, lambda x: np.maximum(x @ w.T + b, 0)


def test_model_proto_bytes_and_path(tmp_path):
    model, ref = gemm_model()
    x = RNG.standard_normal((3, 7)).astype(np.float32)
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    for source in (model, model.SerializeToString(), str(path), path):
        y = kiln.compile(source)(x)
        np.testing.assert_allclose(y, ref(x), rtol=1e-5, atol=1e-5)


def test_dynamic_batch_and_conversion():
    model, ref = gemm_model()
    m = kiln.compile(model)
    assert m.entries == ["main"]
    for n in (1, 4, 9):
        x = RNG.standard_normal((n, 7))  # float64: converted to f32
        np.testing.assert_allclose(m(x), ref(x.astype(np.float32)),
                                   rtol=1e-5, atol=1e-5)


def test_mlir_text():
    text = b"""func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>)
        -> tensor<2x4xf32> {
      %i = tensor.empty() : tensor<2x4xf32>
      %c = kiln.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>)
           outs(%i : tensor<2x4xf32>) -> tensor<2x4xf32>
      return %c : tensor<2x4xf32>
    }"""
    a = RNG.standard_normal((2, 3)).astype(np.float32)
    b = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(kiln.compile(text)(a, b), a @ b, rtol=1e-5,
                               atol=1e-6)


def test_compile_torch_with_two_outputs():
    class TwoHeads(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)

        def forward(self, x):
            y = torch.relu(self.conv(x))
            return y, y.mean(dim=(2, 3))

    torch.manual_seed(0)
    net = TwoHeads().eval()
    x = torch.randn(2, 3, 11, 9)
    m = kiln.compile_torch(net, (x,), dynamic_batch=True)
    with torch.no_grad():
        ref = net(x)
    got = m(x.numpy())
    assert isinstance(got, tuple) and len(got) == 2
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g, r.numpy(), rtol=1e-4, atol=1e-5)


def test_errors_are_runtime_errors():
    with pytest.raises(RuntimeError, match="not a valid ONNX model"):
        kiln.compile(b"\x0a\x05\xde\xad")
    model, _ = gemm_model(batch=2)
    m = kiln.compile(model)
    with pytest.raises(RuntimeError, match="kiln:"):
        m(np.zeros((3, 7), np.float32))  # the batch is 2
    with pytest.raises(ValueError, match="unknown target"):
        kiln.compile(model, target="gpu")


def test_threads():
    kiln.set_num_threads(1)
    assert kiln.get_num_threads() == 1
    kiln.set_num_threads(0)


def test_graph_fusion_off_gives_the_same_result():
    """kiln.compile(graph_fusion=False) skips kiln-fuse-attention: the
    decomposed causal attention of a small block runs unfused, with the
    same numbers."""
    class Attn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("tril", torch.tril(torch.ones(8, 8)))

        def forward(self, q, k, v):
            s = (q @ k.transpose(-2, -1)) * 0.25
            s = s.masked_fill(self.tril == 0, float("-inf"))
            return torch.softmax(s, dim=-1) @ v

    q, k, v = (torch.randn(1, 2, 8, 16) for _ in range(3))
    ref = Attn()(q, k, v).numpy()
    args = [t.numpy() for t in (q, k, v)]
    for fusion in (True, False):
        m = kiln.compile_torch(Attn(), (q, k, v), graph_fusion=fusion)
        np.testing.assert_allclose(m(*args), ref, rtol=1e-5, atol=1e-6)
