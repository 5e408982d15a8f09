"""Exercise 5: softmax with cross-entropy, forward and gradient (fill in the TODO).

Check it with:  zengrad exercise check 5 --file e05_softmax_cross_entropy.py
"""

import numpy as np


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of softmax(logits) against integer class ``targets``, and its gradient.

    logits: (B, C) floats; targets: (B,) ints in [0, C). Returns (loss, dL/dlogits of shape (B, C)).
    Must stay finite for logits like 1e4.
    """
    raise NotImplementedError("softmax_cross_entropy: log-softmax with the max subtracted; gradient (p - onehot) / B")
