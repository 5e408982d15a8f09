"""Neural-network building blocks (``zengrad.nn``, as ``torch.nn``)."""

from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .dropout import Dropout
from .embedding import Embedding
from .linear import Flatten, Identity, Linear, Unflatten
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d
from .parameter import Parameter
from .perceptron import Perceptron
from .recurrent import LSTM, RNN, LSTMCell, RNNCell

__all__ = ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d",
           "CrossEntropyLoss", "Dropout", "Embedding",
           "Flatten", "Identity", "IncompatibleKeys", "LSTM", "LSTMCell", "LeakyReLU", "Linear",
           "LogSoftmax", "MSELoss", "Module", "ModuleList", "NLLLoss", "Parameter", "Perceptron", "RNN", "RNNCell",
           "ReLU", "Sequential", "Sigmoid", "Softmax", "StateDictError", "Tanh", "Unflatten",
           "functional", "init", "utils"]
