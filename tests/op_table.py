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
