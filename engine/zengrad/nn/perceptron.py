"""Rosenblatt's perceptron (1958): a linear threshold unit trained by its own mistake-driven rule."""

from __future__ import annotations

import numpy as np

from ..creation import tensor, zeros
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _as_array(values) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64)


class Perceptron(Module):
    """ŷ = sign(w·x + b) with labels ±1, trained by Rosenblatt's rule (zengrad addition).

    For each example in turn: if y·(w·x + b) ≤ 0 (a mistake, or on the boundary), then
    w ← w + η·y·x and b ← b + η·y. On linearly separable data the number of mistakes is bounded
    (Novikoff: at most (R/γ)², R the largest ‖x‖, γ the margin), so ``fit`` stops after the
    first epoch without a mistake.

    After ``fit``: ``epochs_`` (epochs run), ``converged_`` (an epoch made no mistake) and
    ``mistakes_`` (mistakes per epoch).
    """

    takes_arrays = True

    def __init__(self, n_features: int, lr: float = 1.0):
        super().__init__()
        if n_features < 1:
            raise ValueError(f"Perceptron: n_features must be positive, got {n_features}")
        self.n_features = n_features
        self.lr = lr
        self.weight = Parameter(zeros(n_features, dtype=np.float64), requires_grad=False)
        self.bias = Parameter(zeros(1, dtype=np.float64), requires_grad=False)
        self.epochs_, self.converged_, self.mistakes_ = 0, False, []

    def _check(self, X: np.ndarray, y: np.ndarray | None = None) -> None:
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"Perceptron: X must have shape (n, {self.n_features}), got {X.shape}")
        if y is not None:
            if y.shape != (X.shape[0],):
                raise ValueError(f"Perceptron: y must have shape ({X.shape[0]},), got {y.shape}")
            if not np.all(np.abs(y) == 1):
                raise ValueError("Perceptron: labels must be +1 or -1")

    def fit(self, X, y, epochs: int = 100) -> "Perceptron":
        """Run Rosenblatt's rule over the examples in order, at most ``epochs`` times."""
        X, y = _as_array(X), _as_array(y)
        self._check(X, y)
        w, b = self.weight._data, self.bias._data
        self.mistakes_ = []
        for epoch in range(1, epochs + 1):
            mistakes = 0
            for x_i, y_i in zip(X, y):
                if y_i * (x_i @ w + b[0]) <= 0:
                    w += self.lr * y_i * x_i
                    b += self.lr * y_i
                    mistakes += 1
            self.mistakes_.append(mistakes)
            self.epochs_ = epoch
            if mistakes == 0:
                break
        self.converged_ = self.mistakes_[-1] == 0 if self.mistakes_ else False
        return self

    def decision_function(self, X) -> Tensor:
        """w·x + b for each row of X."""
        X = _as_array(X)
        self._check(X)
        return tensor(X @ self.weight._data + self.bias._data[0])

    def predict(self, X) -> Tensor:
        """Labels ±1 (a point exactly on the boundary counts as +1)."""
        scores = self.decision_function(X).numpy()
        return tensor(np.where(scores >= 0, 1, -1).astype(np.int64))

    def forward(self, X) -> Tensor:
        return self.predict(X)

    def extra_repr(self) -> str:
        return f"n_features={self.n_features}, lr={self.lr}"
