"""A convolution as one matrix product: im2col.

A convolution layer (a cross-correlation, as in every framework) computes

    y[n, o, p, q] = b[o] + Σ_c Σ_i Σ_j w[o, c, i, j] · x[n, c, p·s + i, q·s + j]

over a zero-padded x. Copy every kh×kw patch of x into a column — im2col, or ``unfold`` — and
the sum over (c, i, j) becomes a matrix product: W reshaped to (O, C·kh·kw) times the columns
(C·kh·kw, L), one column per output position. That is how zengrad's ``conv2d`` runs (and its
gradients come from the matmul's and unfold's, whose adjoint is ``fold``). Write ``im2col`` and
``conv2d``; the checker compares them with the engine on odd sizes, strides and paddings.
"""

import numpy as np

from .grading import compare

TITLE = "Convolution via im2col"
MINUTES = 35
SKELETON = "e09_conv_im2col.py"
HINTS = [
    "Loop over the kh·kw kernel offsets (i, j), not over output pixels: each offset is one strided slice "
    "padded[:, :, i : i + stride·out_h : stride, j : j + stride·out_w : stride].",
    "Fill an array of shape (N, C, kh, kw, out_h, out_w) and reshape it to (N, C·kh·kw, out_h·out_w).",
    "(O, C·kh·kw) @ (N, C·kh·kw, L) broadcasts over N; add b[:, None] before reshaping.",
]


def check(attempt, rng: np.random.Generator) -> None:
    import zengrad as zg
    from zengrad.nn import functional as F

    cases = [(1, 1, 1, 1, 1, 1, 1, 0), (2, 3, 7, 5, 4, 3, 2, 1), (1, 2, 5, 5, 3, 1, 3, 0),
             (3, 1, 11, 13, 2, 5, 2, 2), (1, 4, 6, 4, 5, 2, 1, 1)]
    for n, c, h, w, out_channels, k, stride, padding in cases:
        kh, kw = k, max(1, k - 1)
        x = rng.standard_normal((n, c, h, w))
        weight, bias = rng.standard_normal((out_channels, c, kh, kw)), rng.standard_normal(out_channels)
        what = f"x {x.shape}, kernel {kh}×{kw}, stride {stride}, padding {padding}"
        expected_cols = F.unfold(zg.tensor(x), (kh, kw), padding=padding, stride=stride)._data
        compare(f"im2col of {what}", attempt.im2col(x, kh, kw, stride, padding), expected_cols, rtol=1e-12, atol=0)
        expected = F.conv2d(zg.tensor(x), zg.tensor(weight), zg.tensor(bias), stride=stride, padding=padding)._data
        compare(f"conv2d of {what}", attempt.conv2d(x, weight, bias, stride, padding), expected, rtol=1e-9, atol=1e-10)
