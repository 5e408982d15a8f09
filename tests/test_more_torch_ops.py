"""PyTorch names added late, checked against PyTorch: broadcast_shapes, unravel_index, combinations,
range, msort, frexp, nextafter, gradient, masked_scatter, put, index_reduce, poisson, chain_matmul,
byte, H/mH, apply_/map_, narrow_copy, isreal — values, dtypes and the exceptions PyTorch raises.
(Their gradients are in the op table.)"""

import warnings

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _both(fn):
    """fn run on zengrad and on torch: (result, result) or the two exception types."""
    out = []
    for m in (zg, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(fn(m))
            except Exception as error:  # noqa: BLE001  (the type is what is compared)
                out.append(error)
    return out


def _same(ours, theirs):
    if isinstance(theirs, Exception):
        assert isinstance(ours, type(theirs)) or isinstance(ours, RuntimeError) and isinstance(theirs, RuntimeError), \
            f"{type(ours).__name__}: {ours} where PyTorch raises {type(theirs).__name__}: {theirs}"
        return
    assert not isinstance(ours, Exception), f"raised {type(ours).__name__}: {ours}; PyTorch gives {theirs}"
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    expected = theirs.detach().numpy()
    got = np.asarray(ours.detach().numpy())
    assert got.dtype == expected.dtype and got.shape == expected.shape, (got, expected)
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=1e-6, atol=1e-7)


_FLOATS = [0.0, -0.0, 1.0, 8.5, np.inf, -np.inf, np.nan, 1e-40, -3e38, 0.75]
CASES = {
    "unravel_index": lambda m: m.unravel_index(m.tensor([5, -1, 7, -7]), (2, 3)),
    "unravel_index_int_shape": lambda m: m.unravel_index(m.tensor([[4]], dtype=m.int32), 5),
    "unravel_index_float": lambda m: m.unravel_index(m.tensor(4.0), (5,)),
    "combinations_r3": lambda m: m.combinations(m.tensor([1, 2, 3, 4]), 3),
    "combinations_r0": lambda m: m.combinations(m.tensor([1.0, 2.0]), 0),
    "combinations_r_over_n": lambda m: m.combinations(m.tensor([1, 2]), 3),
    "combinations_replacement": lambda m: m.combinations(m.tensor([1, 2, 3]), 2, with_replacement=True),
    "combinations_empty": lambda m: m.combinations(m.tensor([]), 2),
    "combinations_2d": lambda m: m.combinations(m.ones(2, 2), 2),
    "combinations_negative": lambda m: m.combinations(m.tensor([1.0]), -1),
    "range": lambda m: m.range(1, 4),
    "range_steps": lambda m: m.range(0, 1, 0.1),
    "range_down": lambda m: m.range(4, 1, -1),
    "range_int_truncates": lambda m: m.range(0.5, 3, dtype=m.int64),
    "range_double": lambda m: m.range(0, 1, 0.25, dtype=m.float64),
    "range_zero_step": lambda m: m.range(1, 4, 0),
    "range_wrong_sign": lambda m: m.range(4, 1),
    "msort": lambda m: m.msort(m.tensor([[3.0, 1.0], [np.nan, 5.0], [2.0, -0.0]])),
    "msort_0d": lambda m: m.msort(m.tensor(3)),
    "frexp": lambda m: tuple(m.frexp(m.tensor(_FLOATS))),
    "frexp_float64_subnormal": lambda m: tuple(m.frexp(m.tensor([1e-310, 5e-324, 1.7e308], dtype=m.float64))),
    "frexp_int": lambda m: m.frexp(m.tensor([1, 2])),
    "nextafter": lambda m: m.nextafter(m.tensor([0.0, 1.0, np.nan, -0.0, np.inf]), m.tensor([1.0, 0.0, 1.0, 1.0, 0.0])),
    "nextafter_promotes": lambda m: m.nextafter(m.tensor([1.0]), m.tensor([2.0], dtype=m.float64)),
    "nextafter_number": lambda m: m.nextafter(m.tensor([1.0]), 2.0),
    "gradient_int": lambda m: m.gradient(m.tensor([1, 4, 9]), spacing=2),
    "gradient_too_short": lambda m: m.gradient(m.tensor([1.0, 2.0]), edge_order=2),
    "gradient_edge_order_3": lambda m: m.gradient(m.tensor([1.0, 2.0, 4.0, 5.0]), edge_order=3),
    "gradient_spacing_count": lambda m: m.gradient(m.ones(3, 4), spacing=[1.0, 2.0, 3.0]),
    "gradient_dim_range": lambda m: m.gradient(m.ones(3), dim=1),
    "gradient_0d": lambda m: m.gradient(m.tensor(1.0)),
    "masked_scatter_short_source": lambda m: m.zeros(4).masked_scatter(m.tensor([True, False, True, True]),
                                                                        m.arange(2.0)),
    "masked_scatter_dtype": lambda m: m.zeros(4).masked_scatter(m.tensor([True, False, True, True]), m.arange(5)),
    "masked_scatter_float_mask": lambda m: m.zeros(2).masked_scatter(m.ones(2), m.arange(5.0)),
    "masked_scatter_in_place": lambda m: m.zeros(2, 3).masked_scatter_(m.tensor([True, False, True]), m.arange(6.0)),
    "put_in_place": lambda m: m.zeros(2, 3).put_(m.tensor([1, -1]), m.tensor([1.0, 2.0])),
    "put_accumulate": lambda m: m.zeros(2, 3).put_(m.tensor([1, -1, 1]), m.tensor([1.0, 2.0, 3.0]), accumulate=True),
    "put_out_of_range": lambda m: m.zeros(2, 3).put(m.tensor([1, 6]), m.tensor([1.0, 2.0])),
    "put_negative_out_of_range": lambda m: m.zeros(2, 3).put(m.tensor([1, -7]), m.tensor([1.0, 2.0])),
    "put_count": lambda m: m.zeros(2, 3).put(m.tensor([1, 5]), m.tensor([1.0, 2.0, 3.0])),
    "put_float_index": lambda m: m.zeros(2, 3).put(m.tensor([1.0, 5.0]), m.tensor([1.0, 2.0])),
    "put_dtype": lambda m: m.zeros(2, 3).put(m.tensor([1, 5]), m.tensor([1, 2])),
    "index_reduce_int_mean": lambda m: m.tensor([[1, 2], [3, 4], [5, 6]]).index_reduce(
        0, m.tensor([0, 2, 0, 0]), m.tensor([[2, 3], [4, 5], [6, 7], [-1, 10]]), "mean"),
    "index_reduce_in_place_amin": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]).index_reduce_(
        1, m.tensor([1, 1, 0], dtype=m.int32), m.tensor([[0.5, 9.0, 2.0], [7.0, 3.0, 1.0]]), "amin", include_self=False),
    "index_reduce_sum": lambda m: m.ones(3, 2).index_reduce(0, m.tensor([0]), m.ones(1, 2), "sum"),
    "index_reduce_negative": lambda m: m.ones(3, 2).index_reduce(0, m.tensor([-1]), m.ones(1, 2), "mean"),
    "index_reduce_out_of_range": lambda m: m.ones(3, 2).index_reduce(0, m.tensor([3]), m.ones(1, 2), "mean"),
    "index_reduce_count": lambda m: m.ones(3, 2).index_reduce(0, m.tensor([0, 1]), m.ones(1, 2), "mean"),
    "index_reduce_float_index": lambda m: m.ones(3, 2).index_reduce(0, m.tensor([0.0]), m.ones(1, 2), "mean"),
    "poisson_negative": lambda m: m.poisson(m.tensor([-1.0, 2.0])),
    "poisson_nan": lambda m: m.poisson(m.tensor([np.nan])),
    "poisson_zero_rate": lambda m: m.poisson(m.zeros(2, 3, dtype=m.float64)),
    "chain_matmul_one": lambda m: m.chain_matmul(m.ones(2, 3)),
    "chain_matmul_none": lambda m: m.chain_matmul(),
    "chain_matmul_vector": lambda m: m.chain_matmul(m.ones(3), m.ones(3, 4)),
    "byte": lambda m: m.tensor([1.7, -1.5, 300.0, 0.2]).byte(),
    "byte_bool": lambda m: m.tensor([True, False]).byte(),
    "H": lambda m: m.arange(6.0).reshape(2, 3).H,
    "H_0d": lambda m: m.tensor(2.0).H,
    "H_1d": lambda m: m.ones(3).H,
    "H_3d": lambda m: m.ones(2, 3, 4).H,
    "mH_1d": lambda m: m.ones(3).mH,
    "mT_1d": lambda m: m.ones(3).mT,
    "mH_0d": lambda m: m.tensor(2.0).mH,
    "narrow_copy": lambda m: m.narrow_copy(m.arange(6).reshape(2, 3), 1, -1, 1),
    "narrow_copy_too_long": lambda m: m.arange(6).reshape(2, 3).narrow_copy(1, 2, 2),
    "isreal": lambda m: m.isreal(m.tensor([[1.0, np.nan]])),
    "isreal_int": lambda m: m.tensor([1, 2]).isreal(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    ours, theirs = _both(CASES[name])
    _same(ours, theirs)


@pytest.mark.parametrize("shapes", [[(2, 1), (3,)], [3, (2, 1)], [], [(0, 1), (1, 5)], [(2, 1), (3, 4)], [(1,), ()]])
def test_broadcast_shapes(shapes):
    ours, theirs = _both(lambda m: m.broadcast_shapes(*shapes))
    if isinstance(theirs, Exception):
        assert isinstance(ours, RuntimeError)
    else:
        assert ours == theirs and isinstance(ours, zg.Size)


def test_range_warns_as_deprecated():
    with pytest.warns(UserWarning, match="deprecated"):
        zg.range(0, 2)


def test_poisson_draws_repeat_with_a_generator_and_have_the_rates_mean():
    rates = zg.tensor([0.5, 3.0, 20.0])
    draws = [zg.poisson(rates.expand(4000, 3), generator=zg.Generator().manual_seed(7)) for _ in range(2)]
    assert np.array_equal(draws[0].numpy(), draws[1].numpy())
    assert draws[0].dtype == zg.float32 and (draws[0].numpy() == np.round(draws[0].numpy())).all()
    np.testing.assert_allclose(draws[0].numpy().mean(0), [0.5, 3.0, 20.0], rtol=0.08)


def test_poisson_refuses_integer_rates():
    with pytest.raises(NotImplementedError):
        zg.poisson(zg.tensor([1, 2]))


@pytest.mark.parametrize("method", ["apply_", "map_"])
def test_apply_and_map_call_python_on_each_element_as_torch(method):
    def run(m):
        a = m.tensor([[1, 2, -3], [4, 5, 6]])
        view = a[:, ::2]
        if method == "apply_":
            view.apply_(lambda v: v * 2.7 if type(v) is int else -1)
        else:
            view.map_(m.tensor([10, 20]).reshape(2, 1), lambda u, v: u - v)
        return a
    ours, theirs = _both(run)
    _same(ours, theirs)


@pytest.mark.parametrize("fn", [lambda m: m.tensor([1.0], requires_grad=True).apply_(lambda v: v),
                                lambda m: m.tensor([1.0]).apply_(lambda v: "x"),
                                lambda m: m.tensor([1.0]).map_(m.tensor([1]), lambda u, v: u),
                                lambda m: m.tensor([[1.0, 2.0]]).map_(m.ones(2, 1), lambda u, v: u)])
def test_apply_and_map_refuse_as_torch(fn):
    _same(*_both(fn))


def test_scatter_reduce_prod_gradient_of_an_untouched_zero_is_the_incoming_gradient():
    """Regression: the gradient of an element no index reached was g·z/a, NaN at a = 0."""
    def run(m):
        x = m.tensor([[0.0, 2.0, 3.0]], requires_grad=True)
        x.scatter_reduce(1, m.tensor([[1, 1]]), m.tensor([[2.0, 3.0]]), "prod").sum().backward()
        return x.grad
    _same(*_both(run))
