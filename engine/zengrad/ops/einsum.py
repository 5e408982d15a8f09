"""Einstein summation (``torch.einsum``), built from the engine's own ops — diagonals by indexing,
sums, permutes and one batched matrix product per pair of operands — so its gradient (and the
gradient of that) needs nothing new."""

from __future__ import annotations

import builtins
import collections

import numpy as np

from ..errors import OpError
from ..tensor import Tensor


def _einsum_terms(equation: str, operands) -> tuple[list[list[str]], list[str]]:
    """Each operand's subscripts as a list of labels (an ellipsis expanded into one label per
    dimension it covers, right-aligned across operands so they broadcast), and the output's."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise OpError(f"einsum(): {len(terms)} subscript terms in {equation!r} for {len(operands)} operands")
    widest = 0
    for term, op in zip(terms, operands):
        named = len(term.replace("...", ""))
        if ("..." in term and named > op.ndim) or ("..." not in term and named != op.ndim):
            raise OpError(f"einsum(): the subscripts {term!r} do not match an operand of shape {op.shape}")
        widest = builtins.max(widest, op.ndim - named if "..." in term else 0)
    ellipsis_labels = [chr(0x100 + i) for i in range(widest)]

    def expand(term: str, ndim: int) -> list[str]:
        for label in term.replace("...", ""):
            if not label.isalpha():
                raise OpError(f"einsum(): invalid subscript {label!r} in {equation!r}")
        if "..." not in term:
            return list(term)
        head, tail = term.split("...")
        covered = ndim - len(head) - len(tail)
        return list(head) + ellipsis_labels[widest - covered:] + list(tail)

    labels = [expand(term, op.ndim) for term, op in zip(terms, operands)]
    if arrow:
        output = expand(rhs, len(rhs.replace("...", "")) + widest) if "..." in rhs else list(rhs)
    else:
        counts = collections.Counter(label for term in labels for label in term if label not in ellipsis_labels)
        output = ellipsis_labels + sorted(label for label, n in counts.items() if n == 1)
    known = {label for term in labels for label in term}
    if len(set(output)) != len(output) or not set(output) <= known:
        raise OpError(f"einsum(): output subscripts of {equation!r} must be distinct and appear in the inputs")
    return labels, output


def _diagonal(x: Tensor, labels: list[str]) -> tuple[Tensor, list[str]]:
    """Repeated labels within one operand ('ii') pick the diagonal: x[..., i, ..., i, ...] → one axis."""
    while len(set(labels)) != len(labels):
        label = next(lab for lab in labels if labels.count(lab) > 1)
        first, second = [i for i, lab in enumerate(labels) if lab == label][:2]
        if x.shape[first] != x.shape[second]:
            raise OpError(f"einsum(): subscript {label} has sizes {x.shape[first]} and {x.shape[second]}")
        rest = [i for i in range(x.ndim) if i not in (first, second)]
        x = x.permute(first, second, *rest)
        diagonal = x.xp.arange(x.shape[0])
        x = x[diagonal, diagonal]
        labels = [label] + [labels[i] for i in rest]
    return x, labels


def _sum_out(x: Tensor, labels: list[str], needed: set) -> tuple[Tensor, list[str]]:
    """Sum over the labels no later operand and not the output needs."""
    drop = tuple(i for i, label in enumerate(labels) if label not in needed)
    if not drop:
        return x, labels
    return x.sum(dim=drop), [label for label in labels if label in needed]


def _contract(a: Tensor, la: list[str], b: Tensor, lb: list[str], needed: set):
    """a·b summed over their shared labels that are not needed later, as one batched matmul:
    (batch, a-only, shared) @ (batch, shared, b-only), batch being the shared labels kept."""
    batch = [lab for lab in la if lab in lb and lab in needed]
    shared = [lab for lab in la if lab in lb and lab not in needed]
    a_only = [lab for lab in la if lab not in lb]
    b_only = [lab for lab in lb if lab not in la]
    size = {}
    for x, labels in ((a, la), (b, lb)):
        for lab, n in zip(labels, x.shape):
            if lab in shared and size.setdefault(lab, n) != n:
                raise OpError(f"einsum(): subscript {lab} has sizes {size[lab]} and {n}")
    a = a.permute(*[la.index(lab) for lab in batch + a_only + shared])
    b = b.permute(*[lb.index(lab) for lab in batch + shared + b_only])
    nb = len(batch)
    a_sizes, b_sizes = a.shape[nb:nb + len(a_only)], b.shape[nb + len(shared):]
    inner = int(np.prod([size[lab] for lab in shared])) if shared else 1
    product = a.reshape(*a.shape[:nb], int(np.prod(a_sizes)), inner) @ b.reshape(
        *b.shape[:nb], inner, int(np.prod(b_sizes)))
    return product.reshape(*product.shape[:nb], *a_sizes, *b_sizes), batch + a_only + b_only


def _sublist_equation(arguments: tuple) -> tuple[str, tuple]:
    """(equation, operands) from PyTorch's sublist form — operands each followed by a list of
    integer labels (0 … 51; ``...`` for an ellipsis), then optionally the output's list."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def term(sublist) -> str:
        if not isinstance(sublist, (list, tuple)):
            raise TypeError(f"einsum(): expected a list of subscripts after each operand, got {type(sublist).__name__}")
        parts = []
        for label in sublist:
            if label is Ellipsis:
                parts.append("...")
            elif isinstance(label, int) and 0 <= label < len(letters):
                parts.append(letters[label])
            else:
                raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, 52), got {label!r}")
        return "".join(parts)
    has_output = len(arguments) % 2 == 1
    pairs = arguments[:-1] if has_output else arguments
    output = "->" + term(arguments[-1]) if has_output else ""
    return ",".join(term(sublist) for sublist in pairs[1::2]) + output, tuple(pairs[0::2])


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum``: out[output labels] = Σ over the other labels of the
    product of the operands, e.g. 'ij,jk->ik' is a matrix product, 'bhqd,bhkd->bhqk' attention
    scores, 'ii->i' a diagonal, '...ij->...ji' a batched transpose. Without '->' the output is the
    labels seen once, in alphabetical order (after the ellipsis dimensions).

    Built from the engine's own ops, so autograd needs nothing new: repeated labels in one operand
    take a diagonal (indexing), labels used by one operand only are summed at once, and operands
    are contracted left to right, each pair as one batched matrix product.
    """
    if isinstance(equation, Tensor):  # the sublist form: einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise OpError("einsum(): must provide at least one operand")
    labels, output = _einsum_terms(equation, operands)
    pairs = [_diagonal(op, term) for op, term in zip(operands, labels)]
    for i, (x, term) in enumerate(pairs):
        later = {lab for _, other in pairs[:i] + pairs[i + 1:] for lab in other}
        pairs[i] = _sum_out(x, term, later | set(output))
    x, term = pairs[0]
    for i, (y, other) in enumerate(pairs[1:], start=1):
        needed = set(output) | {lab for _, rest in pairs[i + 1:] for lab in rest}
        x, term = _sum_out(x, term, needed | set(other))
        y, other = _sum_out(y, other, needed | set(term))
        x, term = _contract(x, term, y, other, needed)
    x, term = _sum_out(x, term, set(output))
    missing = [lab for lab in output if lab not in term]
    if missing:
        raise OpError(f"einsum(): output subscripts {missing} of {equation!r} are not in the inputs")
    return x.permute(*[term.index(lab) for lab in output]) if term else x
