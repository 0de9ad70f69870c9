"""Warm calls from Python allocate nothing and fault no pages: inputs are
passed without a copy, results are arrays over the artifact's pooled
buffers (or written into `out=`), and the compiled code's own buffers live
in workspace frames kept across calls. The compile runs in this process
first, as in the README's workflow (it used to leave the heap in a state
where every later call faulted its buffers' pages again)."""
import ctypes
import os
import resource

import numpy as np
import pytest

import kiln

MODULE = """
func.func @main(%a: tensor<512x256xf32>, %b: tensor<256x384xf32>)
    -> tensor<512x384xf32> {
  %i = tensor.empty() : tensor<512x384xf32>
  %m = kiln.matmul ins(%a, %b : tensor<512x256xf32>, tensor<256x384xf32>)
      outs(%i : tensor<512x384xf32>) -> tensor<512x384xf32>
  %t = math.tanh %m : tensor<512x384xf32>
  %r = arith.addf %t, %m : tensor<512x384xf32>
  return %r : tensor<512x384xf32>
}
"""
WARM, CALLS = 3, 20


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@pytest.fixture(scope="module")
def model():
    return kiln.compile(MODULE.encode())


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((512, 256), dtype=np.float32),
            rng.standard_normal((256, 384), dtype=np.float32))


def expected(a, b):
    m = a.astype(np.float64) @ b.astype(np.float64)
    return np.tanh(m) + m


def faults_per_call(call):
    for _ in range(WARM):
        call()
    before = minor_faults()
    for _ in range(CALLS):
        call()
    return (minor_faults() - before) / CALLS


def test_results_are_right(model, inputs):
    y = model(*inputs)
    np.testing.assert_allclose(y, expected(*inputs), rtol=1e-4, atol=1e-3)
    out = np.empty((512, 384), np.float32)
    assert model(*inputs, out=out) is out
    np.testing.assert_array_equal(out, y)


def test_warm_calls_fault_no_pages(model, inputs):
    # The worst case for code that mallocs per call: glibc unmaps every
    # freed block above 64 KiB (M_MMAP_THRESHOLD is -3), so a buffer malloc'ed
    # per call would fault all its pages each time.
    ctypes.CDLL(None).mallopt(-3, 64 << 10)
    # The result (768 KiB, 192 pages) is a fresh array each call; its
    # buffer returns to the artifact's pool when the array is dropped.
    assert faults_per_call(lambda: model(*inputs)) <= 2.0
    out = np.empty((512, 384), np.float32)
    assert faults_per_call(lambda: model(*inputs, out=out)) <= 2.0


def test_results_outlive_the_model(inputs):
    m = kiln.compile(MODULE.encode())
    y = m(*inputs)
    del m
    np.testing.assert_allclose(y, expected(*inputs), rtol=1e-4, atol=1e-3)


def test_out_is_checked(model, inputs):
    with pytest.raises(TypeError, match="output 0 of 'main' is f32"):
        model(*inputs, out=np.empty((512, 384), np.float64))
    with pytest.raises(RuntimeError, match="output 0: dim 1 is 38"):
        model(*inputs, out=np.empty((512, 38), np.float32))
    with pytest.raises(TypeError, match="C-contiguous and writeable"):
        model(*inputs, out=np.empty((384, 512), np.float32).T)
    with pytest.raises(TypeError, match="has 1 outputs, out= gives 2"):
        model(*inputs, out=(np.empty((512, 384), np.float32),) * 2)


def test_path_is_the_artifact(model):
    assert model.path.endswith(".so") and os.path.isfile(model.path)
    assert model.entries == ["main"]
