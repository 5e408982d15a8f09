"""Reference solution of exercise 5."""

import numpy as np


def softmax_cross_entropy(logits, targets):
    batch = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(batch)
    loss = -log_p[rows, targets].mean()
    grad = np.exp(log_p)
    grad[rows, targets] -= 1.0
    return loss, grad / batch
