"""``zengrad.autograd.functional`` (as ``torch.autograd.functional``): derivatives of a whole
function at a point, built on :func:`zengrad.autograd.grad`.

    vjp(f, x, v)      = vᵀ J_f(x)            one backward pass
    jacobian(f, x)    = J_f(x)[i…, j…] = ∂f(x)[i…]/∂x[j…]   one backward pass per output element
    hessian(f, x)     = the Jacobian of ∇f, for a scalar f   (backward through a backward)

The inputs are copied and marked as requiring gradients, so the caller's tensors are untouched.
"""

from __future__ import annotations

from .autograd import grad
from .tensor import Tensor


def _as_tuple(values) -> tuple:
    return (values,) if isinstance(values, Tensor) else tuple(values)


def _fresh(inputs: tuple) -> tuple:
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"autograd.functional: input {i} must be a Tensor, got {type(x).__name__}")
    return tuple(Tensor(x._data.copy(), requires_grad=True) for x in inputs)


def _gradients(output: Tensor, inputs: tuple, seed: Tensor | None, create_graph: bool) -> tuple:
    if not output.requires_grad:  # f does not depend on its inputs: every derivative is zero
        return tuple(Tensor(x.xp.zeros_like(x._data)) for x in inputs)
    found = grad(output, list(inputs), grad_outputs=seed, retain_graph=True, create_graph=create_graph,
                 allow_unused=True)
    return tuple(Tensor(x.xp.zeros_like(x._data)) if g is None else g for g, x in zip(found, inputs))


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(f(inputs), vᵀ·J): the function's value and the vector–Jacobian product, one backward pass;
    ``v`` may be omitted when f returns one element."""
    single = isinstance(inputs, Tensor)
    xs = _fresh(_as_tuple(inputs))
    out = func(*xs)
    products = _gradients(out, xs, v, create_graph)
    value = out if create_graph else out.detach()
    return value, products[0] if single else products


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output a tensor of shape
    output.shape + input.shape; tuples of inputs or outputs give tuples (outputs outer)."""
    single_in = isinstance(inputs, Tensor)
    xs = _fresh(_as_tuple(inputs))
    result = func(*xs)
    single_out = isinstance(result, Tensor)
    rows = []
    for out in _as_tuple(result):
        per_input = [[] for _ in xs]
        flat = out.reshape(-1)
        for k in range(flat.numel()):
            for i, g in enumerate(_gradients(flat[k], xs, None, create_graph)):
                per_input[i].append(g)
        blocks = []
        for x, grads in zip(xs, per_input):
            blocks.append(_stack(grads, x).reshape(*out.shape, *x.shape))
        rows.append(blocks[0] if single_in else tuple(blocks))
    return rows[0] if single_out else tuple(rows)


def _stack(grads: list, like: Tensor) -> Tensor:
    from .ops import stack
    if not grads:
        return Tensor(like.xp.zeros((0,) + like.shape, dtype=like.dtype))
    return stack(grads)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Hessian of a scalar ``func`` at ``inputs``: ∂²f/∂x[i…]∂x[j…], of shape
    input.shape + input.shape (tuples of tuples for several inputs)."""
    single_in = isinstance(inputs, Tensor)

    def gradient(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise ValueError(f"hessian: func must return a single element, got shape {tuple(out.shape)}")
        return _gradients(out.reshape(()), xs, None, create_graph=True)

    hess = jacobian(lambda *xs: gradient(*xs), inputs, create_graph=create_graph)
    return hess[0] if single_in else hess
