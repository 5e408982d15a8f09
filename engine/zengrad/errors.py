"""The exception an op raises for arguments it cannot take, as PyTorch users catch it.

PyTorch raises ``RuntimeError`` for shapes that do not broadcast or multiply, a reshape to the
wrong number of elements, a bad ``dim`` list and most other bad arguments; Python code (and
zengrad's own tests) expect ``ValueError`` for the same thing. :class:`OpError` is both, so
``pytest.raises(RuntimeError)`` and ``pytest.raises(ValueError)`` each see it. Its message names
the op and the shapes.
"""


class OpError(ValueError, RuntimeError):
    """An op's arguments are invalid: a ``ValueError`` that is also PyTorch's ``RuntimeError``."""
