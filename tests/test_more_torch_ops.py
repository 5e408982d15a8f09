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


# ---- the edge sweep's findings (each failed before its fix) ---------------------------------

SWEEP = {
    "uint8_plus_negative_int_wraps": lambda m: m.tensor([3], dtype=m.uint8) + (-5),
    "int8_times_big_int_wraps": lambda m: m.tensor([100], dtype=m.int8) * 300,
    "unique_keeps_each_nan": lambda m: m.unique(m.tensor([np.nan, 1.0, np.nan]), return_counts=True),
    "mean_of_ints_with_dtype": lambda m: m.tensor([1, 2]).mean(dtype=m.float64),
    "isclose_negative_rtol": lambda m: m.isclose(m.tensor([1.0]), m.tensor([1.0]), rtol=-1),
    "allclose_shapes_that_do_not_broadcast": lambda m: m.allclose(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0])),
    "diff_of_bools_is_xor": lambda m: m.tensor([True, False, False, True]).diff(),
    "left_shift": lambda m: m.tensor([1, 8, -3]) << m.tensor([2, 1, 1]),
    "right_shift_keeps_sign": lambda m: m.tensor([-8, 8, -1], dtype=m.int32) >> 1,
    "shift_functions": lambda m: (m.bitwise_left_shift(m.tensor([3]), 2), m.tensor([64]).bitwise_right_shift(3)),
    "shift_of_floats_refused": lambda m: m.tensor([1.0]) << 1,
    "norm_of_ints_refused": lambda m: m.tensor([3, 4]).norm(),
    "logcumsumexp_of_ints_refused": lambda m: m.tensor([1, 2]).logcumsumexp(0),
    "cumprod_float32_accumulates_wide": lambda m: m.tensor([1e-30, 1e-30, np.inf, 1e25, 1e25]).cumprod(0),
    "cumsum_0d_dim_out_of_range": lambda m: m.tensor(2.0).cumsum(1),
    "sort_0d_dim_out_of_range": lambda m: m.tensor(2.0).sort(dim=1),
    "topk_0d_dim_out_of_range": lambda m: m.tensor(2.0).topk(1, dim=-2),
    "topk_of_bools_refused": lambda m: m.tensor([True, False]).topk(1),
    "cummax_0d_bool_stays_bool": lambda m: tuple(m.tensor(True).cummax(0)),
    "sort_0d_bool_stays_bool": lambda m: m.tensor(True).sort().values,
    "unique_dim_with_other_empty_dim_refused": lambda m: m.unique(m.zeros(1, 0), dim=0),
    "trunc_division_keeps_int32_with_0d_int64": lambda m: m.div(m.tensor([7, -7], dtype=m.int32), m.tensor(2),
                                                                 rounding_mode="trunc"),
    "integer_division_of_empty_by_zero": lambda m: m.tensor([], dtype=m.int64) // m.tensor(0),
    "trunc_division_gradient_is_zero_at_zero_divisor": lambda m: _grads(
        m, lambda a, b: m.div(a, b, rounding_mode="trunc"), [0.0, 1.0], [0.0, 0.0]),
    "clamp_gradient_where_min_equals_max": lambda m: _grads(m, m.clamp, [-1.0, 0.5, 2.0], [0.0, 1.0, 1.0],
                                                             [0.0, 0.0, 1.0]),
    "clamp_nan_bound_still_routes_to_max": lambda m: _grads(m, m.clamp, [1.0, np.nan], [np.nan, 1.0], [0.0, -1.0]),
}


def _grads(m, fn, *values):
    """(fn's value, each input's gradient) for float inputs made from ``values``."""
    inputs = [m.tensor(v, requires_grad=True) for v in values]
    out = fn(*inputs)
    out.sum().backward()
    return (out,) + tuple(m.zeros_like(t) if t.grad is None else t.grad for t in inputs)


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_sweep_findings_match_torch(name):
    ours, theirs = _both(SWEEP[name])
    _same(ours, theirs)
