"""Devices named as PyTorch code names them: ``zg.device(...)`` objects with ``type`` and ``index``
that equal the plain strings, ``tensor.device.type``, and ``to`` called with a device object, another
tensor, ``non_blocking`` or ``copy``."""

import pickle

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda", 0), ("cuda:0",)])
def test_device_objects_read_as_torchs(args):
    ours, theirs = zg.device(*args), torch.device(*args)
    assert ours.type == theirs.type and ours.index == theirs.index
    assert repr(ours) == repr(theirs)
    assert ours == theirs.type and hash(ours) == hash(theirs.type)
    assert pickle.loads(pickle.dumps(ours)) == ours and repr(pickle.loads(pickle.dumps(ours))) == repr(ours)


@pytest.mark.parametrize("bad", ["tpu", "cuda:x", "cuda:-1"])
def test_bad_device_strings_are_refused_as_torch_refuses_them(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(RuntimeError):
        zg.device(bad)


def test_tensor_device_and_to_take_pytorchs_forms():
    x = zg.ones(2, 3)
    assert x.device.type == "cpu" and x.device == "cpu" and x.device == zg.device("cpu")
    assert x.to(zg.device("cpu")) is x
    assert x.to("cpu", non_blocking=True) is x
    copied = x.to("cpu", copy=True)
    assert copied is not x
    copied.add_(1)
    np.testing.assert_array_equal(x.numpy(), np.ones((2, 3)))
    like = x.to(zg.zeros(1, dtype=zg.float64))
    assert like.dtype == np.float64 and like.device == "cpu"
    model = zg.nn.Linear(3, 2).to(zg.device("cpu"), non_blocking=True)
    assert model.weight.device.type == "cpu"
    leaf = zg.ones(3, requires_grad=True)
    leaf.to(zg.float64, copy=True).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.ones(3))
