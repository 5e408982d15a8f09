"""Functional forms of activations (``zengrad.nn.functional``, as ``torch.nn.functional``)."""

from ..ops import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh

__all__ = ["leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]
