"""The self-attention kernels (``kernels.self_attention_forward`` / ``self_attention_backward``):
the NumPy reference against PyTorch in float64 (with and without the causal mask and an additive
mask), the native float32 kernel (kernels/cpu/attention.cpp) against the float64 reference on
awkward shapes (one position, prime lengths, head widths with and without a compiled-in case),
and the errors. The fused node through them is checked against PyTorch in tests/test_nn_layers.py
and tests/test_char_transformer.py.
"""

import numpy as np
import pytest
import torch

from zengrad import kernels
from zengrad.ops.attention import _is_causal
from zengrad.ops.fused import native_impl

needs_native = pytest.mark.skipif(native_impl("self_attention_forward", "cpu", np.float32) is None,
                                  reason="no native self-attention kernel built")

# (N, L, heads, d): d = 16, 32 and 64 are compiled-in widths, the others run the general loop
SHAPES = [(1, 1, 1, 1), (2, 5, 3, 7), (3, 13, 2, 16), (2, 64, 4, 16), (1, 17, 1, 64), (2, 9, 2, 8),
          (1, 33, 2, 32), (1, 70, 1, 16), (2, 0, 2, 4), (0, 3, 1, 16)]


def torch_attention(qkv, heads, scale, causal, mask, g):
    """out, weights and ∂qkv from PyTorch's autograd, in float64."""
    t = torch.tensor(qkv, dtype=torch.float64, requires_grad=True)
    n, length, width = qkv.shape
    e = width // 3
    q, k, v = (part.reshape(n, length, heads, e // heads).transpose(1, 2) for part in t.split(e, -1))
    scores = (q * scale) @ k.transpose(-1, -2)
    if causal:
        scores = scores + torch.full((length, length), -torch.inf, dtype=torch.float64).triu(1)
    if mask is not None:
        scores = scores + torch.tensor(mask, dtype=torch.float64)
    weights = scores.softmax(-1)
    out = (weights @ v).transpose(1, 2).reshape(n, length, e)
    out.backward(torch.tensor(g, dtype=torch.float64))
    return out.detach().numpy(), weights.detach().numpy(), t.grad.numpy()


def problem(shape, seed=0):
    n, length, heads, d = shape
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, length, 3 * heads * d)) * 2, rng.standard_normal((n, length, heads * d)),
            1.0 / np.sqrt(d))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_reference_matches_torch(causal, with_mask):
    qkv, g, scale = problem((2, 6, 3, 5), seed=3)
    mask = np.random.default_rng(4).standard_normal((2, 1, 6, 6)) if with_mask else None
    out, weights = kernels.self_attention_forward(qkv, 3, scale, causal, mask, impl="numpy")
    grad = kernels.self_attention_backward(qkv, weights, g, 3, scale, causal, impl="numpy")
    for ours, theirs in zip((out, weights, grad), torch_attention(qkv, 3, scale, causal, mask, g)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@needs_native
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_native_matches_float64_reference(shape, causal):
    qkv, g, scale = problem(shape, seed=sum(shape))
    n, length, heads, d = shape
    want = kernels.self_attention_forward(qkv, heads, scale, causal, impl="numpy")
    out, weights = kernels.self_attention_forward(qkv.astype(np.float32), heads, scale, causal, impl="cpu:native")
    assert out.dtype == weights.dtype == np.float32
    np.testing.assert_allclose(out, want[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(weights, want[1], rtol=1e-5, atol=1e-6)
    if causal:  # the masked weights are exactly 0
        assert not weights[..., ~np.tri(length, dtype=bool)].any()
    want_grad = kernels.self_attention_backward(qkv, want[1], g, heads, scale, causal, impl="numpy")
    grad = kernels.self_attention_backward(qkv.astype(np.float32), weights, g.astype(np.float32), heads, scale,
                                           causal, impl="cpu:native")
    assert grad.dtype == np.float32 and grad.shape == qkv.shape
    np.testing.assert_allclose(grad, want_grad, rtol=1e-4, atol=1e-5)


@needs_native
def test_native_causal_rows_ignore_infinite_future_keys():
    """A key of +∞ at the last position is masked for every earlier query: their outputs stay
    finite and equal the reference's (which overwrites the masked scores with −∞)."""
    qkv, g, scale = problem((2, 20, 2, 16), seed=7)
    qkv = qkv.astype(np.float32)
    qkv[:, -1, 32:64] = np.inf  # the last position's K
    out, weights = kernels.self_attention_forward(qkv, 2, scale, True, impl="cpu:native")
    with np.errstate(invalid="ignore"):
        want = kernels.self_attention_forward(qkv.astype(np.float64), 2, scale, True, impl="numpy")[0]
    assert np.isfinite(out[:, :-1]).all()
    np.testing.assert_allclose(out[:, :-1], want[:, :-1], rtol=1e-5, atol=1e-5)


@needs_native
def test_native_reads_strided_inputs_and_sends_masks_to_the_reference():
    qkv, g, scale = problem((2, 7, 2, 16), seed=5)
    wide = np.zeros((2, 7, 2 * qkv.shape[2]), dtype=np.float32)
    wide[..., ::2] = qkv
    mask = np.random.default_rng(6).standard_normal((7, 7)).astype(np.float32)
    out, _ = kernels.self_attention_forward(wide[..., ::2], 2, scale, False, mask)  # default choice, mask given
    want = kernels.self_attention_forward(qkv.astype(np.float32), 2, scale, False, mask, impl="numpy")[0]
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_causal_mask_recognised_exactly():
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    assert _is_causal(causal, 4) and _is_causal(causal.astype(np.float32), 4)
    assert not _is_causal(causal, 5) and not _is_causal(causal[None], 4)
    for changed in ((0, 0, -1.0), (2, 3, -1e9), (3, 1, -np.inf)):
        other = causal.copy()
        other[changed[:2]] = changed[2]
        assert not _is_causal(other, 4)


@pytest.mark.parametrize("impl", ["numpy", "cpu:native"])
def test_errors_name_the_shapes(impl):
    if impl != "numpy" and native_impl("self_attention_forward", "cpu", np.float32) is None:
        pytest.skip("no native self-attention kernel built")
    qkv = np.zeros((2, 3, 12), dtype=np.float32)
    with pytest.raises(ValueError, match=r"qkv must be \(N, L, 3E\)"):
        kernels.self_attention_forward(qkv, 3, 1.0, impl=impl)
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 2, 3, 3\)"):
        kernels.self_attention_backward(qkv, np.zeros((2, 2, 3, 4), np.float32), np.zeros((2, 3, 4), np.float32),
                                        2, 1.0, impl=impl)
    with pytest.raises(TypeError, match="one floating dtype"):
        kernels.self_attention_backward(qkv, np.zeros((2, 2, 3, 3)), np.zeros((2, 3, 4), np.float32), 2, 1.0,
                                        impl=impl)
