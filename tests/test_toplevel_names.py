"""PyTorch's top-level names and Tensor methods that alias zengrad's ops (zengrad/toplevel.py,
windows.py, settings.py, the in-place and restriding methods of ops/__init__.py), each compared
with PyTorch on the same inputs: values, dtypes, shapes, strides, gradients, errors."""

import numpy as np
import pytest

import zengrad as zg
from torch_bridge import assert_same

torch = pytest.importorskip("torch")

rng = np.random.default_rng(20261203)


def same(ours, theirs, atol=1e-5):
    assert_same(ours, theirs, atol, requires_grad=False)


def both(array, requires_grad=False):
    return zg.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def floats(*shape):
    return rng.standard_normal(shape).astype(np.float32)


# ---- functional ops under their top-level names -----------------------------------------------------

X1, W1 = floats(2, 3, 11), floats(4, 3, 3)
X2, W2 = floats(2, 3, 7, 6), floats(4, 3, 3, 2)
G3, B3, BIAS4, TABLE = floats(3), floats(3), floats(4), floats(10, 4)
SHUFFLED, BILINEAR = floats(1, 8, 2, 3), (floats(5, 3), floats(5, 2), floats(4, 3, 2), floats(4))

FUNCTIONAL = [
    ("conv1d", lambda m, t: m.conv1d(t(X1), t(W1), None, 2, 1)),
    ("conv2d", lambda m, t: m.conv2d(t(X2), t(W2), t(BIAS4), padding=1)),
    ("conv_transpose1d", lambda m, t: m.conv_transpose1d(t(X1), t(W1.transpose(1, 0, 2).copy()), None, 2)),
    ("max_pool1d", lambda m, t: m.max_pool1d(t(X1), 3, [], 1)),
    ("max_pool2d", lambda m, t: m.max_pool2d(t(X2), 2)),
    ("max_pool1d_with_indices", lambda m, t: m.max_pool1d_with_indices(t(X1), 3)),
    ("adaptive_max_pool1d", lambda m, t: m.adaptive_max_pool1d(t(X1), 4)),
    ("avg_pool1d", lambda m, t: m.avg_pool1d(t(X1), 3, 2)),
    ("adaptive_avg_pool1d", lambda m, t: m.adaptive_avg_pool1d(t(X1), 4)),
    ("layer_norm", lambda m, t: m.layer_norm(t(X1), (11,))),
    ("group_norm", lambda m, t: m.group_norm(t(X1), 3, t(G3), t(B3))),
    ("instance_norm", lambda m, t: m.instance_norm(t(X1), t(G3), t(B3), None, None, True, 0.1, 1e-5, False)),
    ("embedding", lambda m, t: m.embedding(t(TABLE), m.tensor([[1, 0, 9]]))),
    ("embedding, padding 0", lambda m, t: m.embedding(t(TABLE), m.tensor([[1, 0, 9]]), 0)),
    ("constant_pad_nd", lambda m, t: m.constant_pad_nd(t(X1), [1, 2], 3.0)),
    ("pixel_shuffle", lambda m, t: m.pixel_shuffle(t(SHUFFLED), 2)),
    ("channel_shuffle", lambda m, t: m.channel_shuffle(t(SHUFFLED[:, :6]), 3)),
    ("prelu", lambda m, t: m.prelu(t(X1), t(np.array([0.25], np.float32)))),
    ("bilinear", lambda m, t: m.bilinear(*map(t, BILINEAR))),
] + [
    (f"{name}, reduction {reduction}", (lambda name, reduction: lambda m, t: loss(m, t, name, reduction))(name, reduction))
    for name in ("binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss", "hinge_embedding_loss",
                 "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss")
    for reduction in (0, 1, 2)
]

P, TARGET, SIGNS = floats(5, 3), (rng.random((5, 3)) > 0.5).astype(np.float32), np.array([1, -1, 1, 1, -1], np.float32)


def loss(m, t, name, reduction):
    """PyTorch's top-level losses, which take the reduction as the enum 0/1/2."""
    fn = getattr(m, name)
    if name == "binary_cross_entropy_with_logits":
        return fn(t(P), t(TARGET), None, None, reduction)
    if name == "kl_div":
        return fn(t(np.log(np.abs(P) + 0.1)), t(np.abs(P)), reduction)
    if name == "cosine_embedding_loss":
        return fn(t(P), t(P[::-1].copy()), t(SIGNS), 0.1, reduction)
    if name == "hinge_embedding_loss":
        return fn(t(P), t(np.sign(P)), 1.0, reduction)
    if name == "margin_ranking_loss":
        return fn(t(P[:, 0].copy()), t(P[:, 1].copy()), t(SIGNS), 0.2, reduction)
    if name == "poisson_nll_loss":
        return fn(t(P), t(np.abs(P)), True, False, 1e-8, reduction)
    return fn(t(P), t(P + 1), t(P * 2), 1.0, 2, 1e-6, False, reduction)


@pytest.mark.parametrize("name, call", FUNCTIONAL, ids=[name for name, _ in FUNCTIONAL])
def test_functional_top_level_names_match_pytorch_values_and_gradients(name, call):
    made = {zg: [], torch: []}

    def maker(m):
        def make(array):
            leaf = m.tensor(array, requires_grad=np.asarray(array).dtype.kind == "f")
            made[m].append(leaf)
            return leaf
        return make

    ours, theirs = call(zg, maker(zg)), call(torch, maker(torch))
    same(ours, theirs)
    first = (lambda r: r[0] if isinstance(r, tuple) else r)
    weights = floats(*first(theirs).shape)
    (first(ours) * zg.tensor(weights)).sum().backward()
    (first(theirs) * torch.tensor(weights)).sum().backward()
    for a, b in zip(made[zg], made[torch]):
        if b.grad is not None:
            same(a.grad, b.grad, atol=1e-4)


def test_batch_norm_takes_weight_first_and_updates_the_running_statistics():
    (x, tx), (g, tg), (b, tb) = both(X1), both(G3), both(B3)
    (mean, tmean), (var, tvar) = both(np.zeros(3, np.float32)), both(np.ones(3, np.float32))
    same(zg.batch_norm(x, g, b, mean, var, True, 0.1, 1e-5, False),
         torch.batch_norm(tx, tg, tb, tmean, tvar, True, 0.1, 1e-5, False))
    same(mean, tmean), same(var, tvar)
    same(zg.batch_norm(x, g, b, mean, var, False, 0.1, 1e-5, False),
         torch.batch_norm(tx, tg, tb, tmean, tvar, False, 0.1, 1e-5, False))


def test_a_reduction_outside_the_enum_is_refused():
    with pytest.raises(ValueError, match="reduction"):
        zg.kl_div(zg.zeros(2), zg.zeros(2), 3)


# ---- in-place functions -------------------------------------------------------------------------------

UNARY_IN_PLACE = ["abs_", "exp_", "sigmoid_", "tanh_", "sqrt_", "log_", "relu_", "floor_", "round_", "sin_",
                  "neg_", "reciprocal_", "square_", "trunc_", "frac_", "erf_", "expm1_", "log1p_", "rsqrt_",
                  "arctan_", "asinh_", "sinc_", "i0_", "deg2rad_", "zero_", "detach_", "logit_", "arcsin_",
                  "atanh_", "selu_", "celu_", "rrelu_"]


@pytest.mark.parametrize("name", UNARY_IN_PLACE)
def test_top_level_in_place_functions_change_their_input_as_pytorch(name):
    ours, theirs = both(rng.random((3, 4)).astype(np.float32) * 0.8 + 0.1)
    assert getattr(zg, name)(ours) is ours
    assert getattr(torch, name)(theirs) is theirs
    same(ours, theirs)


@pytest.mark.parametrize("name, args", [("clamp_", (0.2, 0.5)), ("fill_", (3.0,)), ("clamp_min_", (0.3,)),
                                        ("xlogy_", (2.0,)), ("threshold_", (0.5, -1.0))])
def test_top_level_in_place_functions_with_arguments(name, args):
    ours, theirs = both(rng.random((3, 4)).astype(np.float32))
    getattr(zg, name)(ours, *args), getattr(torch, name)(theirs, *args)
    same(ours, theirs)


def test_a_top_level_in_place_function_wants_a_tensor():
    with pytest.raises(TypeError, match="exp_"):
        zg.exp_([1.0])


# ---- copying views ------------------------------------------------------------------------------------

COPIES = {"view_copy": ((12,),), "transpose_copy": (0, 2), "permute_copy": ((2, 0, 1),), "diagonal_copy": (0, 0, 2),
          "detach_copy": (), "alias_copy": (), "unbind_copy": (2,), "squeeze_copy": (1,), "select_copy": (2, 1),
          "slice_copy": (2, 1, 4, 2), "unfold_copy": (2, 2, 1), "split_copy": (2, 2), "expand_copy": ((3, 5, 4),),
          "unsqueeze_copy": (0,), "split_with_sizes_copy": ([1, 3], 2)}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copying_views_give_the_views_values_in_memory_of_their_own(name):
    ours, theirs = both(floats(3, 1, 4))
    result = getattr(zg, name)(ours, *COPIES[name])
    same(result, getattr(torch, name)(theirs, *COPIES[name]))
    for part in result if isinstance(result, tuple) else (result,):
        assert not np.shares_memory(part._data, ours._data)


def test_t_copy():
    ours, theirs = both(floats(3, 4))
    same(zg.t_copy(ours), torch.t_copy(theirs))


# ---- windows --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
                                  "kaiser_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8, 13])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_pytorch(name, length, periodic):
    same(getattr(zg, name)(length, periodic), getattr(torch, name)(length, periodic))
    same(getattr(zg, name)(length, periodic, dtype=zg.float64),
         getattr(torch, name)(length, periodic, dtype=torch.float64), atol=1e-12)


def test_window_parameters_and_bad_arguments():
    same(zg.hamming_window(7, False, 0.5, 0.5), torch.hamming_window(7, False, 0.5, 0.5))
    same(zg.kaiser_window(9, True, 5.0), torch.kaiser_window(9, True, 5.0))
    with pytest.raises(TypeError, match="floating point"):
        zg.hann_window(4, dtype=zg.int64)
    with pytest.raises(RuntimeError, match="window_length"):
        zg.hann_window(-1)


# ---- global switches ------------------------------------------------------------------------------------

def test_compile_returns_what_it_was_given():
    layer = zg.nn.Linear(2, 2)
    assert layer.compile() is None and isinstance(layer, zg.nn.Linear)
    model = zg.nn.Linear(2, 3)
    assert zg.compile(model) is model

    @zg.compile
    def f(x):
        return x * 2

    @zg.compile(mode="reduce-overhead")
    def g(x):
        return x + 1
    assert f(zg.tensor(2.0)).item() == 4.0 and g(zg.tensor(2.0)).item() == 3.0


def test_switches_are_checked_and_remembered_as_pytorch():
    assert zg.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    zg.set_float32_matmul_precision("high")
    try:
        assert zg.get_float32_matmul_precision() == "high"
    finally:
        zg.set_float32_matmul_precision("highest")
    for module in (zg, torch):
        with pytest.warns(UserWarning, match="no effect"):
            module.set_float32_matmul_precision("fastest")
        assert module.get_float32_matmul_precision() == "highest"
    assert zg.set_flush_denormal(True) is False
    zg.set_warn_always(True)
    assert zg.is_warn_always_enabled()
    zg.set_warn_always(False)
    with pytest.raises(RuntimeError):
        zg.set_num_interop_threads(0)
    assert zg.get_num_interop_threads() >= 1


# ---- Tensor methods ---------------------------------------------------------------------------------------

COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "less_", "greater_equal_", "less_equal_",
               "not_equal_", "logical_and_", "logical_or_", "logical_xor_"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_in_place_comparisons_keep_the_tensors_dtype(name, dtype):
    a, b = rng.integers(-3, 4, (3, 4)).astype(dtype), rng.integers(-3, 4, (4,)).astype(dtype)
    (ours, theirs), (other, their_other) = both(a), both(b)
    getattr(ours, name)(other), getattr(theirs, name)(their_other)
    same(ours, theirs)


@pytest.mark.parametrize("name", ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
                                  "bitwise_right_shift_"])
def test_in_place_bitwise_ops(name):
    (ours, theirs), (other, their_other) = both(rng.integers(0, 9, (3, 4))), both(rng.integers(0, 3, (4,)))
    getattr(ours, name)(other), getattr(theirs, name)(their_other)
    same(ours, theirs)


@pytest.mark.parametrize("name, args", [("digamma_", ()), ("erfinv_", ()), ("lgamma_", ()), ("polygamma_", (1,)),
                                        ("i0_", ()), ("mvlgamma_", (1,)), ("arccos_", ()), ("arcsinh_", ()),
                                        ("arctanh_", ()), ("logical_not_", ()), ("bitwise_not_", ())])
def test_more_in_place_methods(name, args):
    array = rng.random((3, 4)).astype(np.float32) * 0.9 + 0.05
    if name == "bitwise_not_":
        array = rng.integers(-5, 5, (3, 4))
    ours, theirs = both(array)
    getattr(ours, name)(*args), getattr(theirs, name)(*args)
    same(ours, theirs)


@pytest.mark.parametrize("name", ["i0", "angle", "adjoint", "conj", "resolve_conj", "resolve_neg", "conj_physical",
                                  "hardshrink", "short", "char"])
def test_methods_without_arguments(name):
    ours, theirs = both(floats(3, 4))
    same(getattr(ours, name)(), getattr(theirs, name)())


def test_angle_of_special_values_and_integers():
    values = np.array([-1.0, 0.0, -0.0, 2.0, np.nan, np.inf, -np.inf], np.float32)
    (ours, theirs) = both(values, requires_grad=True)
    same(zg.angle(ours), torch.angle(theirs))
    zg.angle(ours).sum().backward(), torch.angle(theirs).sum().backward()
    same(ours.grad, theirs.grad)
    same(zg.angle(zg.tensor([-1, 2])), torch.angle(torch.tensor([-1, 2])))
    with pytest.raises(RuntimeError, match="non-complex"):
        zg.imag(zg.ones(2))


def test_addmm_in_place():
    (ours, theirs), (p, tp), (q, tq) = both(floats(3, 4)), both(floats(3, 5)), both(floats(5, 4))
    ours.addmm_(p, q, beta=0.5, alpha=2), theirs.addmm_(tp, tq, beta=0.5, alpha=2)
    same(ours, theirs)


@pytest.mark.parametrize("shape, wrap", [((3, 4), False), ((7, 3), True), ((7, 3), False), ((3, 3, 3), False),
                                         ((1, 1), False), ((4, 2), True), ((2, 5), True)])
def test_fill_diagonal_places_the_diagonal_as_pytorch(shape, wrap):
    ours, theirs = zg.zeros(shape), torch.zeros(shape)
    assert ours.fill_diagonal_(5, wrap=wrap) is ours
    theirs.fill_diagonal_(5, wrap=wrap)
    same(ours, theirs)


def test_fill_diagonal_gradient_and_refusals():
    (x, tx) = both(floats(3, 3), requires_grad=True)
    y, ty = x * 2, tx * 2
    y.fill_diagonal_(1.0), ty.fill_diagonal_(1.0)
    y.sum().backward(), ty.sum().backward()
    same(x.grad, tx.grad)
    for shape in [(3, 4, 5), (3,)]:
        with pytest.raises(RuntimeError):
            torch.zeros(shape).fill_diagonal_(1)
        with pytest.raises(RuntimeError, match="fill_diagonal_"):
            zg.zeros(shape).fill_diagonal_(1)


@pytest.mark.parametrize("name, shape, args", [("t_", (2, 3), ()), ("transpose_", (2, 3), (0, 1)),
                                               ("swapdims_", (2, 3), (1, 0)), ("swapaxes_", (2, 3), (0, 1)),
                                               ("squeeze_", (1, 3), ()), ("squeeze_", (1, 3), (0,)),
                                               ("unsqueeze_", (2, 3), (1,)), ("unsqueeze_", (2, 3), (-1,))])
def test_views_changed_in_place_match_pytorch_shape_strides_and_gradients(name, shape, args):
    x, tx = both(floats(*shape), requires_grad=True)
    y, ty = x * zg.arange(1.0, shape[1] + 1), tx * torch.arange(1.0, shape[1] + 1)
    assert getattr(y, name)(*args) is y
    getattr(ty, name)(*args)
    same(y, ty)
    assert y.stride() == ty.stride()
    weights = floats(*ty.shape)
    (y * zg.tensor(weights)).sum().backward(), (ty * torch.tensor(weights)).sum().backward()
    same(x.grad, tx.grad)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(zg.ones(2, 3, requires_grad=True), name)(*args)


def test_a_view_taken_before_t_still_sees_the_memory():
    ours, theirs = zg.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    row, their_row = ours[0], theirs[0]
    ours.t_(), theirs.t_()
    ours[0, 1], theirs[0, 1] = 100.0, 100.0
    same(ours, theirs), same(row, their_row)


@pytest.mark.parametrize("shape", [(2, 2), (6,), (3, 3), (0,), (2, 3), (1, 7)])
def test_resize_keeps_the_leading_elements(shape):
    ours, theirs = zg.arange(6.0), torch.arange(6.0)
    ours.resize_(shape), theirs.resize_(shape)
    assert tuple(ours.shape) == tuple(theirs.shape)
    kept = min(6, theirs.numel())
    same(ours.reshape(-1)[:kept], theirs.reshape(-1)[:kept])


def test_resize_refuses_a_tensor_that_requires_grad_and_resize_as():
    with pytest.raises(RuntimeError, match="require grad"):
        zg.ones(2, requires_grad=True).resize_(3)
    ours, theirs = zg.arange(6.0), torch.arange(6.0)
    ours.resize_as_(zg.ones(2, 3)), theirs.resize_as_(torch.ones(2, 3))
    same(ours, theirs)


def test_data_ptr_get_device_and_typename():
    ours, theirs = zg.arange(6.0), torch.arange(6.0)
    assert ours[2:].data_ptr() - ours.data_ptr() == theirs[2:].data_ptr() - theirs.data_ptr()
    assert zg.empty(0).data_ptr() == torch.empty(0).data_ptr() == 0
    assert ours.get_device() == theirs.get_device() == -1
    assert zg.typename(zg.ones(2, dtype=zg.float64)) == "zengrad.DoubleTensor"
    assert zg.typename(1) == torch.typename(1) == "int"
    assert zg.typename(np.ones(1)) == torch.typename(np.ones(1)) == "numpy.ndarray"


def test_bernoulli_and_multinomial_methods_draw_from_zengrads_generator():
    first = zg.full((50,), 0.5).bernoulli(generator=zg.Generator().manual_seed(3))
    again = zg.full((50,), 0.5).bernoulli(generator=zg.Generator().manual_seed(3))
    assert zg.equal(first, again) and set(first.tolist()) <= {0.0, 1.0}
    drawn = zg.zeros(1000).bernoulli(0.25)
    assert drawn.shape == (1000,) and 0.15 < drawn.mean().item() < 0.35
    picks = zg.tensor([[0.0, 1.0], [1.0, 0.0]]).multinomial(1)
    assert picks.tolist() == [[1], [0]]


def test_small_top_level_names():
    ours, theirs = both(floats(2, 3))
    same(zg.rsub(ours, 10, alpha=2), torch.rsub(theirs, 10, alpha=2))
    same(zg.fill(ours, 3.0), torch.fill(theirs, 3.0))
    same(zg.detach(ours), torch.detach(theirs))
    same(zg.split_with_sizes(ours, [1, 2], 1), torch.split_with_sizes(theirs, [1, 2], 1))
    same(zg.unsafe_chunk(ours, 2, 1), torch.unsafe_chunk(theirs, 2, 1))
    assert zg.is_same_size(ours, ours) and not zg.is_signed(zg.ones(2, dtype=zg.uint8))
    assert zg.is_conj(ours) is torch.is_conj(theirs) is False
    assert zg.conj(ours) is ours and zg.real(ours) is ours
    same(zg.adjoint(ours), torch.adjoint(theirs))


@pytest.mark.parametrize("name, gates", [("lstm_cell", 16), ("gru_cell", 12), ("rnn_tanh_cell", 4), ("rnn_relu_cell", 4)])
def test_recurrent_cell_functions_match_pytorch(name, gates):
    (x, tx), (h, th), (c, tc) = both(floats(2, 3), True), both(floats(2, 4), True), both(floats(2, 4))
    weights = [both(floats(*shape), True) for shape in ((gates, 3), (gates, 4), (gates,), (gates,))]
    state, their_state = ((h, c), (th, tc)) if name == "lstm_cell" else (h, th)
    ours = getattr(zg, name)(x, state, *[w for w, _ in weights])
    theirs = getattr(torch, name)(tx, their_state, *[t for _, t in weights])
    same(ours, theirs)
    first, their_first = (ours[0], theirs[0]) if name == "lstm_cell" else (ours, theirs)
    first.sum().backward(), their_first.sum().backward()
    for (a, b) in [(x, tx), (h, th)] + weights:
        same(a.grad, b.grad, atol=1e-4)


def test_memory_sharing_constructors_match_pytorch():
    theirs = torch.arange(6.0).reshape(2, 3)
    ours = zg.from_dlpack(theirs)
    ours[0, 0] = 100.0
    assert theirs[0, 0].item() == 100.0  # the same memory, both ways
    back = torch.from_dlpack(zg.arange(4.0))
    assert back.tolist() == [0.0, 1.0, 2.0, 3.0]
    buffer = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")
    same(zg.frombuffer(buffer, dtype=zg.int32), torch.frombuffer(bytearray(buffer), dtype=torch.int32))
    assert zg.empty_strided((2, 3), (1, 2)).stride() == torch.empty_strided((2, 3), (1, 2)).stride()
    assert zg.empty_permuted((2, 3, 4), (0, 2, 1)).stride() == torch.empty_permuted((2, 3, 4), (0, 2, 1)).stride()


def test_more_small_names():
    same(zg.nonzero_static(zg.tensor([0, 1, 0, 2]), size=3), torch.nonzero_static(torch.tensor([0, 1, 0, 2]), size=3))
    same(zg.nonzero_static(zg.tensor([0, 1, 0, 2]), size=1), torch.nonzero_static(torch.tensor([0, 1, 0, 2]), size=1))
    assert zg.ones(2, 3, 4).permute(2, 0, 1).dim_order() == torch.ones(2, 3, 4).permute(2, 0, 1).dim_order()
    try:
        zg.set_default_tensor_type(zg.DoubleTensor)
        assert zg.tensor([1.0]).dtype == zg.float64
    finally:
        zg.set_default_tensor_type("torch.FloatTensor")
    assert zg.tensor([1.0]).dtype == zg.float32
    same(zg.vmap(zg.sum)(zg.ones(3, 2)), torch.vmap(torch.sum)(torch.ones(3, 2)))
    assert zg.get_device(zg.ones(1)) == -1 and not zg.is_storage(zg.ones(1)) and not zg.ones(1).is_pinned()


def test_tensor_kind_properties():
    ours, theirs = both(floats(2))
    for name in ("is_cpu", "is_cuda", "is_sparse", "is_quantized", "is_nested", "is_meta", "output_nr"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.layout == zg.strided and ours.real is ours
    for module, t in ((zg, ours), (torch, theirs)):
        with pytest.raises(RuntimeError, match="non-complex"):
            t.imag


@pytest.mark.parametrize("shape, name", [((2, 3, 4, 5), "channels_last"), ((2, 3, 2, 4, 5), "channels_last_3d")])
def test_memory_formats_lay_out_as_pytorch(shape, name):
    x, tx = both(floats(*shape), True)
    fmt, their_fmt = getattr(zg, name), getattr(torch, name)
    y, ty = x.contiguous(memory_format=fmt), tx.contiguous(memory_format=their_fmt)
    same(y, ty)
    assert y.stride() == ty.stride() and y.is_contiguous() == ty.is_contiguous()
    assert y.is_contiguous(memory_format=fmt) and not x.is_contiguous(memory_format=fmt)
    for a, b in ((y.clone(), ty.clone()), (y.clone(memory_format=zg.contiguous_format),
                                          ty.clone(memory_format=torch.contiguous_format)),
                 (x.to(memory_format=fmt), tx.to(memory_format=their_fmt))):
        assert a.stride() == b.stride()
    (y * 2).sum().backward(), (ty * 2).sum().backward()
    same(x.grad, tx.grad)
    with pytest.raises(RuntimeError, match="rank"):
        zg.ones(2, 3).contiguous(memory_format=fmt)


def test_a_module_moved_to_channels_last_computes_the_same():
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(3, 4, 3)
    ours = zg.nn.Conv2d(3, 4, 3)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    weight = ours.weight
    ours.to(memory_format=zg.channels_last), theirs.to(memory_format=torch.channels_last)
    assert ours.weight is weight and ours.weight.stride() == theirs.weight.stride()
    x, tx = both(floats(2, 3, 6, 5))
    same(ours(x.contiguous(memory_format=zg.channels_last)), theirs(tx.contiguous(memory_format=torch.channels_last)),
         atol=1e-5)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_constructors_keep_the_layout_as_pytorch(name):
    ours, theirs = zg.ones(2, 3, 4).permute(2, 0, 1), torch.ones(2, 3, 4).permute(2, 0, 1)
    assert getattr(zg, name)(ours).stride() == getattr(torch, name)(theirs).stride()
    assert getattr(zg, name)(ours, memory_format=zg.contiguous_format).stride() == \
        getattr(torch, name)(theirs, memory_format=torch.contiguous_format).stride()
    image, their_image = zg.ones(2, 3, 4, 5), torch.ones(2, 3, 4, 5)
    assert getattr(zg, name)(image, memory_format=zg.channels_last).stride() == \
        getattr(torch, name)(their_image, memory_format=torch.channels_last).stride()
    leaf = getattr(zg, name)(ours, requires_grad=True)
    assert leaf.is_leaf and leaf.requires_grad
