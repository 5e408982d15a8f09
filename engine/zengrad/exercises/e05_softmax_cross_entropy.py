"""Softmax with cross-entropy: derive the gradient, then compute it stably.

For one row of logits z with target class y, pₖ = e^{zₖ} / Σⱼ e^{zⱼ} and the loss is
ℓ = −log p_y = −z_y + log Σⱼ e^{zⱼ}. Differentiate the two terms:

    ∂(−z_y)/∂zₖ = −[k = y]
    ∂(log Σⱼ e^{zⱼ})/∂zₖ = e^{zₖ} / Σⱼ e^{zⱼ} = pₖ

so ∂ℓ/∂zₖ = pₖ − [k = y]: the predicted probabilities minus the one-hot target. The batch loss is
the mean over B rows, so each row's gradient is divided by B. Computing e^{z} overflows for
z ≈ 1000; since log Σ e^{zⱼ} = m + log Σ e^{zⱼ − m} for any m, subtract the row's maximum first.
Write ``softmax_cross_entropy(logits, targets)`` returning the loss and its gradient.
"""

import numpy as np

from .grading import Wrong, compare

TITLE = "Softmax + cross-entropy gradient"
MINUTES = 25
SKELETON = "e05_softmax_cross_entropy.py"
HINTS = [
    "Work in log space: log_p = z - max - log(sum(exp(z - max))); the loss is -mean(log_p[rows, targets]).",
    "The gradient is softmax(z) with 1 subtracted at each row's target, all divided by the batch size.",
    "np.arange(B) and targets index one entry per row: p[np.arange(B), targets].",
]


def _engine_reference(logits, targets):
    import zengrad as zg
    from zengrad.nn import functional as F

    z = zg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(z, zg.tensor(targets))
    loss.backward()
    return float(loss.item()), z.grad._data


def check(attempt, rng: np.random.Generator) -> None:
    batch, classes = (int(s) for s in rng.choice([2, 3, 7, 11], 2))
    cases = {
        f"random logits ({batch}, {classes})": rng.standard_normal((batch, classes)) * 3,
        "one row, one class": np.array([[0.7]]),
        f"huge logits (±1e4), ({batch}, {classes})": rng.choice([-1e4, 1e4, 0.0], (batch, classes)),
        f"all logits equal, ({batch}, {classes})": np.full((batch, classes), 5.0),
    }
    for what, logits in cases.items():
        targets = rng.integers(0, logits.shape[1], logits.shape[0])
        result = attempt.softmax_cross_entropy(logits.copy(), targets)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"{what}: return (loss, grad), got {type(result).__name__}")
        loss, grad = result
        expected_loss, expected_grad = _engine_reference(logits, targets)
        if not np.isfinite(loss):
            raise Wrong(f"{what}: loss is {loss}; subtract each row's max before exp")
        compare(f"{what}: loss", np.float64(loss), expected_loss, rtol=1e-9, atol=1e-10)
        compare(f"{what}: dL/dlogits", grad, expected_grad, rtol=1e-7, atol=1e-10)
