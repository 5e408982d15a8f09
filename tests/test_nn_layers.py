"""Issue 13's layers and functionals against PyTorch: outputs and gradients, in float64, on awkward
sizes, with PyTorch's weights loaded 1:1 into the zengrad modules."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import nn
from zengrad.nn import functional as F
from torch_bridge import assert_close, assert_grads_match, load_from_torch

torch = pytest.importorskip("torch")


def both(rng, *shape, positive=False):
    """The same random float64 array as a zengrad and a torch leaf that require grad."""
    data = rng.standard_normal(shape)
    data = np.abs(data) + 0.1 if positive else data
    return zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def check(ours_fn, theirs_fn, ours_inputs, theirs_inputs, rng, rtol=1e-7, atol=1e-9):
    """Outputs match, and so do the gradients of Σ out·G (G random) with respect to every input."""
    ours, theirs = ours_fn(*ours_inputs), theirs_fn(*theirs_inputs)
    if isinstance(theirs, tuple):
        ours, theirs = ours[0], theirs[0]
    assert_close(ours, theirs, rtol, atol, "forward")
    upstream = rng.standard_normal(theirs.shape)
    (ours * zg.tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    for i, (a, b) in enumerate(zip(ours_inputs, theirs_inputs)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            assert_close(a.grad, b.grad, rtol, atol, f"grad of input {i}")


def module_pair(ours, theirs):
    """Load torch's float64 weights into our float64 module; returns both."""
    theirs = theirs.double()
    ours = ours.to(dtype=np.float64) if hasattr(ours, "to") else ours
    load_from_torch(ours, theirs)
    return ours, theirs


def check_module(ours, theirs, rng, *shape, rtol=1e-7, atol=1e-9, call=None):
    ours, theirs = module_pair(ours, theirs)
    x, tx = both(rng, *shape)
    call = call or (lambda m, x: m(x))
    check(lambda x: call(ours, x), lambda x: call(theirs, x), [x], [tx], rng, rtol, atol)
    if list(theirs.parameters()):
        assert_grads_match(ours, theirs, rtol, atol)
    assert list(ours.state_dict()) == list(theirs.state_dict())


# ---- normalisation -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape, normalized", [((3, 7), 7), ((2, 5, 3), (5, 3)), ((1, 1), 1), ((4, 2, 13), 13)])
@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, True)])
def test_layer_norm(rng, shape, normalized, affine, bias):
    check_module(nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias),
                 torch.nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias), rng, *shape)


@pytest.mark.parametrize("groups, shape", [(1, (2, 3, 5)), (3, (2, 6, 4, 3)), (6, (1, 6, 7)), (2, (3, 2))])
def test_group_norm(rng, groups, shape):
    check_module(nn.GroupNorm(groups, shape[1]), torch.nn.GroupNorm(groups, shape[1]), rng, *shape)


def test_norms_refuse_bad_shapes():
    with pytest.raises(ValueError, match="layer_norm"):
        nn.LayerNorm(4)(zg.zeros(3, 5))
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="GroupNorm"):
        nn.GroupNorm(2, 6)(zg.zeros(2, 4, 3))


# ---- pooling, resampling, conv1d --------------------------------------------------------------

POOL_CASES = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=(1, 2)),
              dict(kernel_size=3, stride=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)]


@pytest.mark.parametrize("kwargs", POOL_CASES)
def test_max_and_avg_pool2d(rng, kwargs):
    check_module(nn.MaxPool2d(**kwargs), torch.nn.MaxPool2d(**kwargs), rng, 2, 3, 7, 11)
    check_module(nn.AvgPool2d(**kwargs), torch.nn.AvgPool2d(**kwargs), rng, 2, 3, 7, 11)
    check_module(nn.AvgPool2d(**kwargs, count_include_pad=False),
                 torch.nn.AvgPool2d(**kwargs, count_include_pad=False), rng, 3, 7, 11)


def test_max_pool_dilation_and_indices(rng):
    x, tx = both(rng, 2, 3, 9, 10)
    out, indices = F.max_pool2d(x, 3, 2, 1, dilation=2, return_indices=True)
    t_out, t_indices = torch.nn.functional.max_pool2d(tx, 3, 2, 1, dilation=2, return_indices=True)
    assert_close(out, t_out)
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    out1, indices1 = F.max_pool1d(x[0], 4, 3, 2, return_indices=True)
    t_out1, t_indices1 = torch.nn.functional.max_pool1d(tx[0], 4, 3, 2, return_indices=True)
    assert_close(out1, t_out1)
    np.testing.assert_array_equal(indices1.numpy(), t_indices1.numpy())


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=4, stride=3, ceil_mode=True)])
def test_pool1d(rng, kwargs):
    check_module(nn.MaxPool1d(**kwargs), torch.nn.MaxPool1d(**kwargs), rng, 2, 3, 13)
    check_module(nn.AvgPool1d(**kwargs), torch.nn.AvgPool1d(**kwargs), rng, 3, 13)


@pytest.mark.parametrize("size, out", [((7, 11), (3, 4)), ((5, 5), 5), ((4, 9), (None, 2)), ((6, 3), (8, 1))])
def test_adaptive_avg_pool(rng, size, out):
    check_module(nn.AdaptiveAvgPool2d(out), torch.nn.AdaptiveAvgPool2d(out), rng, 2, 3, *size)
    length = size[0] * size[1]
    check_module(nn.AdaptiveAvgPool1d(3), torch.nn.AdaptiveAvgPool1d(3), rng, 2, length)


def test_pooling_refuses_bad_input():
    with pytest.raises(ValueError, match="half of effective kernel"):
        F.max_pool2d(zg.zeros(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(ValueError, match="too small"):
        F.avg_pool2d(zg.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="max_pool2d"):
        F.max_pool2d(zg.zeros(5, 5), 2)


@pytest.mark.parametrize("kwargs", [dict(scale_factor=2, mode="nearest"), dict(size=(5, 7), mode="nearest"),
                                    dict(scale_factor=1.7, mode="bilinear"),
                                    dict(size=(3, 9), mode="bilinear", align_corners=True),
                                    dict(size=(1, 4), mode="bilinear", align_corners=True),
                                    dict(scale_factor=0.5, mode="bilinear"),
                                    dict(scale_factor=2.5, mode="nearest", recompute_scale_factor=True),
                                    dict(size=(5, 9), mode="bicubic"), dict(scale_factor=0.6, mode="bicubic"),
                                    dict(size=(3, 9), mode="bicubic", align_corners=True),
                                    dict(scale_factor=1.7, mode="bicubic", align_corners=False),
                                    dict(size=(3, 9), mode="area"), dict(scale_factor=2, mode="area"),
                                    dict(size=(5, 9), mode="nearest-exact"), dict(scale_factor=0.6, mode="nearest-exact")])
def test_interpolate_2d(rng, kwargs):
    check_module(nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs), rng, 2, 3, 4, 6)


@pytest.mark.parametrize("kwargs", [dict(scale_factor=3, mode="nearest"), dict(size=11, mode="linear"),
                                    dict(size=4, mode="linear", align_corners=True), dict(size=3, mode="area"),
                                    dict(size=11, mode="nearest-exact")])
def test_interpolate_1d(rng, kwargs):
    x, tx = both(rng, 2, 3, 7)
    check(lambda x: F.interpolate(x, **kwargs), lambda x: torch.nn.functional.interpolate(x, **kwargs),
          [x], [tx], rng)


def test_interpolate_refuses_bad_arguments():
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(zg.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match="bicubic"):
        F.interpolate(zg.zeros(1, 1, 3), scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(zg.zeros(1, 1, 3, 3), scale_factor=2, mode="area", align_corners=True)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=5, stride=2, padding=2, dilation=1),
                                    dict(kernel_size=2, dilation=3, groups=3, bias=False)])
def test_conv1d(rng, kwargs):
    check_module(nn.Conv1d(3, 6, **kwargs), torch.nn.Conv1d(3, 6, **kwargs), rng, 2, 3, 17)
    check_module(nn.Conv1d(3, 6, **kwargs), torch.nn.Conv1d(3, 6, **kwargs), rng, 3, 11)


# ---- recurrent ----------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first, layers, bias", [(False, 1, True), (True, 2, True), (True, 1, False)])
def test_gru(rng, batch_first, layers, bias):
    ours, theirs = module_pair(nn.GRU(5, 7, num_layers=layers, bias=bias, batch_first=batch_first),
                               torch.nn.GRU(5, 7, num_layers=layers, bias=bias, batch_first=batch_first))
    x, tx = both(rng, 3, 4, 5)
    h, th = both(rng, layers, 3 if batch_first else 4, 7)
    check(lambda x, h: ours(x, h)[0], lambda x, h: theirs(x, h)[0], [x, h], [tx, th], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)
    assert_close(ours(x)[1], theirs(tx)[1], 1e-7, 1e-9)
    assert_close(ours(x[0])[0], theirs(tx[0])[0], 1e-7, 1e-9)  # unbatched (T, I)


def test_gru_cell(rng):
    ours, theirs = module_pair(nn.GRUCell(4, 3), torch.nn.GRUCell(4, 3))
    x, tx = both(rng, 5, 4)
    h, th = both(rng, 5, 3)
    check(ours, theirs, [x, h], [tx, th], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)
    assert_close(ours(x[1]), theirs(tx[1]), 1e-7, 1e-9)
    with pytest.raises(ValueError, match="GRUCell"):
        ours(zg.zeros(2, 5, dtype=np.float64))


# ---- embedding and losses -----------------------------------------------------------------------

@pytest.mark.parametrize("padding_idx", [0, 3, -1])
def test_embedding_padding_idx(rng, padding_idx):
    ours, theirs = module_pair(nn.Embedding(6, 4, padding_idx=padding_idx),
                               torch.nn.Embedding(6, 4, padding_idx=padding_idx))
    np.testing.assert_array_equal(nn.Embedding(6, 4, padding_idx=padding_idx).weight.detach().numpy()[padding_idx], 0)
    codes = rng.integers(0, 6, (3, 7))
    codes[0, :3] = padding_idx % 6
    out, t_out = ours(zg.tensor(codes)), theirs(torch.tensor(codes))
    upstream = rng.standard_normal(out.shape)
    (out * zg.tensor(upstream)).sum().backward()
    (t_out * torch.tensor(upstream)).sum().backward()
    assert_close(out, t_out)
    assert_close(ours.weight.grad, theirs.weight.grad)
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(6, 4, padding_idx=6)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_label_smoothing_and_weights(rng, smoothing, weighted, reduction):
    x, tx = both(rng, 7, 5, 3)
    target = rng.integers(0, 5, (7, 3))
    target[0, 0] = -100
    weight = rng.random(5) + 0.5 if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    check(lambda x: F.cross_entropy(x, zg.tensor(target), None if weight is None else zg.tensor(weight), **kw),
          lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(target),
                                                      None if weight is None else torch.tensor(weight), **kw),
          [x], [tx], rng)
    probabilities = rng.dirichlet(np.ones(5), 7)
    y, ty = both(rng, 7, 5)
    check(lambda y: F.cross_entropy(y, zg.tensor(probabilities), **kw),
          lambda y: torch.nn.functional.cross_entropy(y, torch.tensor(probabilities), **kw), [y], [ty], rng)


@pytest.mark.filterwarnings("ignore:reduction. .mean. divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(rng, reduction, log_target):
    x, tx = both(rng, 4, 6)
    target = rng.dirichlet(np.ones(6), 4)
    target[0, :2] = 0
    target = np.log(target + 1e-3) if log_target else target
    # ∂ℓ/∂y at y = 0 is PyTorch's NaN (log 0) and zengrad's finite one-sided value: compare it away from 0
    grad_target = log_target or reduction == "sum"
    if grad_target and not log_target:
        target[0, :2] = 1e-3
    y, ty = zg.tensor(target, requires_grad=grad_target), torch.tensor(target, requires_grad=grad_target)
    check(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target),
          lambda x, y: torch.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
          [x, y], [tx, ty], rng)


@pytest.mark.parametrize("width", [1.0, 0.3, 2.5, 0.0])
def test_huber_and_smooth_l1(rng, width):
    for ours, theirs, name in ((F.huber_loss, torch.nn.functional.huber_loss, "delta"),
                               (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss, "beta")):
        if name == "delta" and width == 0:
            continue
        for reduction in ("mean", "none"):
            x, tx = both(rng, 5, 3)
            y, ty = both(rng, 5, 3)
            kw = {name: width, "reduction": reduction}
            check(lambda x, y: ours(x, y, **kw), lambda x, y: theirs(x, y, **kw), [x, y], [tx, ty], rng)
    with pytest.raises(ValueError, match="huber_loss"):
        F.huber_loss(zg.zeros(3), zg.zeros(4))


@pytest.mark.parametrize("shapes, dim", [(((4, 5), (4, 5)), 1), (((2, 3, 7), (1, 3, 7)), -1), (((6,), (6,)), 0)])
def test_cosine_similarity(rng, shapes, dim):
    x, tx = both(rng, *shapes[0])
    y, ty = both(rng, *shapes[1])
    check(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim),
          [x, y], [tx, ty], rng)
    zero = zg.zeros(3, 4, dtype=np.float64)
    np.testing.assert_array_equal(F.cosine_similarity(zero, zero).numpy(), 0)


def test_scaled_dot_product_attention_with_grouped_query_heads(rng):
    q, tq = both(rng, 2, 4, 5, 3)
    k, tk = both(rng, 2, 2, 6, 3)
    v, tv = both(rng, 2, 2, 6, 3)
    check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
          lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
          [q, k, v], [tq, tk, tv], rng)
    with pytest.raises(ValueError, match="multiple"):
        F.scaled_dot_product_attention(zg.zeros(1, 4, 2, 3), zg.zeros(1, 3, 2, 3), zg.zeros(1, 3, 2, 3), enable_gqa=True)


# ---- einsum and attention ---------------------------------------------------------------------

EINSUM_CASES = [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 1)]), ("ii->i", [(4, 4)]),
                ("ii", [(5, 5)]), ("ij->", [(3, 2)]), ("ij,ij->ij", [(3, 2), (3, 2)]), ("i,j->ij", [(3,), (4,)]),
                ("...ij->...ji", [(2, 3, 4, 5)]), ("bhqd,bhkd->bhqk", [(2, 3, 5, 4), (2, 3, 7, 4)]),
                ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("...i,...i", [(2, 1, 3), (4, 3)]),
                ("iij,jk->ik", [(3, 3, 2), (2, 4)]), ("Ab,bc", [(2, 3), (3, 4)]), ("i,i->", [(0,), (0,)])]


@pytest.mark.parametrize("equation, shapes", EINSUM_CASES)
def test_einsum(rng, equation, shapes):
    pairs = [both(rng, *shape) for shape in shapes]
    check(lambda *xs: F.einsum(equation, *xs), lambda *xs: torch.einsum(equation, *xs),
          [p[0] for p in pairs], [p[1] for p in pairs], rng)


@pytest.mark.parametrize("sublists", [([0, 1, 2], [0, 2]), ([0, 1, 2],), ([Ellipsis, 1, 2], [Ellipsis, 2, 1]),
                                      ([0, 1, 2], "second", [0, 2, 3], [0, 1, 3])])
def test_einsum_sublist_form(rng, sublists):
    first, second = both(rng, 2, 3, 4), both(rng, 2, 4, 5)

    def arguments(k):
        filled = [(second[k] if s == "second" else s) for s in sublists]
        return [first[k]] + filled
    used = [0, 1] if "second" in sublists else [0]
    pairs = [first, second]
    check(lambda *_: F.einsum(*arguments(0)), lambda *_: torch.einsum(*arguments(1)), [pairs[i][0] for i in used],
          [pairs[i][1] for i in used], rng)


def test_einsum_refuses_bad_subscripts():
    with pytest.raises(ValueError, match="einsum"):
        F.einsum("ij,jk->ik", zg.zeros(2, 3), zg.zeros(4, 5))
    with pytest.raises(ValueError, match="einsum"):
        F.einsum("ijk->i", zg.zeros(2, 3))
    with pytest.raises(ValueError, match="einsum"):
        F.einsum("ij->k", zg.zeros(2, 3))


@pytest.mark.parametrize("mask_kind", [None, "bool", "float", "causal"])
def test_scaled_dot_product_attention(rng, mask_kind):
    q, tq = both(rng, 2, 3, 5, 4)
    k, tk = both(rng, 2, 3, 7 if mask_kind != "causal" else 5, 4)
    v, tv = both(rng, 2, 3, k.shape[2], 6)
    allowed = rng.random((5, k.shape[2])) > 0.3
    allowed[:, 0] = True
    masks = {None: (None, None), "causal": (None, None),
             "bool": (zg.tensor(allowed), torch.tensor(allowed)),
             "float": (zg.tensor(rng.standard_normal((5, 7))), None)}
    ours_mask, theirs_mask = masks[mask_kind]
    if mask_kind == "float":
        theirs_mask = torch.tensor(ours_mask.numpy())
    causal = mask_kind == "causal"
    check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, ours_mask, is_causal=causal, scale=0.3),
          lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, theirs_mask, is_causal=causal,
                                                                           scale=0.3),
          [q, k, v], [tq, tk, tv], rng)


def test_attention_dropout_keeps_expectation(rng):
    q, k, v = (zg.tensor(rng.standard_normal((1, 64, 8))) for _ in range(3))
    zg.manual_seed(0)
    dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    plain = F.scaled_dot_product_attention(q, k, v)
    assert not np.allclose(dropped.numpy(), plain.numpy())
    with pytest.raises(ValueError, match="both"):
        F.scaled_dot_product_attention(q, k, v, zg.ones(64, 64).bool(), is_causal=True)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "bool", "padding", "float3d"])
def test_multihead_attention(rng, batch_first, masks):
    ours, theirs = module_pair(nn.MultiheadAttention(6, 3, batch_first=batch_first),
                               torch.nn.MultiheadAttention(6, 3, batch_first=batch_first))
    n, length, source = 2, 5, 4
    shape = (n, length, 6) if batch_first else (length, n, 6)
    kv_shape = (n, source, 6) if batch_first else (source, n, 6)
    (q, tq), (k, tk), (v, tv) = both(rng, *shape), both(rng, *kv_shape), both(rng, *kv_shape)
    block = rng.random((length, source)) > 0.7
    block[:, 0] = False
    padding = np.zeros((n, source), dtype=bool)
    padding[1, -1] = True
    float_mask = rng.standard_normal((n * 3, length, source))
    kwargs = {"none": ({}, {}), "bool": ({"attn_mask": zg.tensor(block)}, {"attn_mask": torch.tensor(block)}),
              "padding": ({"key_padding_mask": zg.tensor(padding)}, {"key_padding_mask": torch.tensor(padding)}),
              "float3d": ({"attn_mask": zg.tensor(float_mask)}, {"attn_mask": torch.tensor(float_mask)})}[masks]
    check(lambda q, k, v: ours(q, k, v, **kwargs[0])[0], lambda q, k, v: theirs(q, k, v, **kwargs[1])[0],
          [q, k, v], [tq, tk, tv], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)
    weights, t_weights = ours(q, k, v, **kwargs[0])[1], theirs(tq, tk, tv, **kwargs[1])[1]
    assert_close(weights, t_weights, 1e-7, 1e-9)
    per_head = ours(q, k, v, average_attn_weights=False, **kwargs[0])[1]
    assert_close(per_head, theirs(tq, tk, tv, average_attn_weights=False, **kwargs[1])[1], 1e-7, 1e-9)


def graph_node_names(out) -> set:
    """The class names of the nodes in the graph that made ``out``."""
    seen, stack = {}, [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and id(node) not in seen:
            seen[id(node)] = type(node).__name__
            stack.extend(t.grad_fn for t in node.inputs)
    return set(seen.values())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "bool", "padding", "float3d", "causal"])
def test_self_attention_one_node_matches_torch(rng, batch_first, masks):
    """Self-attention without weights asked for runs as one SelfAttention node: output, input and
    parameter gradients match PyTorch's for every kind of mask."""
    ours, theirs = module_pair(nn.MultiheadAttention(8, 2, batch_first=batch_first),
                               torch.nn.MultiheadAttention(8, 2, batch_first=batch_first))
    n, length = 3, 5
    x, tx = both(rng, *((n, length, 8) if batch_first else (length, n, 8)))
    block = rng.random((length, length)) > 0.7
    block[:, 0] = False
    padding = np.zeros((n, length), dtype=bool)
    padding[1, -2:] = True
    float_mask = rng.standard_normal((n * 2, length, length))
    causal = np.triu(np.full((length, length), -np.inf), 1)
    kwargs = {"none": ({}, {}), "bool": ({"attn_mask": zg.tensor(block)}, {"attn_mask": torch.tensor(block)}),
              "padding": ({"key_padding_mask": zg.tensor(padding)}, {"key_padding_mask": torch.tensor(padding)}),
              "float3d": ({"attn_mask": zg.tensor(float_mask)}, {"attn_mask": torch.tensor(float_mask)}),
              "causal": ({"attn_mask": zg.tensor(causal), "is_causal": True},
                         {"attn_mask": torch.tensor(causal), "is_causal": True})}[masks]
    out, weights = ours(x, x, x, need_weights=False, **kwargs[0])
    assert weights is None and "SelfAttention" in graph_node_names(out)
    check(lambda x: ours(x, x, x, need_weights=False, **kwargs[0])[0],
          lambda x: theirs(x, x, x, need_weights=False, **kwargs[1])[0], [x], [tx], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)


def test_self_attention_one_node_unbatched_and_eval_dropout(rng):
    """An unbatched (L, E) sequence, and dropout in eval mode, take the one-node path too."""
    ours, theirs = module_pair(nn.MultiheadAttention(8, 4, dropout=0.5), torch.nn.MultiheadAttention(8, 4, dropout=0.5))
    ours.eval(), theirs.eval()
    x, tx = both(rng, 5, 8)
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    assert "SelfAttention" in graph_node_names(ours(x, x, x, need_weights=False)[0])
    check(lambda x: ours(x, x, x, need_weights=False, attn_mask=zg.tensor(causal))[0],
          lambda x: theirs(x, x, x, need_weights=False, attn_mask=torch.tensor(causal))[0], [x], [tx], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)


def test_self_attention_node_gradcheck_and_gradgradcheck(rng):
    """The fused node's backward (arrays) and its composed form (for grad of grad) against finite differences."""
    from zengrad.autograd import gradcheck, gradgradcheck
    from zengrad.ops.attention import self_attention

    qkv = zg.tensor(rng.standard_normal((2, 4, 12)), requires_grad=True)
    mask = zg.tensor(np.triu(np.full((4, 4), -np.inf), 1))
    for m in (None, mask):
        assert gradcheck(lambda t: self_attention(t, 2, 0.7, m), [qkv])
        assert gradgradcheck(lambda t: self_attention(t, 2, 0.7, m), [qkv])


def test_multihead_attention_kdim_vdim_and_unbatched(rng):
    ours, theirs = module_pair(nn.MultiheadAttention(4, 2, kdim=3, vdim=5), torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=5))
    (q, tq), (k, tk), (v, tv) = both(rng, 3, 4), both(rng, 6, 3), both(rng, 6, 5)
    check(lambda q, k, v: ours(q, k, v)[0], lambda q, k, v: theirs(q, k, v)[0], [q, k, v], [tq, tk, tv], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="MultiheadAttention"):
        ours(q, k, zg.zeros(6, 4, dtype=np.float64))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_layer(rng, norm_first, batch_first):
    settings = dict(dim_feedforward=11, dropout=0.0, norm_first=norm_first, batch_first=batch_first)
    ours, theirs = module_pair(nn.TransformerEncoderLayer(8, 2, **settings),
                               torch.nn.TransformerEncoderLayer(8, 2, **settings))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    call_ours = lambda m, x: m(x, src_mask=zg.tensor(causal.numpy()))  # noqa: E731
    call_theirs = lambda m, x: m(x, src_mask=causal)  # noqa: E731
    x, tx = both(rng, 3, 5, 8) if batch_first else both(rng, 5, 3, 8)
    check(lambda x: call_ours(ours, x), lambda x: call_theirs(theirs, x), [x], [tx], rng, 1e-6, 1e-8)
    assert_grads_match(ours, theirs, 1e-6, 1e-8)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("activation", ["gelu", "callable gelu", "callable tanh gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer_gelu_loads_torch_state_dict(rng, activation, norm_first):
    """activation='gelu' (the string) or a callable, as PyTorch takes them; PyTorch's state dict loads."""
    pick = {"gelu": ("gelu", "gelu"),
            "callable gelu": (F.gelu, torch.nn.functional.gelu),
            "callable tanh gelu": (lambda x: F.gelu(x, approximate="tanh"),
                                   lambda x: torch.nn.functional.gelu(x, approximate="tanh"))}[activation]
    settings = dict(dim_feedforward=13, dropout=0.0, norm_first=norm_first, batch_first=True)
    theirs = torch.nn.TransformerEncoderLayer(6, 3, activation=pick[1], **settings).double()
    ours = nn.TransformerEncoderLayer(6, 3, activation=pick[0], **settings).to(dtype=np.float64)
    ours.load_state_dict({name: zg.tensor(value.numpy()) for name, value in theirs.state_dict().items()})
    x, tx = both(rng, 2, 7, 6)
    check(lambda x: ours(x, is_causal=True, src_mask=zg.tensor(causal_mask(7))),
          lambda x: theirs(x, is_causal=True, src_mask=torch.tensor(causal_mask(7))), [x], [tx], rng, 1e-6, 1e-8)
    assert_grads_match(ours, theirs, 1e-6, 1e-8)
    with pytest.raises(ValueError, match="activation should be relu/gelu or a callable, got 'swish'"):
        nn.TransformerEncoderLayer(6, 3, activation="swish")


def causal_mask(size: int):
    """−inf above the diagonal, 0 elsewhere (float64), as generate_square_subsequent_mask."""
    return np.triu(np.full((size, size), -np.inf), 1)


def test_transformer_encoder_stacks_copies(rng):
    layer = torch.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=True)
    theirs = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(4), enable_nested_tensor=False)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=True), 2,
                                 norm=nn.LayerNorm(4))
    check_module(ours, theirs, rng, 2, 3, 4, rtol=1e-6, atol=1e-8)


def test_positional_embeddings(rng):
    table = F.sinusoidal_positions(7, 6, dtype=np.float64).numpy()
    t = np.arange(7)[:, None]
    np.testing.assert_allclose(table[:, 2], np.sin(t[:, 0] / 10000 ** (2 / 6)))
    np.testing.assert_allclose(table[:, 5], np.cos(t[:, 0] / 10000 ** (4 / 6)))
    learned = nn.LearnedPositionalEmbedding(8, 6)
    x = zg.zeros(2, 5, 6)
    np.testing.assert_array_equal(learned(x, offset=3).detach().numpy()[1], learned.weight.detach().numpy()[3:8])
    fixed = nn.SinusoidalPositionalEncoding(6, max_len=10)
    np.testing.assert_allclose(fixed(x).numpy()[0], table[:5], rtol=1e-6)
    assert "table" not in fixed.state_dict()
    with pytest.raises(ValueError, match="max_len"):
        learned(x, offset=4)


def test_attention_second_derivatives_match_torch(rng):
    """MaskedSoftmax's backward is built from Tensor ops: a gradient of the gradient matches PyTorch's."""
    (q, tq), (k, tk), (v, tv) = both(rng, 2, 3, 4), both(rng, 2, 5, 4), both(rng, 2, 5, 3)
    mask, t_mask = zg.tensor(rng.standard_normal((3, 5)), requires_grad=True), None
    t_mask = torch.tensor(mask.detach().numpy(), requires_grad=True)
    out = F.scaled_dot_product_attention(q, k, v, mask)
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, t_mask)
    (g_q,) = zg.autograd.grad((out ** 2).sum(), [q], create_graph=True)
    (t_g_q,) = torch.autograd.grad((t_out ** 2).sum(), [tq], create_graph=True)
    (g_q * g_q).sum().backward()
    (t_g_q * t_g_q).sum().backward()
    for ours, theirs in ((q, tq), (k, tk), (v, tv), (mask, t_mask)):
        assert_close(ours.grad, theirs.grad, 1e-6, 1e-8)
    fully_masked = F.scaled_dot_product_attention(q, k, v, zg.zeros(3, 5).bool())
    assert np.isnan(fully_masked.detach().numpy()).all()


# ---- bilinear ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lead", [(5,), (2, 3), (), (0,)])
@pytest.mark.parametrize("sizes, bias", [((3, 4, 2), True), ((1, 7, 5), False), ((6, 1, 1), True)])
def test_bilinear_matches_torch(rng, lead, sizes, bias):
    in1, in2, out = sizes
    ours, theirs = module_pair(nn.Bilinear(in1, in2, out, bias=bias), torch.nn.Bilinear(in1, in2, out, bias=bias))
    (x1, tx1), (x2, tx2) = both(rng, *lead, in1), both(rng, *lead, in2)
    check(ours, theirs, [x1, x2], [tx1, tx2], rng)
    assert_grads_match(ours, theirs, 1e-7, 1e-9)
    assert list(ours.state_dict()) == list(theirs.state_dict()) and repr(ours) == repr(theirs)


def test_bilinear_init_bounds_and_refusals():
    layer = nn.Bilinear(9, 4, 5)
    bound = 1 / 3  # 1/√in1
    assert layer.weight.shape == (5, 9, 4)
    assert 0.8 * bound < float(abs(layer.weight._data).max()) <= bound and float(abs(layer.bias._data).max()) <= bound
    with pytest.raises(RuntimeError, match="bilinear"):
        F.bilinear(zg.ones(2, 9), zg.ones(3, 4), layer.weight)
    with pytest.raises(RuntimeError):
        torch.nn.functional.bilinear(torch.ones(2, 9), torch.ones(3, 4), torch.ones(5, 9, 4))
