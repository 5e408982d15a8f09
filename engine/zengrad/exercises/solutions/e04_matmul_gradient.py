"""Reference solution of exercise 4."""

import numpy as np

from zengrad.exercises.solutions.e03_unbroadcast import unbroadcast


def matmul_backward(a, b, grad):
    grad_a = grad @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ grad
    return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
