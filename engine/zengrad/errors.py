"""The exception an op raises for arguments it cannot take, as PyTorch users catch it.

PyTorch raises ``RuntimeError`` for shapes that do not broadcast or multiply, a reshape to the
wrong number of elements, a bad ``dim`` list and most other bad arguments; Python code (and
zengrad's own tests) expect ``ValueError`` for the same thing. :class:`OpError` is both, so
``pytest.raises(RuntimeError)`` and ``pytest.raises(ValueError)`` each see it. Its message names
the op and the shapes. An index beyond a dimension raises :class:`IndexOutOfBounds`, Python's
``IndexError`` that is also the ``RuntimeError`` of PyTorch's gather and scatter; a tensor of a
dtype the op does not take (a float mask, a bool to negate) :class:`DtypeError`, a ``TypeError``
that is also PyTorch's ``RuntimeError``.
"""


class OpError(ValueError, RuntimeError):
    """An op's arguments are invalid: a ``ValueError`` that is also PyTorch's ``RuntimeError``."""


class IndexOutOfBounds(IndexError, RuntimeError):
    """An index value outside its dimension (gather, scatter): an ``IndexError`` that is also
    PyTorch's ``RuntimeError``."""


class DtypeError(TypeError, RuntimeError):
    """A tensor of a dtype the op does not take (a float mask, a float index, two bools to
    subtract): a ``TypeError`` that is also PyTorch's ``RuntimeError``."""


class LinAlgError(OpError):
    """A matrix a linear-algebra op cannot handle: singular where an inverse is needed, not
    positive definite for a Cholesky factor. ``torch.linalg.LinAlgError`` is a ``RuntimeError``;
    this one is also the ``ValueError`` of every :class:`OpError`."""
