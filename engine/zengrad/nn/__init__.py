"""Neural-network building blocks (``zengrad.nn``, as ``torch.nn``)."""

from . import functional, init, utils
from .attention import MultiheadAttention
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus,
                         Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from .activation import ChannelShuffle, RReLU, Softmax2d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from .conv1d import Conv1d, ConvTranspose1d
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .embedding import Embedding, EmbeddingBag
from .gru import GRU, GRUCell
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d, LazyConv3d,
                   LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d, LazyInstanceNorm1d, LazyInstanceNorm2d,
                   LazyInstanceNorm3d, LazyLinear, LazyModuleMixin, UninitializedBuffer, UninitializedParameter)
from .losses import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CosineSimilarity, CrossEntropyLoss,
                     GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss,
                     MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PairwiseDistance,
                     PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss)
from .losses import CTCLoss, TripletMarginWithDistanceLoss
from .padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
                      ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .padding import CircularPad3d, ConstantPad3d, ReflectionPad3d, ReplicationPad3d, ZeroPad3d
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .norms import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm
from .parameter import Buffer, Parameter
from .perceptron import Perceptron
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, Fold, MaxPool1d, MaxPool2d,
                      PixelShuffle, PixelUnshuffle, Unfold, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d)
from .pooling import LPPool1d, LPPool2d, MaxUnpool1d, MaxUnpool2d
from .pooling import (AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, LPPool3d, MaxPool3d, MaxUnpool3d)
from .positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from .recurrent import LSTM, RNN, LSTMCell, RNNCell
from .recurrent import _CellBase as RNNCellBase, _RecurrentBase as RNNBase  # PyTorch's names for the bases
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)

__all__ = ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "Bilinear", "BatchNorm2d", "Conv2d", "ConvTranspose2d",
           "CrossEntropyLoss", "Dropout", "Embedding",
           "Flatten", "Identity", "IncompatibleKeys", "LSTM", "LSTMCell", "LeakyReLU", "Linear",
           "LogSoftmax", "MSELoss", "Module", "ModuleList", "NLLLoss", "Parameter", "Perceptron", "RNN", "RNNCell",
           "ReLU", "Sequential", "Sigmoid", "Softmax", "StateDictError", "Tanh", "Unflatten",
           "functional", "init", "utils",
           "CELU", "ELU", "GELU", "GLU", "SELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish",
           "PReLU", "ReLU6", "SiLU", "Softplus", "Softsign"]
__all__ += ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "Conv1d", "GRU", "GRUCell",
            "GroupNorm", "LayerNorm", "LearnedPositionalEmbedding", "MaxPool1d", "MaxPool2d", "MultiheadAttention",
            "SinusoidalPositionalEncoding", "TransformerEncoder", "TransformerEncoderLayer", "Upsample"]
__all__ += ["CircularPad1d", "CircularPad2d", "ConstantPad1d", "ConstantPad2d", "CosineEmbeddingLoss",
            "CosineSimilarity", "Dropout1d", "Dropout2d", "Hardshrink", "HuberLoss", "KLDivLoss", "L1Loss",
            "MarginRankingLoss", "ModuleDict", "PairwiseDistance", "ParameterDict", "ParameterList", "PixelShuffle",
            "PixelUnshuffle", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
            "SmoothL1Loss", "Softmin", "Softshrink", "Tanhshrink", "Threshold", "TripletMarginLoss", "ZeroPad1d",
            "ZeroPad2d"]
__all__ += ["InstanceNorm1d", "InstanceNorm2d", "RMSNorm"]
__all__ += ["GaussianNLLLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
            "MultiMarginLoss", "PoissonNLLLoss", "SoftMarginLoss"]
__all__ += ["Fold", "Unfold", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
__all__ += ["Transformer", "TransformerDecoder", "TransformerDecoderLayer"]
__all__ += ["AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "ChannelShuffle", "LocalResponseNorm", "RReLU", "Softmax2d"]
__all__ += ["EmbeddingBag"]
__all__ += ["AlphaDropout", "ConvTranspose1d", "FeatureAlphaDropout"]
__all__ += ["LPPool1d", "LPPool2d", "MaxUnpool1d", "MaxUnpool2d"]
__all__ += ["AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "AvgPool3d", "Conv3d", "ConvTranspose3d", "LPPool3d",
            "MaxPool3d", "MaxUnpool3d"]
__all__ += ["BatchNorm3d", "CircularPad3d", "ConstantPad3d", "Dropout3d", "InstanceNorm3d", "ReflectionPad3d",
            "ReplicationPad3d", "ZeroPad3d"]
__all__ += ["Buffer", "RNNBase", "RNNCellBase", "TripletMarginWithDistanceLoss"]
__all__ += ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
            "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyInstanceNorm1d",
            "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyLinear", "UninitializedBuffer", "UninitializedParameter"]
__all__ += ["CTCLoss"]
