"""Exercise 4: the gradient of a (batched) matrix product (fill in the TODO).

Check it with:  zengrad exercise check 4 --file e04_matmul_gradient.py
"""

import numpy as np


def matmul_backward(a, b, grad):
    """Given C = a @ b and grad = dL/dC, return (dL/da, dL/db), each of its input's shape.

    a is (..., n, k) and b is (..., k, m); their batch dimensions broadcast as in np.matmul.
    """
    raise NotImplementedError("matmul_backward: dL/da = grad @ bᵀ, dL/db = aᵀ @ grad, then sum broadcast batch axes")
