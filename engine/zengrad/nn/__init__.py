"""Neural-network building blocks (``zengrad.nn``, as ``torch.nn``)."""

from . import functional, init, utils
from .attention import MultiheadAttention
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid,
                         LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softplus, Softsign, Tanh)
from .container import ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .conv1d import Conv1d
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU, GRUCell
from .linear import Flatten, Identity, Linear, Unflatten
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d
from .norms import GroupNorm, LayerNorm
from .parameter import Parameter
from .perceptron import Perceptron
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, Upsample
from .positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from .recurrent import LSTM, RNN, LSTMCell, RNNCell
from .transformer import TransformerEncoder, TransformerEncoderLayer

__all__ = ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d",
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
