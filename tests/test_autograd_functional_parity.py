"""``autograd.functional`` (vjp, jvp, jacobian, hessian, vhp, hvp) against PyTorch's: values, the
shapes of tuple inputs and outputs, ``create_graph``, ``strict`` and the errors for bad ``v``."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X, Y, V = (RNG.standard_normal((3, 5)) for _ in range(3))  # float64: compared at 1e-10


def _t(m, a):
    return m.tensor(a)


def _cubic(m):
    return lambda x: (x ** 3).sum() + (x.sin() * x).sum()


def _pair(m):
    return lambda x, y: ((x * y.exp()).tanh(), (x ** 2 * y).sum())


def _mixed(m):
    return lambda x, y: (x * y.exp()).sum() + (x ** 2).sum()


CALLS = {
    "vjp": lambda m, F: F.vjp(lambda x: x.exp() * x, _t(m, X), _t(m, V)),
    "vjp tuples": lambda m, F: F.vjp(_pair(m), (_t(m, X), _t(m, Y)), (_t(m, V), _t(m, np.array(2.0)))),
    "jvp": lambda m, F: F.jvp(lambda x: x.exp() * x, _t(m, X), _t(m, V)),
    "jvp tuples": lambda m, F: F.jvp(_pair(m), (_t(m, X), _t(m, Y)), (_t(m, V), _t(m, X))),
    "jvp scalar input without v": lambda m, F: F.jvp(lambda x: x * _t(m, X), _t(m, np.array(2.0))),
    "jvp of a constant": lambda m, F: F.jvp(lambda x: x.sum().detach(), _t(m, X), _t(m, V)),
    "jacobian tuples": lambda m, F: F.jacobian(_pair(m), (_t(m, X[0]), _t(m, Y[0]))),
    "jacobian vectorize": lambda m, F: F.jacobian(lambda x: x.cumsum(0), _t(m, X[:, 0]), vectorize=True),
    "hessian tuples": lambda m, F: F.hessian(_mixed(m), (_t(m, X[0]), _t(m, Y[0]))),
    "vhp": lambda m, F: F.vhp(_cubic(m), _t(m, X), _t(m, V)),
    "hvp": lambda m, F: F.hvp(_cubic(m), _t(m, X), _t(m, V)),
    "hvp tuples": lambda m, F: F.hvp(_mixed(m), (_t(m, X), _t(m, Y)), (_t(m, V), _t(m, X))),
    "hvp of a linear function": lambda m, F: F.hvp(lambda x: x.sum(), _t(m, X), _t(m, V)),
}


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [a for r in result for a in _flat(r)]
    return [np.asarray(result.detach().numpy(), dtype=np.float64)]


@pytest.mark.parametrize("name", list(CALLS))
def test_functional_matches_torch(name):
    mine = _flat(CALLS[name](zg, zg.autograd.functional))
    theirs = _flat(CALLS[name](torch, torch.autograd.functional))
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["jvp", "vjp", "hvp"])
def test_create_graph_gives_differentiable_results(name):
    for m in (zg, torch):
        F = m.autograd.functional
        f = _cubic(m) if name == "hvp" else (lambda x: x.exp())
        value, product = getattr(F, name)(f, _t(m, X), _t(m, V), create_graph=True)
        assert product.requires_grad
        value, product = getattr(F, name)(f, _t(m, X), _t(m, V))
        assert not product.requires_grad and not value.requires_grad


STRICT_ERRORS = {
    "jacobian of an output independent of an input": lambda m, F: F.jacobian(
        lambda x, y: x * 2, (_t(m, X[0]), _t(m, Y[0])), strict=True),
    "jacobian of a constant": lambda m, F: F.jacobian(lambda x: m.ones(3), _t(m, X[0]), strict=True),
    "hessian of a linear function": lambda m, F: F.hessian(lambda x: x.sum(), _t(m, X), strict=True),
    "vhp of a linear function": lambda m, F: F.vhp(lambda x: x.sum(), _t(m, X), _t(m, V), strict=True),
    "vjp of a detached output": lambda m, F: F.vjp(lambda x: x.detach() * 2, _t(m, X), _t(m, V), strict=True),
    "v of the wrong shape (vjp)": lambda m, F: F.vjp(lambda x: x * 2, _t(m, X), _t(m, X.T)),
    "v of the wrong shape (hvp)": lambda m, F: F.hvp(_cubic(m), _t(m, X), _t(m, X[0])),
    "v omitted for many outputs": lambda m, F: F.vjp(lambda x: x * 2, _t(m, X)),
    "v omitted for many inputs": lambda m, F: F.jvp(lambda x: x * 2, _t(m, X)),
    "hessian of a non-scalar": lambda m, F: F.hessian(lambda x: x * 2, _t(m, X)),
    "hvp of a non-scalar": lambda m, F: F.hvp(lambda x: x * 2, _t(m, X), _t(m, V)),
    "strict with vectorize": lambda m, F: F.jacobian(lambda x: x * 2, _t(m, X), strict=True, vectorize=True),
}


@pytest.mark.parametrize("name", list(STRICT_ERRORS))
def test_errors_match_torch(name):
    for m in (zg, torch):
        with pytest.raises(RuntimeError):
            STRICT_ERRORS[name](m, m.autograd.functional)


def test_outputs_that_are_not_tensors_are_a_type_error():
    for m in (zg, torch):
        with pytest.raises(TypeError):
            m.autograd.functional.jvp(lambda x: 3.0, _t(m, X), _t(m, V))
        with pytest.raises(TypeError):
            m.autograd.functional.jacobian(lambda x: (x * 2).tolist(), _t(m, X))


SECOND_ORDER = {
    "vjp": lambda F, m, x, v: F.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)[1],
    "jvp": lambda F, m, x, v: F.jvp(lambda t: t ** 3, x, v, create_graph=True)[1],
    "jacobian": lambda F, m, x, v: F.jacobian(lambda t: t.exp() * t, x, create_graph=True),
    "hessian": lambda F, m, x, v: F.hessian(lambda t: (t ** 4).sum(), x, create_graph=True),
    "hvp": lambda F, m, x, v: F.hvp(lambda t: (t ** 4).sum(), x, v, create_graph=True)[1],
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_create_graph_keeps_the_callers_inputs_in_the_graph(name):
    grads = []
    for m in (zg, torch):
        x = m.tensor(X[0], requires_grad=True)
        SECOND_ORDER[name](m.autograd.functional, m, x, m.tensor(V[0])).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)
