"""Function transforms (zengrad.func) against PyTorch's torch.func on the same functions and inputs:
gradients, Jacobians, Hessians, jvp/vjp, vmap, functional_call, and their nesting."""

import numpy as np
import pytest

import zengrad as zg
from torch_bridge import assert_same
from zengrad import func as zf

torch = pytest.importorskip("torch")
tf = pytest.importorskip("torch.func")

rng = np.random.default_rng(31)
A, B = rng.standard_normal((3,)).astype(np.float32), rng.standard_normal((3,)).astype(np.float32)
M = rng.standard_normal((4, 3)).astype(np.float32)


def same(ours, theirs, atol=1e-5):
    assert_same(ours, theirs, atol, requires_grad=True)


def both(*arrays, requires_grad=False):
    return ([zg.tensor(a, requires_grad=requires_grad) for a in arrays],
            [torch.tensor(a, requires_grad=requires_grad) for a in arrays])


FUNCTIONS = {
    "cubic": lambda m, x: (x ** 3).sum(),
    "tanh-dot": lambda m, x: (x.tanh() * m.arange(1.0, 4.0)).sum(),
    "log-sum-exp": lambda m, x: m.logsumexp(x * 2, 0),
    "matrix": lambda m, x: (m.tensor(M) @ x).sin().sum(),
}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("requires_grad", [False, True])
def test_grad_jacrev_jacfwd_hessian_match_pytorch(name, requires_grad):
    f = FUNCTIONS[name]
    (x,), (tx,) = both(A, requires_grad=requires_grad)
    same(zf.grad(lambda t: f(zg, t))(x), tf.grad(lambda t: f(torch, t))(tx))
    same(zf.grad_and_value(lambda t: f(zg, t))(x), tf.grad_and_value(lambda t: f(torch, t))(tx))
    same(zf.jacrev(lambda t: f(zg, t).reshape(1) * t)(x), tf.jacrev(lambda t: f(torch, t).reshape(1) * t)(tx))
    same(zf.jacfwd(lambda t: t.sin() * f(zg, t))(x), tf.jacfwd(lambda t: t.sin() * f(torch, t))(tx))
    same(zf.hessian(lambda t: f(zg, t))(x), tf.hessian(lambda t: f(torch, t))(tx), atol=1e-4)


def test_grad_nests_and_takes_argnums_and_aux():
    same(zf.grad(zf.grad(lambda t: t ** 3))(zg.tensor(2.0)), tf.grad(tf.grad(lambda t: t ** 3))(torch.tensor(2.0)))
    (a, b), (ta, tb) = both(A, B)
    same(zf.grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(a, b),
         tf.grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(ta, tb))
    same(zf.grad(lambda x: ((x * 2).sum(), x + 1), has_aux=True)(a),
         tf.grad(lambda x: ((x * 2).sum(), x + 1), has_aux=True)(ta))
    with pytest.raises(RuntimeError, match="scalar"):
        zf.grad(lambda t: t ** 3)(a)


def test_vjp_and_jvp_match_pytorch():
    (a, v), (ta, tv) = both(A, B)
    out, pull = zf.vjp(lambda t: t.sin() * 2, a)
    their_out, their_pull = tf.vjp(lambda t: t.sin() * 2, ta)
    same(out, their_out), same(pull(v), their_pull(tv))
    same(zf.jvp(lambda t: t ** 2 * t.exp(), (a,), (v,)), tf.jvp(lambda t: t ** 2 * t.exp(), (ta,), (tv,)))
    with pytest.raises(RuntimeError, match="jvp"):
        zf.jvp(lambda t: t, (a,), (zg.ones(2),))


def test_vmap_matches_pytorch():
    (m, v), (tm, tv) = both(M, A)
    same(zf.vmap(lambda row, w: row @ w, in_dims=(0, None))(m, v), tf.vmap(lambda row, w: row @ w, in_dims=(0, None))(tm, tv))
    same(zf.vmap(zg.sum, in_dims=1)(m), tf.vmap(torch.sum, in_dims=1)(tm))
    same(zf.vmap(lambda t: (t, t * 2), out_dims=(0, 1))(m), tf.vmap(lambda t: (t, t * 2), out_dims=(0, 1))(tm))
    same(zf.vmap(zf.grad(lambda t: (t ** 2).sum()))(m), tf.vmap(tf.grad(lambda t: (t ** 2).sum()))(tm))
    with pytest.raises(ValueError, match="same size"):
        zf.vmap(lambda x, y: x + y)(zg.ones(2, 3), zg.ones(3, 3))


def test_functional_call_and_an_ensemble():
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2)
    ours = zg.nn.Linear(3, 2)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    (x,), (tx,) = both(M)
    params = {k: zg.tensor(v.detach().numpy() * 2) for k, v in theirs.named_parameters()}
    their_params = {k: v.detach() * 2 for k, v in theirs.named_parameters()}
    same(zf.functional_call(ours, params, (x,)), tf.functional_call(theirs, their_params, (tx,)))
    same(ours.weight, theirs.weight)  # restored after the call
    same(zf.grad(lambda p: zf.functional_call(ours, p, (x,)).pow(2).sum())(params),
         tf.grad(lambda p: tf.functional_call(theirs, p, (tx,)).pow(2).sum())(their_params))
    stacked, _ = zf.stack_module_state([ours, ours])
    assert stacked["weight"].shape == (2, 2, 3) and stacked["weight"].requires_grad
    with pytest.raises(RuntimeError, match="missing"):
        zf.functional_call(ours, {"weight": params["weight"]}, (x,), strict=True)


def test_torch_random_and_autograd_functional_import_as_in_pytorch():
    from zengrad.autograd.functional import jacobian
    import zengrad.random
    zengrad.random.manual_seed(5)
    first = zg.rand(3)
    zg.manual_seed(5)
    assert zg.equal(first, zg.rand(3))
    np.testing.assert_allclose(jacobian(lambda t: t * 2, zg.ones(2)).numpy(), 2 * np.eye(2))
