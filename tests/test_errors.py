"""Bad input gets a clear Python exception naming the op and the shapes; nothing crashes."""

import numpy as np
import pytest

import zengrad as zg


def test_broadcast_mismatch_names_op_and_shapes(device):
    a, b = zg.randn(2, 3, device=device), zg.randn(4, device=device)
    with pytest.raises(ValueError, match=r"add.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(ValueError, match=r"mul.*\(2, 3\).*\(4,\)"):
        a * b


def test_matmul_shape_mismatch(device):
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        zg.randn(2, 3, device=device) @ zg.randn(4, 5, device=device)
    with pytest.raises(ValueError, match="matmul"):
        zg.randn(3, device=device) @ zg.randn(2, device=device)


def test_mismatched_float_dtypes_are_refused(device):
    a = zg.randn(2, 3, device=device)
    b = zg.randn(3, 2, dtype=zg.float64, device=device)
    with pytest.raises(TypeError, match=r"matmul: dtypes differ.*\(2, 3\) float32.*\(3, 2\) float64"):
        a @ b
    assert (a - b.T).dtype == np.float64  # elementwise ops compute in the wider dtype, as PyTorch's


def test_bad_reshape_and_index(device):
    x = zg.randn(2, 3, device=device)
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match="dimension 3 out of range"):
        x.sum(dim=3)
    with pytest.raises(ValueError, match="permute"):
        x.permute(0, 0)


def test_cat_and_stack_shapes(device):
    with pytest.raises(ValueError, match="cat"):
        zg.cat([zg.randn(2, 3, device=device), zg.randn(2, 4, device=device)], dim=0)
    with pytest.raises(ValueError, match="stack: tensors must all have the same shape"):
        zg.stack([zg.randn(2, device=device), zg.randn(3, device=device)])


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="unknown device"):
        zg.zeros(2, device="tpu")


def test_cuda_request_without_gpu_explains_why():
    if zg.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="CUDA is unavailable|CUDA unavailable|unavailable"):
        zg.zeros(2, device="cuda")


@pytest.mark.gpu
def test_mixed_devices_are_refused():
    if not zg.cuda.is_available():
        pytest.skip(f"CUDA unavailable: {zg.cuda.unavailable_reason()}")
    with pytest.raises(ValueError, match=r"add: tensors are on different devices: \(2,\) on cpu, \(2,\) on cuda"):
        zg.randn(2) + zg.randn(2, device="cuda")
