"""Functional forms (``zengrad.nn.functional``, as ``torch.nn.functional``).

One namespace, many modules, each with one job: :mod:`.activations` (PyTorch's signatures for the
activations: ``inplace=``, the in-place twins, softmax's ``dtype=``), :mod:`.linear` and
:mod:`.embedding` (affine maps and table lookups), :mod:`.convolution`, :mod:`.pooling` and
:mod:`.resampling` (windows and interpolation), :mod:`.normalization`, :mod:`.losses`,
:mod:`.distance`, :mod:`.rearrange` (pixel and channel shuffles), :mod:`.stochastic` (dropout and the
other ops that draw random numbers), :mod:`.grid_sampling` (images read at arbitrary points) and
:mod:`.attention`. The math of the activations, ``pad``,
``one_hot``, ``fold``/``unfold``, ``einsum`` and the per-channel normalisations lives in
:mod:`zengrad.ops`; this namespace names them as PyTorch does.
"""

from ...ops.activation import (gelu, glu, hardshrink, logsigmoid, one_hot, prelu, softplus, softshrink, softsign,
                               tanhshrink)
from ...ops.batch_norm import batch_norm, instance_norm
from ...ops.conv import fold, unfold
from ...ops.einsum import einsum
from ...ops.layout import pad
from ...ops.normalization import rms_norm
from .activations import (celu, celu_, elu, elu_, hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu,
                          leaky_relu_, log_softmax, mish, relu, relu6, relu_, selu, selu_, sigmoid, silu, softmax,
                          softmin, tanh, threshold, threshold_)
from .linear import bilinear, linear
from .embedding import embedding, embedding_bag
from .convolution import conv1d, conv2d, conv2d_activated, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss, cross_entropy,
                     gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div, l1_loss, margin_ranking_loss,
                     mse_loss, multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss,
                     poisson_nll_loss, smooth_l1_loss, soft_margin_loss, triplet_margin_loss)
from .losses import triplet_margin_with_distance_loss
from .ctc import ctc_loss
from .normalization import group_norm, layer_norm, local_response_norm
from .pooling import (adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d, avg_pool2d, lp_pool1d, lp_pool2d,
                      max_pool1d, max_pool2d, max_unpool1d, max_unpool2d)
from .pooling import (adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices, adaptive_max_pool3d,
                      adaptive_max_pool3d_with_indices, avg_pool3d, lp_pool3d, max_pool1d_with_indices,
                      max_pool2d_with_indices, max_pool3d, max_pool3d_with_indices, max_unpool3d)
from .resampling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, interpolate
from .resampling import upsample, upsample_bilinear, upsample_nearest
from .distance import cosine_similarity, normalize, pairwise_distance, pdist
from .rearrange import channel_shuffle, pixel_shuffle, pixel_unshuffle
from .stochastic import dropout3d
from .stochastic import (alpha_dropout, dropout, dropout1d, dropout2d, feature_alpha_dropout, gumbel_softmax,
                         rrelu, rrelu_)
from .grid_sampling import affine_grid, grid_sample
from .attention import attention_weights, scaled_dot_product_attention, sinusoidal_positions

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "affine_grid", "alpha_dropout", "attention_weights", "avg_pool1d", "avg_pool2d", "batch_norm",
           "bilinear", "binary_cross_entropy", "binary_cross_entropy_with_logits", "celu", "celu_",
           "channel_shuffle", "conv1d", "conv2d", "conv2d_activated", "conv_transpose1d", "conv_transpose2d",
           "cosine_embedding_loss", "cosine_similarity", "cross_entropy", "dropout", "dropout1d", "dropout2d",
           "einsum", "elu", "elu_", "embedding", "embedding_bag", "feature_alpha_dropout", "fold",
           "gaussian_nll_loss", "gelu", "glu", "grid_sample", "group_norm", "gumbel_softmax", "hardshrink",
           "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "hinge_embedding_loss", "huber_loss",
           "instance_norm", "interpolate", "kl_div", "l1_loss", "layer_norm", "leaky_relu", "leaky_relu_",
           "linear", "local_response_norm", "log_softmax", "logsigmoid", "lp_pool1d", "lp_pool2d",
           "margin_ranking_loss", "max_pool1d", "max_pool2d", "max_unpool1d", "max_unpool2d", "mish",
           "mse_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss",
           "nll_loss", "normalize", "one_hot", "pad", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle",
           "poisson_nll_loss", "prelu", "relu", "relu6", "relu_", "rms_norm", "rrelu", "rrelu_",
           "scaled_dot_product_attention", "selu", "selu_", "sigmoid", "silu", "sinusoidal_positions",
           "smooth_l1_loss", "soft_margin_loss", "softmax", "softmin", "softplus", "softshrink", "softsign",
           "tanh", "tanhshrink", "threshold", "threshold_", "triplet_margin_loss", "unfold"]
__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
            "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "avg_pool3d", "conv3d", "conv_transpose3d",
            "lp_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d", "max_pool3d_with_indices",
            "max_unpool3d"]
__all__ += ["dropout3d"]
__all__ += ["pdist", "triplet_margin_with_distance_loss", "upsample", "upsample_bilinear", "upsample_nearest"]
__all__ += ["ctc_loss"]
