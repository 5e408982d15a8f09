"""The issue-13 ops beyond the op table: integer and boolean results, edge values (0-d, empty,
±0, ±inf, NaN), bad input, in-place ops and the activation modules, all against PyTorch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")]

SPECIAL = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 1e-30, -7.0, 3.0])


def both(array, requires_grad=False):
    return (zg.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad))


def same(ours, theirs, exact=False):
    expected = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    got = to_numpy(ours)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if exact:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


# ---- integer and boolean results ------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 7), (2, 0, 3)])
@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all_match_torch(name, shape):
    a = np.random.default_rng(len(shape)).integers(0, 3, shape).astype(np.float64)
    ours, theirs = both(a)
    same(getattr(zg, name)(ours), getattr(torch, name)(theirs), exact=True)
    for dim in range(len(shape)):
        same(getattr(ours, name)(dim=dim, keepdim=True), getattr(theirs, name)(dim=dim, keepdim=True), exact=True)


def test_argmax_argmin_top_level():
    a = np.random.default_rng(0).standard_normal((4, 5))
    ours, theirs = both(a)
    for name in ("argmax", "argmin"):
        same(getattr(zg, name)(ours), getattr(torch, name)(theirs), exact=True)
        same(getattr(zg, name)(ours, dim=1, keepdim=True), getattr(torch, name)(theirs, dim=1, keepdim=True), exact=True)


def test_cummax_cummin_indices_ties_and_nan():
    a = np.array([[1.0, 3.0, 3.0, 2.0, 3.0, np.nan, 5.0], [2.0, 1.0, 1.0, 3.0, 1.0, 0.0, 0.0]])
    ours, theirs = both(a)
    for name in ("cummax", "cummin"):
        mine, reference = getattr(ours, name)(1), getattr(theirs, name)(1)
        same(mine.values, reference.values, exact=True)
        same(mine.indices, reference.indices, exact=True)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_with_ties_and_nan_matches_torch_stable(descending):
    a = np.array([[2.0, np.nan, 1.0, 2.0, -np.inf, 1.0, np.inf]])
    ours, theirs = both(a)
    mine, reference = ours.sort(dim=1, descending=descending), theirs.sort(dim=1, descending=descending, stable=True)
    same(mine.values, reference.values, exact=True)
    same(mine.indices, reference.indices, exact=True)
    same(ours.argsort(descending=descending), theirs.argsort(descending=descending, stable=True), exact=True)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
def test_topk_picks_the_right_elements(shape):
    a = np.random.default_rng(1).standard_normal(shape)
    ours, theirs = both(a)
    for largest in (True, False):
        mine, reference = ours.topk(2, dim=-1, largest=largest), theirs.topk(2, dim=-1, largest=largest)
        same(mine.values, reference.values, exact=True)
        same(mine.indices, reference.indices, exact=True)


@pytest.mark.parametrize("shape", [(), (0, 3), (4,), (3, 5)])
def test_nonzero_matches_torch(shape):
    a = np.random.default_rng(2).integers(-1, 2, shape).astype(np.float32)
    ours, theirs = both(a)
    same(zg.nonzero(ours), torch.nonzero(theirs), exact=True)
    for mine, reference in zip(ours.nonzero(as_tuple=True), theirs.nonzero(as_tuple=True)):
        same(mine, reference, exact=True)


def test_elementwise_tests_and_floor_divide_on_special_values():
    ours, theirs = both(SPECIAL)
    for name in ("isnan", "isinf", "isposinf", "isneginf"):
        same(getattr(zg, name)(ours), getattr(torch, name)(theirs), exact=True)
    other = np.roll(SPECIAL, 3)
    same(zg.isclose(ours, zg.tensor(other)), torch.isclose(theirs, torch.tensor(other)), exact=True)
    same(zg.isclose(ours, ours, equal_nan=True), torch.isclose(theirs, theirs, equal_nan=True), exact=True)
    assert zg.allclose(ours, ours, equal_nan=True) is True and zg.allclose(ours, ours) is False
    divisors = np.array([2.0, 3.0, -2.0, 0.5, 2.0, -3.0, 1.0, 4.0, 2.0, -2.0])
    same(zg.floor_divide(ours, zg.tensor(divisors)), torch.floor_divide(theirs, torch.tensor(divisors)), exact=True)
    same(zg.tensor([7, -7]) // 2, torch.tensor([7, -7]) // 2, exact=True)


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "log2", "log1p", "expm1", "erf", "reciprocal", "rsqrt",
                                  "floor", "ceil", "round", "trunc", "atan", "sinh", "cosh", "exp2", "log10"])
def test_unary_math_special_values_match_torch(name):
    ours, theirs = both(SPECIAL, requires_grad=True)
    out, expected = getattr(zg, name)(ours), getattr(torch, name)(theirs)
    np.testing.assert_allclose(to_numpy(out), expected.detach().numpy(), rtol=1e-14, atol=0)
    values = expected.detach().numpy()
    signed = ~np.isnan(values)  # the sign bit of a NaN carries no meaning
    np.testing.assert_array_equal(np.signbit(to_numpy(out))[signed], np.signbit(values)[signed])
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(to_numpy(ours.grad), theirs.grad.numpy(), rtol=1e-14, atol=0)


def test_binary_math_special_values_match_torch():
    other = np.roll(SPECIAL, 4)
    for name in ("atan2", "remainder", "fmod", "copysign"):
        ours, theirs = both(SPECIAL)
        same(getattr(zg, name)(ours, zg.tensor(other)), getattr(torch, name)(theirs, torch.tensor(other)),
             exact=True)


def test_erf_is_exact_on_many_values():
    """erf on the CPU goes element by element through the C library; GELU depends on it."""
    a = np.random.default_rng(3).standard_normal(10_000) * 3
    same(zg.erf(zg.tensor(a)), torch.erf(torch.tensor(a)))
    single = a.astype(np.float32)  # ours is correctly rounded, PyTorch's float32 erf within 1 ulp
    np.testing.assert_allclose(to_numpy(zg.erf(zg.tensor(single))), torch.erf(torch.tensor(single)).numpy(),
                               rtol=2.4e-7, atol=0)


@pytest.mark.parametrize("shape,dim,correction", [((1,), None, 1), ((1,), 0, 0), ((0, 3), 0, 1), ((3, 4), 1, 5),
                                                  ((2, 3), None, 6), ((), None, 1)])
def test_var_std_edge_counts_match_torch(shape, dim, correction):
    a = np.random.default_rng(4).standard_normal(shape)
    ours, theirs = both(a)
    for name in ("var", "std"):
        same(getattr(ours, name)(dim=dim, correction=correction),
             getattr(theirs, name)(dim=dim, correction=correction))


def test_var_legacy_unbiased_flag():
    a = np.random.default_rng(5).standard_normal((4, 3))
    ours, theirs = both(a)
    same(ours.var(1, unbiased=False), theirs.var(1, unbiased=False))
    same(zg.std(ours, 0, True, True), torch.std(theirs, 0, True, True))
    mine, reference = zg.var_mean(ours, dim=0), torch.var_mean(theirs, dim=0)
    same(mine[0], reference[0])
    same(mine[1], reference[1])


def test_norm_special_orders_and_zero_vector():
    a = np.array([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0]])
    for p in (0, 1, 2, 3.5, float("inf"), float("-inf"), "fro"):
        ours, theirs = both(a, requires_grad=True)
        dim = None if p == "fro" else 1
        out, expected = zg.norm(ours, p=p, dim=dim), torch.norm(theirs, p=p, dim=dim)
        same(out, expected)
        if p != 0:  # the count of nonzeros has no gradient
            out.sum().backward()
            expected.sum().backward()
            same(ours.grad, theirs.grad)


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("shape", [(0,), (1,), (3, 0), ()])
def test_scans_on_tiny_shapes(op, shape):
    a = np.random.default_rng(6).standard_normal(shape)
    ours, theirs = both(a, requires_grad=True)
    out, expected = getattr(zg, op)(ours, 0), getattr(torch, op)(theirs, 0)
    same(out, expected)
    out.sum().backward()
    expected.sum().backward()
    same(ours.grad, theirs.grad)


def test_cumsum_of_integers_and_booleans_is_int64():
    for values in ([1, 2, 3], [True, False, True]):
        same(zg.cumsum(zg.tensor(values), 0), torch.cumsum(torch.tensor(values), 0), exact=True)


def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 2]])
    ours, theirs = both(labels)
    same(zg.nn.functional.one_hot(ours), torch.nn.functional.one_hot(theirs), exact=True)
    same(zg.nn.functional.one_hot(ours, 6), torch.nn.functional.one_hot(theirs, 6), exact=True)


def test_meshgrid_xy_shapes_and_0d_inputs():
    x, y, z = zg.arange(3), zg.arange(4), zg.tensor(5)
    tx, ty, tz = torch.arange(3), torch.arange(4), torch.tensor(5)
    for mine, reference in zip(zg.meshgrid(x, y, z, indexing="xy"), torch.meshgrid(tx, ty, tz, indexing="xy")):
        same(mine, reference, exact=True)


# ---- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("call,error,message", [
    (lambda x: x.gather(1, zg.tensor([[0, 4]])), IndexError, r"gather: index 4 is out of bounds for dim 1 of size 4"),
    (lambda x: x.gather(1, zg.tensor([0, 1])), ValueError, r"gather: index of shape \(2,\) must have as many dims"),
    (lambda x: x.gather(0, zg.tensor([[0.5]])), TypeError, r"gather: index must be an integer tensor"),
    (lambda x: zg.nn.functional.pad(x, (4, 0), mode="reflect"), ValueError, r"pad: reflect padding \(4, 0\) must be at most 3"),
    (lambda x: zg.nn.functional.pad(x, (1,)), ValueError, r"pad: padding \(1,\) must have an even length"),
    (lambda x: zg.nn.functional.pad(x, (1, 1), mode="wrap"), ValueError, r"pad: mode must be one of"),
    (lambda x: x.repeat(2), ValueError, r"repeat: 1 sizes for a tensor of shape \(3, 4\)"),
    (lambda x: x.unsqueeze(0).t(), ValueError, r"t: expects a tensor with <= 2 dimensions, got shape \(1, 3, 4\)"),
    (lambda x: x.unflatten(1, (3, 2)), ValueError, r"unflatten: sizes \(3, 2\) do not multiply to dimension 1"),
    (lambda x: zg.nn.functional.glu(x[:, :3]), ValueError, r"glu: dim -1 of shape \(3, 3\) must have an even size"),
    (lambda x: x.masked_fill(x, 0.0), TypeError, r"masked_fill: mask must be a boolean tensor"),
    (lambda x: x.flip(2), IndexError, r"flip: dimension 2 out of range for a tensor with 2 dimensions"),
    (lambda x: x.topk(5), ValueError, r"topk: k=5 is out of range for dim -1 of size 4"),
    (lambda x: x.scatter_reduce(1, zg.tensor([[0]]), x, "median"), ValueError, r"scatter_reduce: reduce must be one of"),
    (lambda x: zg.nn.functional.one_hot(zg.tensor([0, 3]), 3), ValueError, r"one_hot: class values must be in \[0, 3\)"),
    (lambda x: zg.nn.functional.prelu(x, zg.ones(3)), ValueError, r"prelu: weight of shape \(3,\) must have 1 element"),
    (lambda x: x.index_select(0, zg.tensor([3])), IndexError, r"index_select: index out of range for dim 0 of size 3"),
    (lambda x: x.movedim(0, 5), IndexError, r"movedim: dimension 5 out of range"),
    (lambda x: x.narrow(1, 2, 3), IndexError, r"narrow: start 2 and length 3 exceed dim 1 of shape \(3, 4\)"),
    (lambda x: zg.mm(x, x), ValueError, r"matmul|mm"),
    (lambda x: zg.bmm(x, x), ValueError, r"bmm: expects two 3-d tensors with one batch size, got shapes \(3, 4\)"),
    (lambda x: x[0].diagonal(), IndexError, r"diagonal: dimension 1 out of range for a tensor with 1 dimensions"),
    (lambda x: x.kthvalue(5), ValueError, r"kthvalue: k=5 is out of range for dim -1 of size 4"),
    (lambda x: zg.outer(x, x[0]), ValueError, r"outer: expects two 1-d tensors, got shapes \(3, 4\) and \(4,\)"),
])
def test_bad_input_is_refused_with_the_op_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call(zg.randn(3, 4))


# ---- in-place ops ---------------------------------------------------------------------------

IN_PLACE = [
    ("add_", lambda t, m: t.add_(m.ones_like(t) * 2, alpha=0.5)),
    ("sub_", lambda t, m: t.sub_(1.5)),
    ("mul_", lambda t, m: t.mul_(m.ones_like(t) * 1.5)),
    ("div_", lambda t, m: t.div_(3.0)),
    ("clamp_", lambda t, m: t.clamp_(-0.5, 0.5)),
    ("clamp_min_", lambda t, m: t.clamp_min_(0.1)),
    ("zero_", lambda t, m: t.zero_()),
    ("fill_", lambda t, m: t.fill_(2.5)),
    ("copy_", lambda t, m: t.copy_(m.arange(4))),
    ("masked_fill_", lambda t, m: t.masked_fill_(t > 0, -1.0)),
    ("exp_", lambda t, m: t.exp_()),
    ("neg_", lambda t, m: t.neg_()),
    ("pow_", lambda t, m: t.pow_(2)),
    ("lerp_", lambda t, m: t.lerp_(m.ones_like(t), 0.25)),
    ("addcmul_", lambda t, m: t.addcmul_(m.ones_like(t), m.ones_like(t) * 3, value=0.5)),
]


@pytest.mark.parametrize("name,op", IN_PLACE, ids=[n for n, _ in IN_PLACE])
def test_in_place_on_plain_tensor_writes_its_memory(name, op):
    a = np.random.default_rng(7).standard_normal((3, 4))
    ours, theirs = both(a)
    alias = ours.detach()  # shares memory: must see the change, as in PyTorch
    result = op(ours, zg)
    assert result is ours
    op(theirs, torch)
    same(ours, theirs)
    same(alias, theirs)


@pytest.mark.parametrize("name,op", IN_PLACE, ids=[n for n, _ in IN_PLACE])
def test_in_place_in_the_graph_matches_torch_gradients(name, op):
    a = np.random.default_rng(8).standard_normal((3, 4))
    ours, theirs = both(a, requires_grad=True)
    y, ty = ours * 2, theirs * 2
    op(y, zg)
    op(ty, torch)
    same(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    same(ours.grad, theirs.grad)


def test_in_place_never_hands_a_node_changed_values():
    """y = exp(x) saves its output, then y.mul_(2). The in-place op leaves Exp's array alone (y takes
    a new one), so backward is either right, d/dx Σ 2eˣ = 2eˣ, or — with the version counter of
    the trust branch, as PyTorch — refused; never computed from the doubled values."""
    x = zg.tensor([0.5, -1.0], dtype=zg.float64, requires_grad=True)
    y = x.exp()
    y.mul_(2)
    try:
        y.sum().backward()
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        return
    np.testing.assert_allclose(to_numpy(x.grad), 2 * np.exp([0.5, -1.0]), rtol=1e-15)


def test_in_place_on_leaf_that_requires_grad_is_refused_unless_no_grad():
    w = zg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add_: a leaf Variable that requires grad is being used in an in-place "
                                           r"operation \(shape \(3,\)\)"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="setitem: a view of a leaf Variable that requires grad is being used"):
        w[0] = 5.0
    with zg.no_grad():
        w.sub_(zg.tensor([0.5, 1.0, 2.0]))
        w[1] = 7.0
    np.testing.assert_array_equal(to_numpy(w), [0.5, 7.0, -1.0])
    assert w.requires_grad and w.is_leaf


def test_in_place_refuses_broadcasting_the_target_and_lossy_casts():
    x = zg.ones(3)
    with pytest.raises(RuntimeError, match=r"add_: the result's shape \(2, 3\) does not match the tensor's shape \(3,\)"):
        x.add_(zg.ones(2, 3))
    with pytest.raises(RuntimeError, match="mul_: result type float\\d+ can't be cast to the tensor's type int64"):
        zg.tensor([1, 2]).mul_(1.5)


def test_setitem_without_grad_matches_numpy_semantics():
    a = np.random.default_rng(9).standard_normal((4, 5))
    ours, theirs = both(a)
    for target in (ours, theirs):
        target[target > 0.5] = 0
        target[1, ::2] = -3.0
        target[[0, 2]] = target[[3, 3]] * 2
        target[..., -1] = target[:, 0]
    same(ours, theirs)
    with pytest.raises(IndexError, match=r"setitem: .* \(tensor shape \(4, 5\)\)"):
        ours[7] = 1.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(range(len(IN_PLACE))), min_size=1, max_size=4), st.integers(0, 2**31))
def test_chains_of_in_place_ops_match_torch(chain, seed):
    a = np.random.default_rng(seed).standard_normal((3, 4))
    ours, theirs = both(a, requires_grad=True)
    y, ty = ours * 1.5, theirs * 1.5
    for k in chain:
        y, ty = y.clone(), ty.clone()  # exp_ saves its result: changing that again would be refused
        IN_PLACE[k][1](y, zg)
        IN_PLACE[k][1](ty, torch)
    np.testing.assert_allclose(to_numpy(y), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    if ty.requires_grad:
        (y * ours).sum().backward()
        (ty * theirs).sum().backward()
        np.testing.assert_allclose(to_numpy(ours.grad), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---- activation modules ----------------------------------------------------------------------

MODULES = [("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("ELU", {"alpha": 0.5}), ("SELU", {}),
           ("CELU", {"alpha": 2.0}), ("Softplus", {"beta": 2.0, "threshold": 3.0}), ("Softsign", {}), ("Mish", {}),
           ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("ReLU6", {}), ("Hardsigmoid", {}), ("Hardswish", {}),
           ("LogSigmoid", {}), ("GLU", {"dim": 0}), ("PReLU", {"num_parameters": 3, "init": 0.1})]


@pytest.mark.parametrize("name,kwargs", MODULES, ids=[f"{n}{sorted(k.items())}" for n, k in MODULES])
def test_activation_modules_match_torch(name, kwargs):
    a = np.random.default_rng(10).standard_normal((4, 3, 5)) * 4
    a[0, 0, :4] = [0.0, -0.0, 3.0, -3.0]
    ours, theirs = both(a, requires_grad=True)
    extra = {"dtype": zg.float64} if name == "PReLU" else {}
    mine, reference = getattr(zg.nn, name)(**kwargs, **extra), getattr(torch.nn, name)(**kwargs).double()
    if name == "PReLU":
        reference.weight.data = torch.tensor([0.1, -0.3, 0.7], dtype=torch.float64)
        mine.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    out, expected = mine(ours), reference(theirs)
    same(out, expected)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(to_numpy(ours.grad), theirs.grad.numpy(), rtol=1e-7, atol=1e-12)
    if name == "PReLU":
        np.testing.assert_allclose(to_numpy(mine.weight.grad), reference.weight.grad.numpy(), rtol=1e-10)
    assert repr(mine).startswith(name)


ZERO_D = [
    ("prod", lambda m, a: a.prod(0)), ("all", lambda m, a: a.all(-1)), ("any", lambda m, a: m.any(a, 0)),
    ("flip", lambda m, a: a.flip(0)), ("movedim", lambda m, a: a.movedim(0, -1)), ("cumsum", lambda m, a: a.cumsum(0)),
    ("scatter_add", lambda m, a: a.scatter_add(0, m.tensor(0), a)),
    ("scatter_reduce", lambda m, a: a.scatter_reduce(0, m.tensor(0), a * 2, "amax")),
    ("index_select", lambda m, a: a.index_select(0, m.tensor([0]))), ("sort", lambda m, a: a.sort().values),
    ("topk", lambda m, a: a.topk(1).values), ("norm", lambda m, a: a.norm()), ("var", lambda m, a: a.var(correction=0)),
    ("nonzero", lambda m, a: m.nonzero(a)), ("gather", lambda m, a: a.gather(0, m.tensor(0))),
]


@pytest.mark.parametrize("name,op", ZERO_D, ids=[n for n, _ in ZERO_D])
def test_zero_dimensional_inputs_match_torch(name, op):
    ours, theirs = both(np.array(-1.25))
    same(op(zg, ours), op(torch, theirs), exact=True)


def test_nan_bounds_and_infinite_inputs_propagate_as_in_torch():
    values = np.array([0.5, -np.inf, np.inf, np.nan, -3.0, 3.0])
    bounds = np.array([np.nan, 0.0, 0.0, 0.0, np.nan, 1.0])
    ours, theirs = both(values)
    same(zg.clamp(ours, min=zg.tensor(bounds)), torch.clamp(theirs, min=torch.tensor(bounds)), exact=True)
    same(zg.clamp(ours, max=zg.tensor(bounds)), torch.clamp(theirs, max=torch.tensor(bounds)), exact=True)
    for name in ("hardswish", "hardsigmoid", "relu6", "silu", "gelu", "elu", "softplus", "logsigmoid", "mish"):
        same(getattr(zg.nn.functional, name)(ours), getattr(torch.nn.functional, name)(theirs))


def test_creation_helpers_match_torch():
    same(zg.linspace(-1, 2, 7), torch.linspace(-1, 2, 7))
    same(zg.linspace(0, 1, 1, dtype=zg.float64), torch.linspace(0, 1, 1, dtype=torch.float64))
    same(zg.logspace(0, 2, 5, base=2.0), torch.logspace(0, 2, 5, base=2.0))
    x = zg.tensor([[1.5, 2.0]], dtype=zg.float64)
    same(zg.full_like(x, 7), torch.full_like(torch.tensor([[1.5, 2.0]], dtype=torch.float64), 7))
    for made in (x.new_zeros(2, 3), x.new_ones((2, 3)), x.new_full((2, 3), 4.0), x.new_empty(2, 3), zg.empty_like(x)):
        assert made.dtype == zg.float64 and made.shape in ((2, 3), (1, 2))
    assert x.new_tensor([1, 2]).dtype == zg.float64
    zg.manual_seed(3)
    first = zg.randperm(10)
    zg.manual_seed(3)
    assert zg.randperm(10).tolist() == first.tolist() and sorted(first.tolist()) == list(range(10))
    assert first.dtype == zg.int64
    draws = zg.randint_like(zg.zeros(1000, dtype=zg.int64), 3, 6)
    assert set(draws.tolist()) == {3, 4, 5}
    with pytest.raises(ValueError, match="linspace: number of steps must be non-negative, got -1"):
        zg.linspace(0, 1, -1)
