"""Exercise 9: a 2-D convolution as one matrix product, via im2col (fill in the TODOs).

Check it with:  zengrad exercise check 9 --file e09_conv_im2col.py
"""

import numpy as np


def im2col(x, kh, kw, stride=1, padding=0):
    """Every kh×kw patch of x (N, C, H, W) as a column: returns (N, C·kh·kw, L), L = out_h·out_w.

    Rows are ordered channel, then kernel row, then kernel column (PyTorch's ``unfold``); columns
    run over output positions row by row. out_h = (H + 2·padding − kh) // stride + 1, same for w.
    """
    raise NotImplementedError("im2col: pad, then copy x[:, :, i::stride, j::stride] slices for each (i, j)")


def conv2d(x, w, b, stride=1, padding=0):
    """Cross-correlation of x (N, C, H, W) with w (O, C, kh, kw) plus b (O,): (N, O, out_h, out_w)."""
    raise NotImplementedError("conv2d: w.reshape(O, -1) @ im2col(x), plus b, reshaped to (N, O, out_h, out_w)")
