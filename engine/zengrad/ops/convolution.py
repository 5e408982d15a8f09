"""conv2d and conv_transpose2d (groups = 1) as one graph node each, on channels-last patch rows.

A convolution is a matrix product over patches. With the image channels last, (N, H, W, C), the
patch of output position (n, oy, ox) is the row

    rows[(n, oy, ox), (i, j, c)] = x_padded[n, oy·s + i·d, ox·s + j·d, c]

of a (N·L, kh·kw·C) matrix, L = H_out·W_out: kh·kw strided copies, each along C in memory order.
With Wr[o, (i, j, c)] = W[o, c, i, j] (the weight with its channels last):

    conv2d            y_rows = rows · Wrᵀ + b                    (N·L, O), read as (N, O, H_out, W_out)
                      ∂W_r = G_rowsᵀ · rows,  ∂b = Σ G_rows,  ∂rows = G_rows · Wr → ∂x by adding each
                      row back where its patch lies (col2im)
    conv_transpose2d  blocks = x_rows · Wt (Wt[c, (i, j, o)] = W[c, o, i, j]), added into the full
                      image (col2im) and cropped by the padding; its gradient is the patch rows of
                      the gradient (im2col, no further copy) times Wtᵀ, and ∂Wt = x_rowsᵀ · G_rows.

Each GEMM reads its transposed operands as flags (:func:`zengrad.kernels.matmul`), and results are
returned as (N, C, H, W) views of channels-last arrays, so the next convolution's patch copy and
the reductions of BatchNorm read them at unit stride. Backward without a graph runs on arrays;
with one (double backward) the same gradients are written in Tensor ops over :class:`~.conv.Unfold`
and :class:`~.conv.Fold`, which are differentiable themselves. Measured on the DCGAN step in
benchmarks/results/dcgan_step_2026-12-02.md.
"""

from __future__ import annotations

from .. import backend, kernels
from ..autograd import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .activation import rectify_in_place
from .conv import fold, unfold


def column_sums(xp, rows):
    """Σ over the rows of (M, C): the per-channel sums of a channels-last array (the bias gradients
    here, BatchNorm's statistics), as one matrix-vector product — a BLAS call, several times faster
    than NumPy's reduction over the first axis for these sizes."""
    return xp.ones(rows.shape[0], dtype=rows.dtype) @ rows


def _patch_rows(xp, image, kernel, dilation, stride, out_hw):
    """(N, Hp, Wp, C) already padded → rows (N·L, kh·kw·C) of every patch (im2col, channels last):
    the patches as one strided view (N, H_out, W_out, kh, kw, C) of the image, copied once."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dilation, stride, out_hw
    n, c = image.shape[0], image.shape[3]
    s_n, s_h, s_w, s_c = image.strides
    patches = xp.lib.stride_tricks.as_strided(image, (n, oh, ow, kh, kw, c),
                                              (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c))
    return xp.ascontiguousarray(patches).reshape(n * oh * ow, kh * kw * c)


def _add_patches(xp, image, rows, kernel, dilation, stride, out_hw) -> None:
    """The adjoint of :func:`_patch_rows`: add every row (N·L, kh·kw·C) into ``image`` (N, Hp, Wp, C)
    where its patch lies (col2im, overlaps summed)."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dilation, stride, out_hw
    if dilation == (1, 1) and kh % sh == 0 and kw % sw == 0 and image.shape[3] >= 16:
        _add_patches_on_lattice(xp, image, rows, kernel, stride, out_hw)
        return
    blocks = rows.reshape(image.shape[0], oh, ow, kh, kw, image.shape[3])
    for i in range(kh):
        for j in range(kw):
            image[:, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw] += blocks[:, :, :, i, j]


def _add_patches_on_lattice(xp, image, rows, kernel, stride, out_hw) -> None:
    """:func:`_add_patches` for a kernel that is a whole number of strides (k = a·s, no dilation):
    kernel offset i = s·α + r lands on image row s·(oy + α) + r, so with the rows split as
    (Y, r) = (row // s, row % s) each of the (kh/s)·(kw/s) shifts (α, β) is one addition of
    (N, H_out, s, W_out, s, C) blocks, whose innermost s·C values are contiguous on both sides:
    a quarter of the additions for a stride of 2, each over runs twice as long (faster with many
    channels; with few, runs of s·C values are too short to pay)."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    n, c = image.shape[0], image.shape[3]
    ah, aw = kh // sh, kw // sw
    s_n, s_h, s_w, s_c = image.strides
    lattice = xp.lib.stride_tricks.as_strided(image, (n, oh + ah - 1, sh, ow + aw - 1, sw, c),
                                              (s_n, s_h * sh, s_h, s_w * sw, s_w, s_c))
    blocks = rows.reshape(n, oh, ow, ah, sh, aw, sw, c)
    for a in range(ah):
        for b in range(aw):
            lattice[:, a:a + oh, :, b:b + ow] += blocks[:, :, :, a, :, b].transpose(0, 1, 3, 2, 4, 5)


def _channels_last(x):
    """(N, C, H, W) → the (N, H, W, C) view (a reshape of it to rows copies only if this module did
    not make x)."""
    return x.transpose(0, 2, 3, 1)


def _padded(xp, x, padding, size=None):
    """(N, C, H, W) → (N, Hp, Wp, C) channels last with ``padding`` zeros before each spatial axis
    and zeros after up to ``size`` (default: as many as before)."""
    n, c, h, w = x.shape
    (ph, pw) = padding
    size = size or (h + 2 * ph, w + 2 * pw)
    if size == (h, w):
        return _channels_last(x)
    image = xp.zeros((n,) + size + (c,), dtype=x.dtype)
    image[:, ph:ph + h, pw:pw + w] = x.transpose(0, 2, 3, 1)
    return image


def _as_nchw(rows, n: int, hw: tuple):
    """Rows (N·H·W, C) as the (N, C, H, W) view."""
    return rows.reshape((n,) + hw + (rows.shape[1],)).transpose(0, 3, 1, 2)


class Conv2d(Function):
    """y = conv2d(x, W, b) for groups = 1 as one node (the module docstring has the math).

    ``negative_slope`` fuses a ReLU (0) or LeakyReLU after it into the node (None: none), as
    BatchNorm's does: backward first multiplies g by the activation's derivative.
    """

    node_name = "ConvolutionBackward0"

    same_float_dtype = True  # PyTorch's refuses mixed dtypes too

    saved_inputs = (0, 1)  # b's value is never read

    def __init__(self, stride, padding, dilation, out_hw, negative_slope=None):
        self.stride, self.padding, self.dilation, self.out_hw = stride, padding, dilation, out_hw
        self.negative_slope = negative_slope

    def forward(self, x, weight, bias=None):
        xp = backend.array_module(backend.device_of(x))
        o, c, kh, kw = weight.shape
        self.rows = _patch_rows(xp, _padded(xp, x, self.padding), (kh, kw), self.dilation, self.stride,
                                self.out_hw)
        self.weight_rows = weight.transpose(0, 2, 3, 1).reshape(o, kh * kw * c)
        out = kernels.matmul(self.rows, self.weight_rows.T)
        if bias is not None:
            out += bias
        if self.negative_slope is not None:
            self.passes = rectify_in_place(xp, out, self.negative_slope)
        return _as_nchw(out, x.shape[0], self.out_hw)

    def backward(self, g):
        if self.negative_slope is not None:
            self.output()  # raises if the result was changed in place since
        if is_grad_enabled():
            if self.negative_slope is not None:
                g = g * Tensor(_as_nchw(self.passes, g.shape[0], self.out_hw).astype(g.dtype))
            return self._graph_backward(g)
        x, weight = self.inputs[0], self.inputs[1]
        xp = g.xp
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        g_rows = _channels_last(g._data).reshape(-1, o)
        if self.negative_slope is not None:
            g_rows = g_rows * self.passes
        grads = [None, None]
        if self.needs_grad(0):
            (ph, pw) = self.padding
            image = backend.zeros_for_accumulation(xp, (n, h + 2 * ph, w + 2 * pw, c), g.dtype)
            _add_patches(xp, image, kernels.matmul(g_rows, self.weight_rows), (kh, kw), self.dilation, self.stride,
                         self.out_hw)
            grads[0] = Tensor(image[:, ph:ph + h, pw:pw + w].transpose(0, 3, 1, 2))
        if self.needs_grad(1):
            grad_rows = kernels.matmul(g_rows.T, self.rows)
            grads[1] = Tensor(xp.ascontiguousarray(grad_rows.reshape(o, kh, kw, c).transpose(0, 3, 1, 2)))
        if len(self.inputs) == 3:
            grads.append(Tensor(column_sums(xp, g_rows)) if self.needs_grad(2) else None)
        return tuple(grads)

    def _graph_backward(self, g):
        """The same gradients in Tensor ops, so that they can be differentiated again."""
        x, weight = self.inputs[0], self.inputs[1]
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        geometry = dict(kernel_size=(kh, kw), dilation=self.dilation, padding=self.padding, stride=self.stride)
        g_rows = g.permute(0, 2, 3, 1).reshape(-1, o)
        weight_rows = weight.reshape(o, c * kh * kw)
        grads = [None, None]
        if self.needs_grad(0):
            cols = (g_rows @ weight_rows).reshape(n, -1, c * kh * kw).mT
            grads[0] = fold(cols, (h, w), **geometry)
        if self.needs_grad(1):
            rows = unfold(x, **geometry).mT.reshape(-1, c * kh * kw)
            grads[1] = (g_rows.mT @ rows).reshape(weight.shape)
        if len(self.inputs) == 3:
            grads.append(g_rows.sum(dim=0) if self.needs_grad(2) else None)
        return tuple(grads)


class ConvTranspose2d(Function):
    """y = conv_transpose2d(x, W, b) for groups = 1 as one node (the module docstring has the math).

    ``canvas`` is the (rows, columns) of the image the blocks are added into: the full image
    F = (H − 1)·s + d·(k − 1) + 1, or more when output_padding reaches past it (zeros there); the
    output is its window from ``padding`` of size ``out_hw``.
    """

    same_float_dtype = True  # PyTorch's refuses mixed dtypes too

    saved_inputs = (0, 1)

    def __init__(self, stride, padding, dilation, canvas, out_hw):
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.canvas, self.out_hw = canvas, out_hw

    def forward(self, x, weight, bias=None):
        xp = backend.array_module(backend.device_of(x))
        n, c, h, w = x.shape
        _, o, kh, kw = weight.shape
        self.x_rows = _channels_last(x).reshape(-1, c)
        self.weight_rows = weight.transpose(0, 2, 3, 1).reshape(c, kh * kw * o)
        image = backend.zeros_for_accumulation(xp, (n,) + self.canvas + (o,), x.dtype)
        _add_patches(xp, image, kernels.matmul(self.x_rows, self.weight_rows), (kh, kw), self.dilation, self.stride,
                     (h, w))
        (ph, pw), (oh, ow) = self.padding, self.out_hw
        window = image[:, ph:ph + oh, pw:pw + ow]
        out = window + bias if bias is not None else xp.ascontiguousarray(window)
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        if is_grad_enabled():
            return self._graph_backward(g)
        x, weight = self.inputs[0], self.inputs[1]
        xp = g.xp
        n, c, h, w = x.shape
        _, o, kh, kw = weight.shape
        image = _padded(xp, g._data, self.padding, self.canvas)
        g_rows = _patch_rows(xp, image, (kh, kw), self.dilation, self.stride, (h, w))
        grads = [None, None]
        if self.needs_grad(0):
            grads[0] = Tensor(_as_nchw(kernels.matmul(g_rows, self.weight_rows.T), n, (h, w)))
        if self.needs_grad(1):
            grad_rows = kernels.matmul(self.x_rows.T, g_rows)
            grads[1] = Tensor(xp.ascontiguousarray(grad_rows.reshape(c, kh, kw, o).transpose(0, 3, 1, 2)))
        if len(self.inputs) == 3:
            grads.append(Tensor(column_sums(xp, _channels_last(g._data).reshape(-1, o))) if self.needs_grad(2) else None)
        return tuple(grads)

    def _graph_backward(self, g):
        """The same gradients in Tensor ops: ∂x is conv2d of g with W (as patch columns of g
        times W), ∂W the input's pixels times those columns."""
        x, weight = self.inputs[0], self.inputs[1]
        n, c, h, w = x.shape
        _, o, kh, kw = weight.shape
        cols = unfold(g, (kh, kw), self.dilation, self.padding, self.stride)
        positions = ((g.shape[2] + 2 * self.padding[0] - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1,
                     (g.shape[3] + 2 * self.padding[1] - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1)
        if positions != (h, w):  # output_padding ≥ stride (possible when dilation > stride): extra positions
            cols = cols.reshape(n, o * kh * kw, *positions)[:, :, :h, :w]
        g_rows = cols.reshape(n, o * kh * kw, h * w).mT.reshape(-1, o * kh * kw)
        weight_rows = weight.reshape(c, o * kh * kw)
        grads = [None, None]
        if self.needs_grad(0):
            grads[0] = (g_rows @ weight_rows.mT).reshape(n, h, w, c).permute(0, 3, 1, 2)
        if self.needs_grad(1):
            grads[1] = (x.permute(0, 2, 3, 1).reshape(-1, c).mT @ g_rows).reshape(weight.shape)
        if len(self.inputs) == 3:
            grads.append(g.sum(dim=(0, 2, 3)) if self.needs_grad(2) else None)
        return tuple(grads)


def conv2d(x: Tensor, weight: Tensor, bias, stride, padding, dilation, out_hw, negative_slope=None) -> Tensor:
    """One :class:`Conv2d` node; the caller (``nn.functional.conv2d``) has checked the shapes."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Conv2d.apply(*inputs, stride=stride, padding=padding, dilation=dilation, out_hw=out_hw,
                        negative_slope=negative_slope)


def conv_transpose2d(x: Tensor, weight: Tensor, bias, stride, padding, dilation, full, out_hw) -> Tensor:
    """One :class:`ConvTranspose2d` node; ``full`` is the uncropped image's size (checked by the caller)."""
    canvas = tuple(max(f, p + size) for f, p, size in zip(full, padding, out_hw))
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return ConvTranspose2d.apply(*inputs, stride=stride, padding=padding, dilation=dilation, canvas=canvas,
                                 out_hw=out_hw)
