"""The autograd API as PyTorch users call it, compared with PyTorch: ``autograd.backward`` and
``autograd.grad`` arguments, assigning ``.grad``, ``detach_``, the errors they raise."""

import warnings

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _leaves(m):
    return m.tensor([1.0, 2.0, 3.0], requires_grad=True), m.tensor([0.5, -1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("with_gradients", [False, True])
def test_autograd_backward_takes_sequences_of_tensors_and_gradients(with_gradients):
    results = []
    for m in (zg, torch):
        a, b = _leaves(m)
        outputs = [(a * b).sum(), (a.exp() * 2).sum()] if not with_gradients else [a * b, a.exp()]
        gradients = None if not with_gradients else [m.tensor([1.0, -2.0, 3.0]), m.tensor([0.5, 0.5, 7.0])]
        m.autograd.backward(outputs, gradients)
        results.append((a.grad.detach().numpy().astype(np.float64), b.grad.detach().numpy().astype(np.float64)))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)


def test_backward_casts_the_gradient_to_the_output_dtype_and_refuses_non_tensors():
    for m in (zg, torch):
        a, _ = _leaves(m)
        (a * 2).backward(m.tensor([1.0, 1.0, 1.0], dtype=m.float64))
        assert a.grad.dtype == m.float32
        with pytest.raises(TypeError):
            (a * 2).backward([1.0, 1.0, 1.0])
        with pytest.raises(RuntimeError):
            (a * 2).backward(m.ones(4))
        with pytest.raises(RuntimeError, match="does not require grad"):
            m.autograd.backward([(a * 2).sum(), m.ones(()).sum()])


def test_grad_materialize_grads_gives_zeros_for_unused_inputs():
    for m in (zg, torch):
        a, b = _leaves(m)
        ga, gb = m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
        assert gb.shape == b.shape and not gb.abs().sum().item() and ga.tolist() == [2.0, 2.0, 2.0]
        with pytest.raises(ValueError):
            m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True, allow_unused=False)
        assert m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)[1] is None
        with pytest.raises(RuntimeError):
            m.autograd.grad((a * 2).sum(), [a, b])


def test_assigning_grad_checks_its_shape_and_type():
    for m in (zg, torch):
        a, _ = _leaves(m)
        with pytest.raises(RuntimeError):
            a.grad = m.ones(4)
        with pytest.raises(TypeError):
            a.grad = [1.0, 2.0, 3.0]
        a.grad = m.ones(3)
        a.grad = None
        assert a.grad is None


def test_detach_in_place_is_refused_for_views():
    for m in (zg, torch):
        a, _ = _leaves(m)
        with pytest.raises(RuntimeError, match="detach views in-place"):
            (a * 2)[1:].detach_()
        with pytest.raises(RuntimeError, match="detach views in-place"):
            m.zeros(4)[::2].detach_()
        b = a * 2
        assert b.detach_() is b and b.is_leaf and not b.requires_grad
