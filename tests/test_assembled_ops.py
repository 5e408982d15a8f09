"""quantile / nanquantile / nanmedian, cdist, trapezoid, unique_consecutive and the assembled
tensors (atleast_*, broadcast_tensors, block_diag, cartesian_prod, vander, tril/triu_indices)
against PyTorch: every interpolation and keepdim shape, NaN handling, index outputs, dtypes,
empty inputs and the errors (gradients are in tests/op_table.py)."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _same(mine, theirs, **tolerance):
    expected = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    got = to_numpy(mine)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, equal_nan=True, **(tolerance or dict(rtol=1e-6, atol=1e-7)))


SAMPLES = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                     elements=st.one_of(st.floats(-10, 10), st.just(np.nan), st.sampled_from([0.0, -0.0, 1.0])))


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(SAMPLES, st.floats(0, 1), st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]),
       st.booleans(), st.data())
def test_quantiles_match_torch(values, level, interpolation, keepdim, data):
    dim = data.draw(st.sampled_from([None] + list(range(-values.ndim, values.ndim))))
    for name in ("quantile", "nanquantile"):
        mine = getattr(zg, name)(zg.tensor(values), level, dim=dim, keepdim=keepdim, interpolation=interpolation)
        theirs = getattr(torch, name)(torch.tensor(values), level, dim=dim, keepdim=keepdim,
                                      interpolation=interpolation)
        _same(mine, theirs)
    levels = np.array([0.0, level, 1.0])
    _same(zg.quantile(zg.tensor(values), zg.tensor(levels), dim=dim, keepdim=keepdim),
          torch.quantile(torch.tensor(values), torch.tensor(levels), dim=dim, keepdim=keepdim))


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(SAMPLES, st.booleans(), st.data())
def test_nanmedian_matches_torch(values, keepdim, data):
    _same(zg.nanmedian(zg.tensor(values)), torch.nanmedian(torch.tensor(values)))
    dim = data.draw(st.integers(-values.ndim, values.ndim - 1))
    mine = zg.tensor(values).nanmedian(dim, keepdim)
    theirs = torch.tensor(values).nanmedian(dim, keepdim)
    _same(mine.values, theirs.values)
    indices = to_numpy(mine.indices)
    assert indices.shape == tuple(theirs.indices.shape)
    positions = indices if keepdim else np.expand_dims(indices, dim)
    picked = np.take_along_axis(values, positions, axis=dim)  # where a slice is all NaN PyTorch's index is
    np.testing.assert_array_equal(picked if keepdim else np.squeeze(picked, dim), to_numpy(mine.values))  # arbitrary


def test_quantile_errors_name_the_problem():
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.5"):
        zg.quantile(zg.tensor([1.0, 2.0]), 1.5)
    with pytest.raises(RuntimeError, match="float or double"):
        zg.quantile(zg.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match="non-empty"):
        zg.quantile(zg.tensor([]), 0.5)
    with pytest.raises(RuntimeError, match="interpolation"):
        zg.quantile(zg.tensor([1.0]), 0.5, interpolation="cubic")
    with pytest.raises(RuntimeError, match="same dtype"):
        zg.quantile(zg.tensor([1.0]), zg.tensor([0.5], dtype=zg.float64))
    with pytest.raises(IndexError):
        zg.quantile(zg.ones(2, 3), 0.5, dim=2)


def test_quantile_of_a_0d_tensor():
    _same(zg.quantile(zg.tensor(3.0), 0.5), torch.quantile(torch.tensor(3.0), 0.5))
    _same(zg.quantile(zg.tensor(3.0), zg.tensor([0.2, 0.9]), dim=0, keepdim=True),
          torch.quantile(torch.tensor(3.0), torch.tensor([0.2, 0.9]), dim=0, keepdim=True))


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.5, float("inf")])
@pytest.mark.parametrize("shapes", [((5, 3), (7, 3)), ((2, 1, 4, 3), (3, 5, 3)), ((0, 2), (3, 2)), ((3, 0), (2, 0)),
                                    ((1, 1), (1, 1))])
def test_cdist_values_match_torch(rng, p, shapes):
    a, b = (rng.standard_normal(shape) for shape in shapes)
    if a.size and b.size:
        b.reshape(-1, b.shape[-1])[0] = a.reshape(-1, a.shape[-1])[0]  # a coincident pair
    _same(zg.cdist(zg.tensor(a), zg.tensor(b), p=p), torch.cdist(torch.tensor(a), torch.tensor(b), p=p),
          rtol=1e-10, atol=1e-12)


def test_cdist_gradient_is_zero_where_points_coincide():
    a = zg.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    b = zg.tensor([[1.0, 2.0]], requires_grad=True)
    zg.cdist(a, b).sum().backward()
    ta = torch.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    tb = torch.tensor([[1.0, 2.0]], requires_grad=True)
    torch.cdist(ta, tb).sum().backward()
    _same(a.grad, ta.grad)
    _same(b.grad, tb.grad)
    assert zg.autograd.gradgradcheck(lambda x, y: zg.cdist(x, y, p=1.5),
                                     (zg.tensor(np.array([[0.3, -1.0], [1.2, 0.4]]), requires_grad=True),
                                      zg.tensor(np.array([[0.5, 0.7]]), requires_grad=True)))


def test_cdist_errors():
    with pytest.raises(RuntimeError, match="same number of columns"):
        zg.cdist(zg.ones(2, 3), zg.ones(2, 4))
    with pytest.raises(RuntimeError, match="at least 2D"):
        zg.cdist(zg.ones(3), zg.ones(2, 3))
    with pytest.raises(RuntimeError, match="non-negative p"):
        zg.cdist(zg.ones(2, 3), zg.ones(2, 3), p=-1)
    with pytest.raises(RuntimeError, match="floating-point"):
        zg.cdist(zg.ones(2, 3, dtype=zg.int64), zg.ones(2, 3, dtype=zg.int64))


@pytest.mark.parametrize("row, col, offset", [(3, 4, 0), (4, 3, 1), (5, 5, -2), (0, 3, 0), (3, 1, 7), (2, 6, -9)])
def test_triangle_indices_match_torch(row, col, offset):
    _same(zg.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
    _same(zg.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))
    with pytest.raises(RuntimeError):
        zg.tril_indices(-1, 2)


@pytest.mark.parametrize("values, dim", [([1, 1, 2, 2, 3, 1, 1, 2], None), ([], None), ([[1, 1], [1, 1], [2, 3]], 0),
                                         ([[1, 1, 2], [1, 1, 3]], 1), ([[1, 1, 2], [1, 1, 3]], None), (7, None),
                                         ([np.nan, np.nan, 1.0, 1.0], None)])
def test_unique_consecutive_matches_torch(values, dim):
    mine = zg.unique_consecutive(zg.tensor(values), return_inverse=True, return_counts=True, dim=dim)
    theirs = torch.unique_consecutive(torch.tensor(values), return_inverse=True, return_counts=True, dim=dim)
    for got, expected in zip(mine, theirs):
        _same(got, expected)
    _same(zg.tensor(values).unique_consecutive(), torch.tensor(values).unique_consecutive())


def test_trapezoid_matches_torch_and_refuses_bad_spacing(rng):
    y = rng.standard_normal((4, 5))
    x = np.sort(rng.standard_normal(5))
    _same(zg.trapezoid(zg.tensor(y), zg.tensor(x)), torch.trapezoid(torch.tensor(y), torch.tensor(x)))
    _same(zg.trapezoid(zg.tensor(y), dx=0.25, dim=0), torch.trapezoid(torch.tensor(y), dx=0.25, dim=0))
    _same(zg.cumulative_trapezoid(zg.tensor(y), zg.tensor(y), dim=0),
          torch.cumulative_trapezoid(torch.tensor(y), torch.tensor(y), dim=0))
    _same(zg.trapezoid(zg.ones(3, 1)), torch.trapezoid(torch.ones(3, 1)))
    with pytest.raises(RuntimeError, match="one `x` value for each sample"):
        zg.trapezoid(zg.tensor(y), zg.tensor(x[:3]))


def test_assembled_tensors_match_torch(rng):
    scalar, vector, matrix = zg.tensor(2.0, dtype=zg.float64), zg.tensor([1, 2, 3]), zg.tensor(rng.standard_normal((2, 2)))
    t = {id(x): torch.tensor(to_numpy(x)) for x in (scalar, vector, matrix)}
    for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for x in (scalar, vector, matrix):
            _same(getattr(zg, name)(x), getattr(torch, name)(t[id(x)]))
        mine = getattr(zg, name)(scalar, matrix)
        assert isinstance(mine, tuple) and [m.shape for m in mine] == \
            [tuple(x.shape) for x in getattr(torch, name)(t[id(scalar)], t[id(matrix)])]
    _same(zg.block_diag(scalar, vector, matrix), torch.block_diag(t[id(scalar)], t[id(vector)], t[id(matrix)]))
    _same(zg.block_diag(vector, zg.tensor([[4, 5]])), torch.block_diag(t[id(vector)], torch.tensor([[4, 5]])))
    _same(zg.block_diag(), torch.block_diag())
    _same(zg.cartesian_prod(vector, zg.tensor([7, 8])), torch.cartesian_prod(t[id(vector)], torch.tensor([7, 8])))
    _same(zg.cartesian_prod(vector), torch.cartesian_prod(t[id(vector)]))
    _same(zg.vander(vector), torch.vander(t[id(vector)]))
    _same(zg.vander(zg.tensor([0.5, -2.0]), N=5, increasing=True), torch.vander(torch.tensor([0.5, -2.0]), N=5,
                                                                                increasing=True))
    _same(zg.vander(vector, N=0), torch.vander(t[id(vector)], N=0))
    expanded = zg.broadcast_tensors(zg.ones(3, 1), zg.zeros(4), scalar)
    assert [e.shape for e in expanded] == [(3, 4)] * 3
    with pytest.raises(RuntimeError, match="do not broadcast"):
        zg.broadcast_tensors(zg.ones(3), zg.ones(4))
    with pytest.raises(RuntimeError, match="2 or fewer"):
        zg.block_diag(zg.ones(1, 1, 1))
    assert zg.is_floating_point(matrix) and not zg.is_floating_point(vector)
    _same(zg.true_divide(vector, zg.tensor([2, 2, 2])), torch.true_divide(t[id(vector)], torch.tensor([2, 2, 2])))


@pytest.mark.parametrize("name, args, view", [("select_scatter", (1, 2), lambda t: t.select(1, 2)),
                                              ("slice_scatter", (2, 1, 5, 2), lambda t: t[:, :, 1:5:2]),
                                              ("diagonal_scatter", (1, 1, 2), lambda t: t.diagonal(1, 1, 2)),
                                              ("diagonal_scatter", (0, 0, 2), lambda t: t.diagonal(0, 0, 2)),
                                              ("diagonal_scatter", (-2, 1, 0), lambda t: t.diagonal(-2, 1, 0))])
def test_scatters_match_torch(rng, name, args, view):
    x = rng.standard_normal((4, 5, 6))
    reference = torch.tensor(x, requires_grad=True)
    src = rng.standard_normal(tuple(view(reference).shape))
    tsrc = torch.tensor(src, requires_grad=True)
    mine, msrc = zg.tensor(x, requires_grad=True), zg.tensor(src, requires_grad=True)
    out, expected = getattr(zg, name)(mine, msrc, *args), getattr(torch, name)(reference, tsrc, *args)
    _same(out.detach(), expected.detach())
    seed = rng.standard_normal(tuple(expected.shape))
    (out * zg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    _same(mine.grad, reference.grad)
    _same(msrc.grad, tsrc.grad)
    with pytest.raises(RuntimeError, match="does not fit"):
        getattr(zg, name)(mine, zg.ones(1, 1, 1, dtype=zg.float64), *args)


def test_pdist_histogram_and_the_top_level_aliases_match_torch(rng):
    points = rng.standard_normal((6, 3))
    for p in (1.0, 2.0, 3.0):
        _same(zg.pdist(zg.tensor(points), p), torch.pdist(torch.tensor(points), p), rtol=1e-12, atol=1e-12)
    values = rng.standard_normal(50)
    for bins in (7, zg.tensor([-3.0, -0.5, 0.0, 2.5], dtype=zg.float64)):
        mine = zg.histogram(zg.tensor(values), bins=bins)
        theirs = torch.histogram(torch.tensor(values), bins=bins if isinstance(bins, int) else torch.tensor(bins.numpy()))
        _same(mine.hist, theirs.hist)
        _same(mine.bin_edges, theirs.bin_edges)
    weights = rng.random(50)
    mine = zg.histogram(zg.tensor(values), 5, range=(-1.0, 1.0), weight=zg.tensor(weights), density=True)
    theirs = torch.histogram(torch.tensor(values), 5, range=(-1.0, 1.0), weight=torch.tensor(weights), density=True)
    _same(mine.hist, theirs.hist, rtol=1e-12, atol=1e-12)
    x = rng.standard_normal((3, 4))
    for name in ("selu", "celu", "hardshrink"):
        _same(getattr(zg, name)(zg.tensor(x)), getattr(torch, name)(torch.tensor(x)), rtol=1e-12, atol=1e-12)
    _same(zg.threshold(zg.tensor(x), 0.1, 20.0), torch.threshold(torch.tensor(x), 0.1, 20.0))
    _same(zg.row_stack([zg.tensor(x[0]), zg.tensor(x[1])]), torch.row_stack([torch.tensor(x[0]), torch.tensor(x[1])]))
    assert zg.is_nonzero(zg.tensor([0.5])) and not zg.is_complex(zg.tensor(x))
    with pytest.raises(RuntimeError, match="float"):
        zg.histogram(zg.tensor([1, 2]))
