"""Exercise 3: broadcasting forward, and its adjoint, unbroadcast (fill in the TODOs).

Check it with:  zengrad exercise check 3 --file e03_unbroadcast.py
"""

import numpy as np


def broadcast_shape(a, b):
    """The shape NumPy gives a + b for arrays of shapes ``a`` and ``b`` (tuples), or ValueError."""
    raise NotImplementedError("broadcast_shape: align the shapes at the right, 1 stretches, else equal")


def unbroadcast(grad, shape):
    """Sum ``grad`` (the gradient of a broadcast result) back down to ``shape``, the input's shape."""
    raise NotImplementedError("unbroadcast: sum the leading extra axes, then the axes where shape has 1")
