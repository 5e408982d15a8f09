"""The ops under test, each written once against a module `m` that is either zengrad or torch.

Because zengrad follows PyTorch's API, the same lambda runs on both: the parity tests compare
them, and the gradient tests run gradcheck on the zengrad side. Each case lists its input
shapes (with broadcasting) and the domain to draw inputs from:
  "any":  standard normal;  "pos": in [0.5, 2];  "away": |x| in [0.2, 2] with random sign
  (keeps kinks like relu at 0 and abs at 0 out of the finite-difference step).
"""

import dataclasses
from typing import Callable



@dataclasses.dataclass
class Case:
    name: str
    fn: Callable
    shapes: list
    domain: str = "any"
    second_order: bool = True  # whether grad-of-grad is checked
    torch_rtol: float = 0.0  # a looser rtol against PyTorch where PyTorch is the less exact side


def _index_rows(m, a):
    return a[m.tensor([0, 2, 0, 1, 2])]  # repeated indices must accumulate


def _mask(m, a):
    return a[a > 0.3]


CASES = [
    Case("add", lambda m, a, b: a + b, [(3, 4), (4,)]),
    Case("add_scalar", lambda m, a: 2.5 + a, [(2, 3)]),
    Case("sub", lambda m, a, b: a - b, [(2, 1, 3), (4, 1)]),
    Case("rsub_scalar", lambda m, a: 1 - a, [(5,)]),
    Case("mul", lambda m, a, b: a * b, [(3, 1), (1, 5)]),
    Case("div", lambda m, a, b: a / b, [(2, 3), (3,)], "pos"),
    Case("rdiv_scalar", lambda m, a: 3 / a, [(4,)], "pos"),
    Case("pow_tensor", lambda m, a, b: a ** b, [(2, 3), (2, 3)], "pos"),
    Case("pow_scalar", lambda m, a: a ** 3, [(3, 2)]),
    Case("pow_neg_scalar", lambda m, a: a ** -1.5, [(3,)], "pos"),
    Case("neg", lambda m, a: -a, [(3, 2)]),
    Case("abs", lambda m, a: abs(a), [(7,)], "away"),
    Case("exp", lambda m, a: a.exp(), [(2, 5)]),
    Case("log", lambda m, a: a.log(), [(2, 5)], "pos"),
    Case("sqrt", lambda m, a: a.sqrt(), [(6,)], "pos"),
    Case("tanh", lambda m, a: a.tanh(), [(3, 3)]),
    Case("sigmoid", lambda m, a: a.sigmoid(), [(3, 3)]),
    Case("relu", lambda m, a: a.relu(), [(4, 3)], "away"),
    Case("leaky_relu", lambda m, a: m.nn.functional.leaky_relu(a, 0.1), [(4, 3)], "away"),
    Case("clamp", lambda m, a: a.clamp(min=-0.5, max=0.7), [(5, 4)], "away"),
    Case("maximum", lambda m, a, b: m.maximum(a, b), [(3, 4), (4,)]),
    Case("minimum", lambda m, a, b: m.minimum(a, b), [(3, 1), (3, 4)]),
    Case("where", lambda m, a, b: m.where(a > 0, a, b), [(3, 4), (3, 4)], "away"),
    Case("sum_all", lambda m, a: a.sum(), [(3, 4)]),
    Case("sum_dim", lambda m, a: a.sum(dim=1), [(2, 3, 4)]),
    Case("sum_dims_keep", lambda m, a: a.sum(dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    Case("mean_dim", lambda m, a: a.mean(dim=-1), [(3, 5)]),
    Case("max_all", lambda m, a: a.max(), [(3, 4)]),
    Case("max_dim", lambda m, a: a.max(dim=1).values, [(3, 5)]),
    Case("min_dim_keep", lambda m, a: a.min(dim=0, keepdim=True).values, [(4, 3)]),
    Case("logsumexp", lambda m, a: a.logsumexp(dim=1), [(3, 5)]),
    Case("softmax", lambda m, a: a.softmax(dim=-1), [(2, 3, 4)]),
    Case("log_softmax", lambda m, a: a.log_softmax(dim=0), [(4, 3)]),
    Case("matmul_2d", lambda m, a, b: a @ b, [(3, 4), (4, 2)]),
    Case("matmul_batched_broadcast", lambda m, a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)]),
    Case("matmul_batch_by_matrix", lambda m, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    Case("matmul_4d_by_matrix", lambda m, a, b: a @ b, [(2, 1, 3, 4), (4, 5)]),
    Case("linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(5, 3), (4, 3), (4,)]),
    Case("linear_batched", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(2, 3, 5), (4, 5), (4,)]),
    Case("linear_vector_no_bias", lambda m, x, w: m.nn.functional.linear(x, w), [(3,), (4, 3)]),
    Case("matmul_vec_mat", lambda m, a, b: a @ b, [(4,), (4, 3)]),
    Case("matmul_mat_vec", lambda m, a, b: a @ b, [(2, 4), (4,)]),
    Case("matmul_vec_vec", lambda m, a, b: m.matmul(a, b), [(5,), (5,)]),
    Case("reshape", lambda m, a: a.reshape(4, 3) * 2, [(2, 6)]),
    Case("view_infer", lambda m, a: a.view(-1, 2), [(3, 4)]),
    Case("transpose", lambda m, a: a.transpose(0, 2), [(2, 3, 4)]),
    Case("permute", lambda m, a: a.permute(2, 0, 1), [(2, 3, 4)]),
    Case("T", lambda m, a: a.T @ a, [(3, 2)]),
    Case("squeeze_unsqueeze", lambda m, a: a.unsqueeze(1).squeeze(0), [(1, 3)]),
    Case("flatten", lambda m, a: a.flatten(1), [(2, 3, 2)]),
    Case("expand", lambda m, a: a.expand(3, 4) * 1.5, [(3, 1)]),
    Case("getitem_int_slice", lambda m, a: a[1, ::2], [(3, 5)]),
    Case("getitem_none_ellipsis", lambda m, a: a[None, ..., 1:], [(2, 3, 4)]),
    Case("getitem_negative_step_free", lambda m, a: a[-2:, 1], [(4, 3)]),
    Case("getitem_repeated_rows", _index_rows, [(3, 4)]),
    Case("getitem_two_arrays", lambda m, a: a[m.tensor([0, 1, 1]), m.tensor([2, 0, 2])], [(2, 3)]),
    Case("getitem_mask", _mask, [(4, 5)], "away"),
    Case("cat", lambda m, a, b: m.cat([a, b, a], dim=1), [(2, 3), (2, 1)]),
    Case("stack", lambda m, a, b: m.stack([a, b], dim=-1), [(2, 3), (2, 3)]),
    Case("split", lambda m, a: a.split(2, dim=1)[-1] * a.split([1, 4], dim=1)[0], [(3, 5)]),
    Case("chunk", lambda m, a: m.cat(a.chunk(3, dim=0)[::-1], dim=0), [(7, 2)]),
    Case("chain", lambda m, a, b: ((a @ b).tanh() * a.sum(dim=1, keepdim=True)).sigmoid().mean(),
         [(3, 4), (4, 5)]),
]


def draw(rng, shape, domain):
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "away":
        return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return rng.standard_normal(shape)


# ---- the ops added for PyTorch breadth (issue 13) --------------------------------------------

def _with_zeros(m, a):
    """a with one zero in row 0, two in row 1 and none in row 2 (prod/cumprod's special cases)."""
    mask = m.tensor([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]).to(a.dtype)
    return a * mask


def _setitem_mask(m, a, v):
    b = a * 1
    b[a > 0.5] = 0
    b[1] = v  # a row from another tensor: its gradient is g[1]
    return b * a


def _setitem_slice_broadcast(m, a, v):
    b = a * 2
    b[:, 1:3] = v  # v of shape (1,) broadcast over the slice: its gradient sums it
    return b


_IDX = [[0, 2, 1, 0], [1, 1, 0, 2]]  # repeats in each row: scatters must add / reduce them


BREADTH_CASES = [
    # reductions
    Case("var_all", lambda m, a: a.var(), [(3, 5)]),
    Case("var_dim_correction0", lambda m, a: a.var(dim=1, correction=0), [(4, 3)]),
    Case("var_dims_keep", lambda m, a: m.var(a, dim=(0, 2), keepdim=True), [(2, 3, 5)]),
    Case("std_dim", lambda m, a: a.std(dim=0), [(5, 2)]),
    Case("std_correction2_keep", lambda m, a: a.std(dim=-1, correction=2, keepdim=True), [(2, 7)]),
    Case("prod_all", lambda m, a: a.prod(), [(2, 3)], "away"),
    Case("prod_dim", lambda m, a: m.prod(a, 1), [(3, 5)], "away"),
    Case("prod_with_zeros", lambda m, a: _with_zeros(m, a).prod(1), [(3, 4)], "away"),
    Case("norm_fro", lambda m, a: a.norm(), [(3, 4)]),
    Case("norm_1_dim", lambda m, a: a.norm(p=1, dim=1), [(3, 4)], "away"),
    Case("norm_3_keep", lambda m, a: m.norm(a, p=3, dim=0, keepdim=True), [(5, 2)], "away"),
    Case("norm_inf", lambda m, a: a.norm(p=float("inf"), dim=1), [(3, 4)], "away"),
    Case("norm_zero_row", lambda m, a: (a * m.tensor([[0.0], [1.0]]).to(a.dtype)).norm(dim=1), [(2, 3)],
         second_order=False),
    Case("cumsum", lambda m, a: a.cumsum(1), [(3, 5)]),
    Case("cumsum_noncontiguous", lambda m, a: m.cumsum(a.mT, dim=0), [(2, 7)]),
    Case("cumprod", lambda m, a: a.cumprod(0), [(5, 3)], "away"),
    Case("cumprod_with_zeros", lambda m, a: _with_zeros(m, a).cumprod(1), [(3, 4)], "away"),
    Case("cummax", lambda m, a: a.cummax(1).values, [(3, 7)]),
    Case("cummin", lambda m, a: m.cummin(a, 0).values, [(5, 2)]),
    Case("logcumsumexp", lambda m, a: a.logcumsumexp(1), [(3, 5)]),
    # PyTorch's float32 gradient here is 1.4e-5 off the float64 one, ours 5e-7:
    Case("logcumsumexp_wide_range", lambda m, a: m.logcumsumexp(a * 400, 0), [(6, 2)], torch_rtol=1e-3),
    # shape
    Case("clone", lambda m, a: a.clone() * a, [(3, 2)]),
    Case("contiguous", lambda m, a: a.mT.contiguous().reshape(-1), [(2, 3)]),
    Case("t", lambda m, a: a.t() @ a, [(4, 3)]),
    Case("repeat", lambda m, a: a.repeat(2, 1, 3), [(3, 2)]),
    Case("tile", lambda m, a: a.tile((2,)), [(2, 3)]),
    Case("flip", lambda m, a: a.flip((0, 2)), [(2, 3, 4)]),
    Case("roll", lambda m, a: a.roll((1, -2), (0, 1)), [(3, 5)]),
    Case("roll_flat", lambda m, a: m.roll(a, 4), [(3, 5)]),
    Case("tril", lambda m, a: a.tril(), [(2, 4, 3)]),
    Case("triu_offset", lambda m, a: m.triu(a, 1), [(5, 3)]),
    Case("unflatten", lambda m, a: a.unflatten(1, (3, -1)), [(2, 6)]),
    Case("movedim", lambda m, a: a.movedim((0, 1), (2, 0)), [(2, 3, 5)]),
    Case("pad_constant", lambda m, a: m.nn.functional.pad(a, (1, 2, 0, 1), value=0.5), [(2, 3)]),
    Case("pad_constant_crop", lambda m, a: m.nn.functional.pad(a, (-1, 2)), [(2, 4)]),
    Case("pad_reflect", lambda m, a: m.nn.functional.pad(a, (2, 1), mode="reflect"), [(2, 3, 4)]),
    Case("pad_reflect_2d", lambda m, a: m.nn.functional.pad(a, (1, 2, 2, 1), mode="reflect"), [(1, 2, 3, 4)]),
    Case("pad_replicate", lambda m, a: m.nn.functional.pad(a, (3, 1, 0, 2), mode="replicate"), [(1, 2, 2, 3)]),
    Case("pad_circular", lambda m, a: m.nn.functional.pad(a, (2, 1), mode="circular"), [(1, 2, 3)]),
    Case("meshgrid", lambda m, a, b: m.stack(m.meshgrid(a, b, indexing="ij"), 0) * 2, [(3,), (4,)]),
    Case("meshgrid_xy", lambda m, a, b: m.meshgrid(a, b, indexing="xy")[0] * m.meshgrid(a, b, indexing="xy")[1],
         [(3,), (2,)]),
    # math
    Case("sin", lambda m, a: a.sin(), [(3, 4)]),
    Case("cos", lambda m, a: m.cos(a), [(5,)]),
    Case("tan", lambda m, a: a.tan(), [(4,)], "away"),
    Case("atan", lambda m, a: a.atan(), [(4,)]),
    Case("sinh_cosh", lambda m, a: a.sinh() * m.cosh(a), [(4,)]),
    Case("asin_acos", lambda m, a: (a * 0.4).asin() + m.acos(a * 0.3), [(5,)], "away"),
    Case("atan2", lambda m, a, b: m.atan2(a, b), [(3, 4), (4,)], "away"),
    Case("log2", lambda m, a: a.log2(), [(3,)], "pos"),
    Case("log10", lambda m, a: m.log10(a), [(3,)], "pos"),
    Case("log1p", lambda m, a: m.log1p(a), [(2, 3)], "pos"),
    Case("expm1", lambda m, a: a.expm1(), [(2, 3)]),
    Case("exp2", lambda m, a: m.exp2(a), [(4,)]),
    Case("rounding", lambda m, a: (a * 3).floor() + m.ceil(a * 3) + (a * 3).round() + m.trunc(a * 3) + a,
         [(3, 4)], "away"),
    Case("round_decimals", lambda m, a: m.round(a * 3, decimals=1) + a, [(4,)], "away"),
    Case("remainder", lambda m, a, b: m.remainder(a * 3, b), [(3, 4), (4,)], "pos"),
    Case("remainder_negative", lambda m, a, b: (a * 3) % b, [(5,), (5,)], "away"),
    Case("fmod", lambda m, a, b: m.fmod(a * 3, b), [(2, 5), (2, 5)], "away"),
    Case("copysign", lambda m, a, b: m.copysign(a, b), [(3, 4), (4,)], "away"),
    Case("reciprocal", lambda m, a: a.reciprocal(), [(5,)], "away"),
    Case("rsqrt", lambda m, a: m.rsqrt(a), [(5,)], "pos"),
    Case("erf", lambda m, a: m.erf(a), [(3, 5)]),
    Case("clamp_tensor_bounds", lambda m, a, lo: a.clamp(min=lo, max=lo + 1), [(3, 4), (4,)], "away"),
    Case("clamp_tensor_min_only", lambda m, a, lo: m.clamp(a, min=lo), [(2, 5), (2, 1)], "away"),
    # indexing
    Case("gather", lambda m, a: a.gather(1, m.tensor(_IDX)), [(2, 3)]),
    Case("gather_smaller_index", lambda m, a: m.gather(a, 0, m.tensor([[1, 0], [2, 2]])), [(3, 4)]),
    Case("scatter", lambda m, a, s: a.scatter(1, m.tensor([[2, 0], [1, 2]]), s), [(2, 3), (2, 2)]),
    Case("scatter_add", lambda m, a, s: m.scatter_add(a, 1, m.tensor(_IDX), s), [(2, 3), (2, 4)]),
    Case("scatter_reduce_sum", lambda m, a, s: a.scatter_reduce(1, m.tensor(_IDX), s, "sum"), [(2, 3), (2, 4)]),
    Case("scatter_reduce_mean_exclude", lambda m, a, s: a.scatter_reduce(1, m.tensor(_IDX), s, "mean",
                                                                         include_self=False), [(2, 4), (2, 4)]),
    Case("scatter_reduce_amax", lambda m, a, s: a.scatter_reduce(1, m.tensor(_IDX), s, "amax"), [(2, 3), (2, 4)]),
    Case("scatter_reduce_amin_exclude", lambda m, a, s: a.scatter_reduce(1, m.tensor(_IDX), s, "amin",
                                                                         include_self=False), [(2, 3), (2, 4)]),
    Case("scatter_reduce_prod", lambda m, a, s: a.scatter_reduce(1, m.tensor(_IDX), s, "prod"), [(2, 3), (2, 4)],
         "away"),
    Case("index_select", lambda m, a: a.index_select(1, m.tensor([2, 0, 2])), [(3, 4)]),
    Case("masked_fill", lambda m, a: a.masked_fill(a > 0.5, -1.5), [(3, 4)], "away"),
    Case("masked_fill_tensor_value", lambda m, a, v: m.masked_fill(a, a < 0, v.reshape(())), [(2, 5), (1,)], "away"),
    Case("take_along_dim", lambda m, a: m.take_along_dim(a, a.argsort(dim=1), dim=1), [(3, 4)]),
    Case("take_along_dim_broadcast", lambda m, a: m.take_along_dim(a, m.tensor([[[0], [2]]]), dim=2), [(3, 1, 4)]),
    Case("take_along_dim_flat", lambda m, a: m.take_along_dim(a, m.tensor([5, 0, 5])), [(2, 3)]),
    Case("sort", lambda m, a: a.sort(dim=0).values, [(4, 3)]),
    Case("sort_descending", lambda m, a: m.sort(a, descending=True).values, [(2, 5)]),
    Case("topk", lambda m, a: a.topk(2, dim=1).values, [(3, 5)]),
    Case("topk_smallest", lambda m, a: m.topk(a, 3, largest=False).values, [(7,)]),
    Case("setitem_mask_and_row", _setitem_mask, [(3, 4), (4,)], "away"),
    Case("setitem_slice_broadcast", _setitem_slice_broadcast, [(2, 4), (1,)]),
    # activations
    Case("gelu", lambda m, a: m.nn.functional.gelu(a * 2), [(3, 5)]),
    Case("gelu_tanh", lambda m, a: m.nn.functional.gelu(a * 2, approximate="tanh"), [(3, 5)]),
    Case("silu", lambda m, a: m.nn.functional.silu(a * 2), [(3, 4)]),
    Case("elu", lambda m, a: m.nn.functional.elu(a, alpha=0.7), [(3, 4)], "away"),
    Case("selu", lambda m, a: m.nn.functional.selu(a), [(3, 4)], "away"),
    Case("celu", lambda m, a: m.nn.functional.celu(a, alpha=1.5), [(3, 4)], "away"),
    Case("softplus", lambda m, a: m.nn.functional.softplus(a * 6, beta=2.0, threshold=8.0), [(3, 5)], "away"),
    Case("softsign", lambda m, a: m.nn.functional.softsign(a), [(2, 5)], "away"),
    Case("mish", lambda m, a: m.nn.functional.mish(a * 2), [(3, 4)]),
    Case("hardtanh", lambda m, a: m.nn.functional.hardtanh(a * 1.7, -0.8, 1.2), [(3, 5)], "away"),
    Case("relu6", lambda m, a: m.nn.functional.relu6(a * 5), [(3, 5)], "away"),
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, also for float64:
    Case("hardsigmoid", lambda m, a: m.nn.functional.hardsigmoid(a * 2.7), [(3, 5)], "away", torch_rtol=1e-7),
    Case("hardswish", lambda m, a: m.nn.functional.hardswish(a * 2.7), [(3, 5)], "away"),
    Case("logsigmoid", lambda m, a: m.nn.functional.logsigmoid(a * 3), [(3, 5)], "away"),
    Case("glu", lambda m, a: m.nn.functional.glu(a, dim=1), [(2, 6)]),
    Case("prelu_channels", lambda m, a, w: m.nn.functional.prelu(a, w), [(2, 3, 2), (3,)], "away"),
    Case("prelu_single", lambda m, a, w: m.nn.functional.prelu(a, w), [(4, 3), (1,)], "away"),
    # normalisation
    Case("layer_norm", lambda m, a, w, b: m.nn.functional.layer_norm(a, (5,), w, b), [(3, 2, 5), (5,), (5,)]),
    Case("layer_norm_two_dims_plain", lambda m, a: m.nn.functional.layer_norm(a, (3, 4)), [(2, 3, 4)]),
    Case("layer_norm_weight_only_strided", lambda m, a, w: m.nn.functional.layer_norm(a.mT, (3,), w),
         [(3, 7), (3,)]),
    Case("layer_norm_bias_only", lambda m, a, b: m.nn.functional.layer_norm(a * 3, (1, 4), None, b),
         [(1, 1, 4), (1, 4)]),
    # attention (one masked-softmax node; scaling q by 30 spreads the rows' maxima far apart, so the
    # per-row shift is taken as well as the shared one)
    Case("attention_causal", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
         [(2, 3, 4), (2, 5, 4), (2, 5, 3)]),
    Case("attention_float_mask", lambda m, q, k, v, mask: m.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=mask), [(1, 2, 3, 4), (2, 4, 4), (1, 4, 2), (3, 1)]),
    Case("attention_spread_rows", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(
        q * m.tensor([[1.0], [30.0], [0.01]], dtype=q.dtype), k, v, scale=1.0), [(3, 4), (6, 4), (6, 2)]),
]

BREADTH_CASES += [
    Case("expand_as", lambda m, a, b: a.expand_as(b) * b, [(3, 1), (3, 4)]),
    Case("reshape_as", lambda m, a, b: a.reshape_as(b) + b, [(2, 6), (3, 4)]),
    Case("narrow", lambda m, a: a.narrow(1, -3, 2), [(3, 5)]),
    Case("unbind", lambda m, a: a.unbind(1)[2] * a.unbind(1)[0], [(3, 4)]),
    Case("swapaxes", lambda m, a: m.swapaxes(a, 0, 2), [(2, 3, 4)]),
    Case("diagonal", lambda m, a: a.diagonal(-1, 2, 0), [(4, 2, 3)]),
    Case("diagonal_offset", lambda m, a: m.diagonal(a.transpose(0, 1), 2, 1, 2), [(3, 4, 5)]),
    Case("diagonal_past_the_corner", lambda m, a: a.diagonal(7) * 2, [(3, 4)]),
    Case("diag_vector", lambda m, a: m.diag(a, 1), [(3,)]),
    Case("diag_matrix", lambda m, a: m.diag(a, -1), [(4, 3)]),
    Case("trace", lambda m, a: m.trace(a), [(3, 5)]),
    Case("diff", lambda m, a: a.diff(n=2, dim=0), [(5, 3)]),
    Case("amax", lambda m, a: m.amax(a, dim=(0, 2)), [(2, 3, 4)]),
    Case("amin_keep", lambda m, a: a.amin(1, keepdim=True), [(3, 5)]),
    Case("nansum", lambda m, a: m.nansum(a, dim=1), [(3, 4)]),
    Case("nanmean", lambda m, a: a.nanmean(), [(3, 4)]),
    Case("kthvalue", lambda m, a: a.kthvalue(2, dim=1).values, [(3, 5)]),
    Case("median_all", lambda m, a: a.median(), [(2, 5)]),
    Case("median_dim", lambda m, a: m.median(a, 0).values, [(4, 3)]),
    Case("mm", lambda m, a, b: m.mm(a, b), [(3, 4), (4, 2)]),
    Case("bmm", lambda m, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 1)]),
    Case("outer", lambda m, a, b: m.outer(a, b), [(3,), (5,)]),
    Case("logaddexp", lambda m, a, b: m.logaddexp(a, b * 3), [(3, 4), (4,)]),
    Case("max_binary", lambda m, a, b: m.max(a, b) + a.min(b), [(3, 4), (4,)]),
]

# PyTorch's other names for products, stacks, windows and per-slice indexing (round two of issue 13)
BREADTH_CASES += [
    Case("dot", lambda m, a, b: m.dot(a, b), [(5,), (5,)]),
    Case("mv", lambda m, a, b: a.mv(b), [(3, 4), (4,)]),
    Case("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [(1, 3), (2, 4), (4, 3)]),
    Case("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, alpha=0.5), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    Case("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])), [(3, 2, 4), (2, 5, 3)]),
    Case("tensordot_int", lambda m, a, b: m.tensordot(a, b, dims=1), [(3, 2), (2, 5)]),
    Case("kron", lambda m, a, b: m.kron(a, b), [(2, 3), (3, 2)]),
    Case("cross", lambda m, a, b: m.cross(a, b, dim=1), [(2, 3), (1, 3)]),
    Case("broadcast_to", lambda m, a: m.broadcast_to(a, (2, 3, 4)) * 1.5, [(3, 1)]),
    Case("hstack", lambda m, a, b: m.hstack([a, b]), [(2, 3), (2, 1)]),
    Case("hstack_vectors", lambda m, a, b: m.hstack([a, b]), [(3,), (2,)]),
    Case("vstack", lambda m, a, b: m.vstack([a, b]), [(3,), (2, 3)]),
    Case("dstack", lambda m, a, b: m.dstack([a, b]), [(2, 3), (2, 3)]),
    Case("column_stack", lambda m, a, b: m.column_stack([a, b]), [(3,), (3, 2)]),
    Case("repeat_interleave", lambda m, a: a.repeat_interleave(2, dim=1), [(2, 3)]),
    Case("repeat_interleave_counts", lambda m, a: a.repeat_interleave(m.tensor([1, 0, 3]), dim=0), [(3, 2)]),
    Case("repeat_interleave_flat", lambda m, a: m.repeat_interleave(a, 3), [(2, 2)]),
    Case("unfold_windows", lambda m, a: a.unfold(1, 3, 2), [(2, 7)]),
    Case("unfold_overlap", lambda m, a: a.unfold(0, 2, 1), [(5, 3)]),
    Case("take", lambda m, a: m.take(a, m.tensor([[0, 5], [-1, 2]])), [(2, 3)]),
    Case("index_add", lambda m, a, b: a.index_add(1, m.tensor([2, 0, 2]), b, alpha=0.5), [(3, 4), (3, 3)]),
    Case("index_copy", lambda m, a, b: a.index_copy(0, m.tensor([2, 0]), b), [(3, 4), (2, 4)]),
    Case("index_fill", lambda m, a: a.index_fill(1, m.tensor([0, 2]), -1.5), [(3, 4)]),
    Case("hypot", lambda m, a, b: m.hypot(a, b), [(3, 4), (4,)], "away"),
    Case("xlogy", lambda m, a, b: m.xlogy(a, b), [(3, 4), (3, 4)], "pos"),
    Case("frac", lambda m, a: (a * 3).frac(), [(5,)]),
    Case("sinc", lambda m, a: m.sinc(a), [(3, 4)], "away"),  # near 0 both sides cancel to a few ulp / x
    Case("float_power", lambda m, a: m.float_power(a, 2.5).to(a.dtype), [(4,)], "pos"),
    Case("lerp", lambda m, a, b: m.lerp(a, b, 0.3), [(3, 4), (4,)]),
    Case("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [(3, 4), (4,), (3, 1)]),
    Case("addcdiv", lambda m, a, b, c: a.addcdiv(b, c, value=-2.0), [(3, 4), (3, 4), (4,)], "pos"),
    Case("sum_to_size", lambda m, a: a.sum_to_size(3, 1), [(2, 3, 4)]),
    Case("clamp_min", lambda m, a: m.clamp_min(a, 0.2) + a.clamp_max(-0.1), [(3, 4)], "away"),
    Case("softmin", lambda m, a: m.nn.functional.softmin(a, dim=1), [(3, 4)]),
    Case("threshold", lambda m, a: m.nn.functional.threshold(a, 0.1, -2.0), [(3, 4)], "away"),
    Case("tanhshrink", lambda m, a: m.nn.functional.tanhshrink(a), [(3, 4)]),
    Case("softshrink", lambda m, a: m.nn.functional.softshrink(a * 2, 0.5), [(3, 4)], "away"),
    Case("hardshrink", lambda m, a: m.nn.functional.hardshrink(a * 2, 0.5), [(3, 4)], "away"),
    Case("l1_loss", lambda m, a, b: m.nn.functional.l1_loss(a, b * 2), [(3, 4), (3, 4)]),
    Case("normalize", lambda m, a: m.nn.functional.normalize(a, dim=1), [(3, 4)]),
    Case("normalize_p1", lambda m, a: m.nn.functional.normalize(a, p=1, dim=0), [(3, 4)], "away"),
    Case("pairwise_distance", lambda m, a, b: m.nn.functional.pairwise_distance(a, b), [(3, 4), (4,)]),
    Case("pairwise_distance_p3", lambda m, a, b: m.nn.functional.pairwise_distance(a, b, p=3.0, keepdim=True),
         [(2, 5), (2, 5)], "away"),
    Case("margin_ranking_loss", lambda m, a, b: m.nn.functional.margin_ranking_loss(
        a, b, m.tensor([1.0, -1.0, 1.0, -1.0, 1.0], dtype=a.dtype), margin=0.1, reduction="sum"), [(5,), (5,)]),
    Case("cosine_embedding_loss", lambda m, a, b: m.nn.functional.cosine_embedding_loss(
        a, b, m.tensor([1, -1, 1]), margin=-0.5), [(3, 4), (3, 4)]),
    Case("triplet_margin_loss", lambda m, a, b, c: m.nn.functional.triplet_margin_loss(a, b, c, margin=2.0),
         [(4, 3), (4, 3), (4, 3)]),
    Case("triplet_margin_loss_swap", lambda m, a, b, c: m.nn.functional.triplet_margin_loss(
        a, b, c, margin=0.5, p=1.0, swap=True, reduction="none"), [(4, 3), (4, 3), (4, 3)], "away"),
    Case("pixel_shuffle", lambda m, a: m.nn.functional.pixel_shuffle(a, 2), [(2, 8, 3, 2)]),
    Case("pixel_unshuffle", lambda m, a: m.nn.functional.pixel_unshuffle(a, 3), [(1, 2, 6, 3)]),
]


def _well_conditioned(m, a):
    return a + 4 * m.eye(a.shape[-1], dtype=a.dtype)


BREADTH_CASES += [
    Case("linalg_inv", lambda m, a: m.linalg.inv(_well_conditioned(m, a)), [(2, 3, 3)]),
    Case("inverse_method", lambda m, a: _well_conditioned(m, a).inverse(), [(4, 4)]),
    Case("linalg_det", lambda m, a: m.linalg.det(a), [(2, 3, 3)]),
    Case("det_1x1", lambda m, a: m.det(a), [(1, 1)]),
    Case("slogdet", lambda m, a: m.linalg.slogdet(_well_conditioned(m, a))[1], [(3, 3)]),
    Case("logdet", lambda m, a: m.logdet(_well_conditioned(m, a)), [(2, 4, 4)]),
    Case("linalg_solve", lambda m, a, b: m.linalg.solve(_well_conditioned(m, a), b), [(2, 3, 3), (2, 3, 2)]),
    Case("linalg_solve_vector", lambda m, a, b: m.linalg.solve(_well_conditioned(m, a), b), [(3, 3), (3,)]),
    Case("matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), [(2, 3, 4)]),
    Case("matrix_norm_1", lambda m, a: m.linalg.matrix_norm(a, ord=1), [(3, 4)], "away"),
    Case("matrix_norm_inf_keep", lambda m, a: m.linalg.matrix_norm(a, ord=float("inf"), keepdim=True), [(2, 3, 4)],
         "away"),
    Case("linalg_norm_vector", lambda m, a: m.linalg.norm(a, ord=3, dim=1), [(3, 4)], "away"),
    Case("linalg_norm_matrix", lambda m, a: m.linalg.norm(a), [(3, 4)]),
    Case("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), [(2, 3, 3)]),
    Case("asinh", lambda m, a: m.asinh(a), [(3, 4)]),
    Case("acosh", lambda m, a: m.acosh(a + 2), [(3, 4)], "pos"),
    Case("atanh", lambda m, a: (a * 0.4).atanh(), [(3, 4)], "pos"),
    Case("erfc", lambda m, a: m.erfc(a), [(3, 4)]),
    Case("logit", lambda m, a: m.logit(a * 0.4), [(3, 4)], "pos"),
    Case("logit_eps", lambda m, a: m.logit(a, eps=0.3), [(3, 4)], "away"),
    Case("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), [(3, 4), (4,)]),
    Case("fmax", lambda m, a, b: m.fmax(a, b), [(3, 4), (4,)]),
    Case("fmin", lambda m, a, b: m.fmin(a, b), [(3, 1), (3, 4)]),
    Case("deg2rad", lambda m, a: m.deg2rad(a) + a.rad2deg(), [(3,)]),
    Case("ravel", lambda m, a: a.transpose(0, 1).ravel(), [(3, 4)]),
    Case("fliplr_flipud", lambda m, a: m.fliplr(a) * m.flipud(a), [(3, 4)]),
    Case("rot90", lambda m, a: m.rot90(a, 1, (1, 2)), [(2, 3, 4)]),
    Case("rot90_back", lambda m, a: a.rot90(-1), [(3, 4)]),
    Case("tensor_split", lambda m, a: m.tensor_split(a, 3, dim=1)[1] * 2 + m.tensor_split(a, 3, dim=1)[2], [(2, 7)]),
    Case("tensor_split_indices", lambda m, a: m.tensor_split(a, [1, 4], dim=0)[1].sum(0), [(5, 3)]),
    Case("hsplit", lambda m, a: m.hsplit(a, 2)[1][1:] - m.vsplit(a, [1])[1][:, :2], [(3, 4)]),
    Case("select", lambda m, a: a.select(1, -1) * m.select(a, 0, 1).sum(), [(3, 4)]),
    Case("diag_embed", lambda m, a: m.diag_embed(a, offset=1, dim1=0, dim2=2), [(2, 3)]),
    Case("diagflat", lambda m, a: m.diagflat(a, -1), [(2, 2)]),
    Case("masked_select", lambda m, a: m.masked_select(a, a > 0.2), [(3, 4)], "away"),
    Case("index_put_accumulate", lambda m, a, b: a.index_put((m.tensor([0, 2, 0]), m.tensor([1, 1, 1])), b,
                                                             accumulate=True), [(3, 4), (3,)]),
    Case("index_put", lambda m, a, b: a.index_put((m.tensor([0, 2]),), b), [(3, 4), (4,)]),
    Case("inner", lambda m, a, b: m.inner(a, b), [(2, 3), (4, 3)]),
    Case("vdot_ger", lambda m, a, b: m.vdot(a, b) * m.ger(a, b), [(3,), (3,)]),
    Case("dist", lambda m, a, b: m.dist(a, b, 3), [(3, 4), (4,)], "away"),
    Case("aminmax", lambda m, a: m.aminmax(a, dim=1).max - a.aminmax().min, [(3, 4)]),
    Case("cov", lambda m, a: m.cov(a), [(3, 5)]),
    Case("cov_vector", lambda m, a: m.cov(a, correction=0), [(6,)]),
    Case("corrcoef", lambda m, a: m.corrcoef(a), [(3, 6)]),
    Case("matrix_power_negative", lambda m, a: m.linalg.matrix_power(_well_conditioned(m, a), -2), [(3, 3)]),
]

ASSEMBLED_CASES = [
    Case("quantile_dim", lambda m, a: m.quantile(a, 0.3, dim=1, keepdim=True), [(3, 5)]),
    Case("quantile_levels", lambda m, a: a.quantile(m.tensor([0.1, 0.5, 0.75], dtype=a.dtype)), [(2, 4)]),
    Case("quantile_midpoint", lambda m, a: m.quantile(a, 0.4, dim=0, interpolation="midpoint"), [(4, 3)]),
    Case("nanquantile", lambda m, a: m.nanquantile(a, 0.6, dim=-1), [(3, 4)]),
    Case("nanmedian_dim", lambda m, a: m.nanmedian(a, 1).values, [(3, 4)]),
    Case("cdist", lambda m, a, b: m.cdist(a, b), [(4, 3), (5, 3)]),
    Case("cdist_batched_p3", lambda m, a, b: m.cdist(a, b, p=3.0), [(2, 3, 2), (4, 2)]),
    Case("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1.0), [(3, 2), (2, 2)], "away"),
    Case("trapezoid_x", lambda m, a, b: m.trapezoid(a, b, dim=0), [(4, 3), (4,)]),
    Case("cumulative_trapezoid", lambda m, a: m.cumulative_trapezoid(a, dx=0.5), [(2, 5)]),
    Case("block_diag", lambda m, a, b: m.block_diag(a, b) * 2, [(2, 3), (2,)]),
    Case("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b) * 3, [(3,), (2,)]),
    Case("vander", lambda m, a: m.vander(a, N=4) if m.__name__ == "zengrad" else  # torch.vander's backward fails
         m.stack([a * a * a, a * a, a, m.ones_like(a)], 1), [(3,)]),
    Case("broadcast_tensors", lambda m, a, b: m.broadcast_tensors(a, b)[0] * m.broadcast_tensors(a, b)[1], [(3, 1), (4,)]),
    Case("atleast_3d", lambda m, a: m.atleast_3d(a) * 2, [(3,)]),
    Case("addmv", lambda m, c, a, b: m.addmv(c, a, b, beta=0.5, alpha=2), [(3,), (3, 4), (4,)]),
    Case("addr", lambda m, c, a, b: c.addr(a, b, alpha=-1.5), [(3, 1), (3,), (2,)]),
    Case("addbmm", lambda m, c, a, b: m.addbmm(c, a, b, beta=2), [(2, 5), (3, 2, 4), (3, 4, 5)]),
    Case("ldexp", lambda m, a: m.ldexp(a, m.tensor([3.0, -2.0, 0.0], dtype=a.dtype)), [(2, 3)]),
    Case("renorm", lambda m, a: m.renorm(a, 2, 0, 1.5), [(4, 3)]),
    Case("renorm_p1_dim1", lambda m, a: a.renorm(1, 1, 2.0), [(3, 4)]),
    Case("mode_dim", lambda m, a: m.mode(m.round(a), 1).values * a.sum(), [(3, 5)]),
]


def _spd(m, a):
    return a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype)


def _first_singular_pair(m, a, full_matrices=False):
    u, s, vh = m.linalg.svd(a, full_matrices=full_matrices)
    return u[..., :, :1] * vh[..., :1, :] * s[..., :1, None]  # invariant to the pair's signs


DECOMPOSITION_CASES = [
    Case("cholesky", lambda m, a: m.linalg.cholesky(_spd(m, a)), [(2, 3, 3)]),
    Case("cholesky_upper", lambda m, a: m.linalg.cholesky(_spd(m, a), upper=True), [(4, 4)]),
    Case("qr", lambda m, a: m.linalg.qr(a).Q * 2 + m.linalg.qr(a).R[..., :1, :].sum(), [(5, 3)]),
    Case("qr_square_batched", lambda m, a: m.linalg.qr(a).R, [(2, 3, 3)]),
    Case("qr_wide", lambda m, a: m.linalg.qr(a).Q * 2 + m.linalg.qr(a).R.sum(-2, keepdim=True).sum(-1), [(3, 5)]),
    Case("qr_wide_batched_r", lambda m, a: m.linalg.qr(a).R, [(2, 2, 5)]),
    Case("qr_complete_wide", lambda m, a: m.linalg.qr(a, mode="complete").R, [(3, 4)]),
    Case("eigh", lambda m, a: m.linalg.eigh(_spd(m, a)).eigenvalues, [(2, 3, 3)]),
    Case("eigh_vectors", lambda m, a: m.linalg.eigh(_spd(m, a)).eigenvectors ** 2, [(4, 4)]),
    Case("svdvals", lambda m, a: m.linalg.svdvals(a), [(3, 5)]),
    Case("svd_vectors", _first_singular_pair, [(4, 3)]),
    Case("svd_vectors_wide", _first_singular_pair, [(2, 3, 5)]),
    Case("svd_full_tall", lambda m, a: _first_singular_pair(m, a, True), [(5, 3)]),
    Case("svd_full_wide", lambda m, a: _first_singular_pair(m, a, True) + m.linalg.svd(a).S.sum(), [(2, 5)]),
    Case("pinv", lambda m, a: m.linalg.pinv(a), [(4, 3)]),
    Case("lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    Case("solve_triangular", lambda m, a, b: m.linalg.solve_triangular(_well_conditioned(m, a), b, upper=False),
         [(3, 3), (3, 2)]),
    Case("cond", lambda m, a: m.linalg.cond(_well_conditioned(m, a)), [(3, 3)]),
    Case("multi_dot_vecdot", lambda m, a, b, c: m.linalg.vecdot(m.linalg.multi_dot([a, b, c]), a, dim=0),
         [(3, 4), (4, 4), (4, 4)]),
]
ASSEMBLED_CASES += DECOMPOSITION_CASES


def _lu_solve(m, a, b, **options):
    lu, pivots = m.linalg.lu_factor(_well_conditioned(m, a))
    return m.linalg.lu_solve(lu, pivots, b, **options)


LU_CASES = [  # the LU family, matrix_exp, Householder products, tensorinv
    Case("linalg_lu_l", lambda m, a: m.linalg.lu(a).L * 2 + m.linalg.lu(a).U.sum(), [(2, 4, 4)]),
    Case("linalg_lu_wide", lambda m, a: m.linalg.lu(a).U + m.linalg.lu(a).L.sum(), [(3, 5)]),
    Case("linalg_lu_tall", lambda m, a: m.linalg.lu(a).L + m.linalg.lu(a).U.sum(), [(5, 3)]),
    Case("lu_factor", lambda m, a: m.linalg.lu_factor(a).LU, [(2, 3, 3)]),
    Case("lu_factor_ex_wide", lambda m, a: m.linalg.lu_factor_ex(a).LU, [(2, 5)]),
    Case("lu_solve", _lu_solve, [(2, 3, 3), (2, 3, 2)]),
    Case("lu_solve_adjoint_right", lambda m, a, b: _lu_solve(m, a, b, left=False, adjoint=True), [(4, 4), (2, 4)]),
    Case("legacy_lu_solve", lambda m, a, b: m.lu_solve(b, *m.linalg.lu_factor(_well_conditioned(m, a))),
         [(3, 3), (3, 1)]),
    Case("matrix_exp", lambda m, a: m.linalg.matrix_exp(a), [(2, 3, 3)]),
    Case("matrix_exp_method", lambda m, a: (2 * a).matrix_exp(), [(4, 4)]),
    Case("householder_product", lambda m, a, tau: m.linalg.householder_product(a, tau), [(2, 5, 3), (2, 2)]),
    Case("tensorinv", lambda m, a: m.linalg.tensorinv(_well_conditioned(m, a.reshape(6, 6)).reshape(2, 3, 6)),
         [(6, 6)]),
    Case("inv_ex", lambda m, a: m.linalg.inv_ex(_well_conditioned(m, a)).inverse, [(2, 3, 3)]),
    Case("solve_ex_right", lambda m, a, b: m.linalg.solve_ex(_well_conditioned(m, a), b, left=False).result,
         [(3, 3), (2, 3)]),
    Case("cholesky_ex", lambda m, a: m.linalg.cholesky_ex(_spd(m, a)).L, [(2, 3, 3)]),
    Case("legacy_cholesky_solve", lambda m, a, b: m.cholesky_solve(b, m.linalg.cholesky(_spd(m, a))), [(3, 3), (3, 2)]),
    Case("legacy_svd_vectors", lambda m, a: m.svd(a).U[..., :1] * m.svd(a).V[..., :1].mT, [(4, 3)]),
]
ASSEMBLED_CASES += LU_CASES

SPECIAL_CASES = [  # zengrad.special, as torch.special
    Case("special_ndtr", lambda m, a: m.special.ndtr(a), [(3, 4)]),
    Case("special_entr", lambda m, a: m.special.entr(a), [(3, 4)], domain="pos"),
    Case("special_xlog1py", lambda m, a, b: m.special.xlog1py(a, b), [(3, 4), (4,)], domain="pos"),
    Case("special_multigammaln", lambda m, a: m.special.multigammaln(a + 2, 3), [(2, 3)], domain="pos"),
    Case("special_i0", lambda m, a: m.special.i0(a * 3), [(3, 4)]),
    Case("special_i0e", lambda m, a: m.special.i0e(a * 3), [(3, 4)], "away"),
    Case("special_i1", lambda m, a: m.special.i1(a * 3), [(3, 4)]),
    Case("special_i1e", lambda m, a: m.special.i1e(a * 3), [(3, 4)], "away"),
    Case("special_erfcx", lambda m, a: m.special.erfcx(a * 3), [(3, 4)]),
    Case("special_log_ndtr", lambda m, a: m.special.log_ndtr(a * 4), [(3, 4)]),
    Case("special_zeta_in_q", lambda m, a: m.special.zeta(3.5, a), [(3, 4)], domain="pos"),
]
ASSEMBLED_CASES += SPECIAL_CASES

MORE_OPS_CASES = [  # PyTorch names added later: finite differences, combinations, masked/put/index_reduce
    Case("gradient", lambda m, a: m.gradient(a)[0] * 2 + m.gradient(a, dim=0)[0], [(4, 5)]),
    Case("gradient_coordinates_edge2", lambda m, a: m.gradient(
        a, spacing=(m.tensor([0.0, 0.5, 2.0, 2.5, 4.0], dtype=a.dtype),), dim=1, edge_order=2)[0], [(2, 5)]),
    Case("gradient_spacing_list", lambda m, a: m.gradient(a, spacing=[2.0, -0.5], edge_order=2)[1], [(3, 4)]),
    Case("combinations", lambda m, a: m.combinations(a, 2) * m.combinations(a, 2, with_replacement=True)[:3], [(3,)]),
    Case("masked_scatter", lambda m, a, b: a.masked_scatter(m.tensor([[True], [False], [True]]), b), [(3, 2), (2, 3)]),
    Case("put_accumulate", lambda m, a, b: a.put(m.tensor([4, -1, 0, 4]), b, accumulate=True), [(2, 3), (4,)]),
    Case("put", lambda m, a, b: m.put(a, m.tensor([[3], [-6]]), b), [(2, 3), (2, 1)]),
    Case("index_reduce_mean", lambda m, a, b: a.index_reduce(0, m.tensor([2, 0, 2]), b, "mean"), [(3, 4), (3, 4)]),
    Case("index_reduce_prod_exclude", lambda m, a, b: m.index_reduce(a, 1, m.tensor([1, 1]), b, "prod",
                                                                    include_self=False), [(2, 3), (2, 2)], "away"),
    Case("index_reduce_amax", lambda m, a, b: a.index_reduce(-1, m.tensor([0, 2, 0]), b, "amax"), [(2, 3), (2, 3)]),
    Case("frexp_mantissa", lambda m, a: m.frexp(a).mantissa * 3, [(3, 4)], "away"),
    Case("nextafter", lambda m, a, b: m.nextafter(a, b) * 2, [(3, 4), (4,)]),
    Case("narrow_copy", lambda m, a: m.narrow_copy(a, -1, 1, 2) * 2, [(3, 4)]),
    Case("chain_matmul", lambda m, a, b, c: m.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 1)]),
    Case("conjugate_transposes", lambda m, a, b: a.H @ a + b.mH.sum(0), [(3, 2), (4, 2, 2)]),
]

CASES = CASES + BREADTH_CASES + ASSEMBLED_CASES + MORE_OPS_CASES
