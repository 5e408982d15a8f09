"""``zengrad.autograd.functional`` (as ``torch.autograd.functional``): derivatives of a whole
function at a point, built on :func:`zengrad.autograd.grad`.

    vjp(f, x, v)      = vᵀ J_f(x)            one backward pass
    jvp(f, x, v)      = J_f(x) v             two backward passes (below)
    jacobian(f, x)    = J_f(x)[i…, j…] = ∂f(x)[i…]/∂x[j…]   one backward pass per output element
    hessian(f, x)     = the Jacobian of ∇f, for a scalar f   (backward through a backward)
    vhp(f, x, v)      = vᵀ H_f(x) = ∇ₓ⟨∇f(x), v⟩
    hvp(f, x, v)      = H_f(x) v, the same numbers: H is symmetric for a twice continuously
                        differentiable f (PyTorch computes it by the double-backward trick; the
                        direct form here is one backward through a backward)

The Jacobian–vector product uses the double-backward trick: u ↦ Jᵀu (a backward pass from a
dummy ``u``, recorded) is linear in u with Jacobian Jᵀ, so backward through it with v gives
(Jᵀ)ᵀv = Jv — forward-mode derivatives from two reverse passes.

The inputs are detached and marked as requiring gradients, so the caller's tensors are untouched
(with ``create_graph``, a caller's tensor that requires grad stays connected, as in PyTorch).
With ``strict=True`` an output independent of an input raises instead of giving zeros, as in
PyTorch; ``vectorize`` and ``strategy`` are accepted for PyTorch's sake (the derivatives are the
same; here they are always computed one backward pass at a time).
"""

from __future__ import annotations

from .autograd import grad
from .tensor import Tensor


def _as_tuple(values, what: str, function: str) -> tuple:
    values = (values,) if isinstance(values, Tensor) else values
    if not isinstance(values, (tuple, list)) or not all(isinstance(x, Tensor) for x in values):
        raise TypeError(f"The {what} given to {function} must be either a Tensor or a tuple of Tensors but the "
                        f"given {what} has type {type(values)}.")
    return tuple(values)


def _fresh(inputs, function: str, create_graph: bool) -> tuple:
    """The inputs as tensors to differentiate with respect to: detached, or, with ``create_graph``,
    views still in the caller's graph, so the derivatives can be differentiated with respect to the
    caller's tensors too (as PyTorch's)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in _as_tuple(inputs, "inputs", function))


def _outputs(result, function: str) -> tuple:
    return _as_tuple(result, "outputs of the user-provided function", function)


def _vectors(v, like: tuple, function: str, where: str) -> tuple:
    """``v`` as a tuple of tensors shaped like ``like``; None only where ``like`` is one element."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if {where} is a single Tensor with a single element.")
        return (Tensor(like[0].xp.ones(like[0].shape, dtype=like[0].dtype)),)
    vs = _as_tuple(v, "v", function)
    if len(vs) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}.")
    for vi, x in zip(vs, like):
        if vi.shape != x.shape:
            raise RuntimeError(f"v has invalid size: should be {x.size()} but got {vi.size()}.")
    return vs


def _gradients(outputs: tuple, inputs: tuple, seeds, create_graph: bool, strict: bool) -> tuple:
    """Σₖ seedsₖ · ∂outputsₖ/∂inputs for each input; zeros (or, ``strict``, an error) where no
    gradient reaches."""
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                                   "outputs must be computed in a differentiable manner from the input when "
                                   "running in strict mode.")
    used = [(out, seed) for out, seed in zip(outputs, seeds if seeds is not None else [None] * len(outputs))
            if out.requires_grad]
    found = [None] * len(inputs)
    if used:
        found = grad([out for out, _ in used], list(inputs), grad_outputs=[seed for _, seed in used],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    for i, g in enumerate(found):
        if g is None and strict:
            raise RuntimeError(f"Output 0 of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
    return tuple(Tensor(x.xp.zeros_like(x._data)) if g is None else g for g, x in zip(found, inputs))


def _single(values: tuple, single: bool):
    return values[0] if single else values


def _value(outputs: tuple, single: bool, create_graph: bool):
    return _single(tuple(out if create_graph else out.detach() for out in outputs), single)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(f(inputs), vᵀ·J): the function's value and the vector–Jacobian product, one backward pass;
    ``v`` may be omitted when f returns one element."""
    xs = _fresh(inputs, "vjp", create_graph)
    result = func(*xs)
    outs = _outputs(result, "vjp")
    vs = _vectors(v, outs, "vjp", "the user-provided function returns")
    products = _gradients(outs, xs, vs, create_graph, strict)
    return _value(outs, isinstance(result, Tensor), create_graph), _single(products, isinstance(inputs, Tensor))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(f(inputs), J·v): the function's value and the Jacobian–vector product, by the
    double-backward trick (see the module's docstring); ``v`` may be omitted for a one-element input."""
    xs = _fresh(inputs, "jvp", create_graph)
    vs = _vectors(v, xs, "jvp", "the input to the user-provided function")
    result = func(*xs)
    outs = _outputs(result, "jvp")
    dummies = tuple(Tensor(out.xp.zeros(out.shape, dtype=out.dtype), requires_grad=True) for out in outs)
    transposed = _gradients(outs, xs, dummies, create_graph=True, strict=strict)  # Jᵀu, linear in u
    linked = [(g, vi) for g, vi in zip(transposed, vs) if g.requires_grad]
    found = [None] * len(outs)
    if linked:
        found = grad([g for g, _ in linked], list(dummies), grad_outputs=[vi for _, vi in linked],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    products = tuple(Tensor(u.xp.zeros_like(u._data)) if p is None else p for p, u in zip(found, dummies))
    return _value(outs, isinstance(result, Tensor), create_graph), _single(products, isinstance(result, Tensor))


def _check_jacobian_options(strict: bool, vectorize: bool, strategy: str, create_graph: bool) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(f'Expected strategy to be either "forward-mode" or "reverse-mode", got {strategy!r}.')
    if strict and vectorize:
        raise RuntimeError("jacobian: `strict=True` and `vectorized=True` are not supported together. Please "
                           "either set `strict=False` or `vectorize=False`.")
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("jacobian: strategy='forward-mode' is only implemented for `vectorize=True`.")
    if strategy == "forward-mode" and create_graph:
        raise NotImplementedError("jacobian: `create_graph=True` and `strategy=\"forward-mode\"` are not "
                                  "supported together.")


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output a tensor of shape
    output.shape + input.shape; tuples of inputs or outputs give tuples (outputs outer)."""
    _check_jacobian_options(strict, vectorize, strategy, create_graph)
    single_in = isinstance(inputs, Tensor)
    xs = _fresh(inputs, "jacobian", create_graph)
    result = func(*xs)
    rows = []
    for index, out in enumerate(_outputs(result, "jacobian")):
        per_input = [[] for _ in xs]
        flat = out.reshape(-1)
        for k in range(flat.numel()):
            try:
                for i, g in enumerate(_gradients((flat[k],), xs, None, create_graph, strict)):
                    per_input[i].append(g)
            except RuntimeError as error:  # strict: name the output as PyTorch does
                raise RuntimeError(str(error).replace("Output 0", f"Output {index}", 1)) from None
        blocks = [_stack(grads, x).reshape(*out.shape, *x.shape) for x, grads in zip(xs, per_input)]
        rows.append(blocks[0] if single_in else tuple(blocks))
    return rows[0] if isinstance(result, Tensor) else tuple(rows)


def _stack(grads: list, like: Tensor) -> Tensor:
    from .ops import stack
    if not grads:
        return Tensor(like.xp.zeros((0,) + like.shape, dtype=like.dtype))
    return stack(grads)


def _scalar_gradient(func, function: str, strict: bool):
    """xs ↦ ∇f(xs), recorded (so it can be differentiated again), for a one-element ``func``."""
    def gradient(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor):
            raise RuntimeError(f"The function given to {function} should return a single Tensor, got {type(out)}.")
        if out.numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {function} should contain a "
                               f"single element (got shape {tuple(out.shape)})")
        grads = _gradients((out.reshape(()),), xs, None, create_graph=True, strict=strict)
        for i, g in enumerate(grads):
            if strict and not g.requires_grad:
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided "
                                   f"function with respect to input {i} is independent of the input. This is "
                                   "not allowed in strict mode.")
        return grads
    return gradient


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: ∂²f/∂x[i…]∂x[j…], of shape
    input.shape + input.shape (tuples of tuples for several inputs)."""
    _check_jacobian_options(strict, vectorize, outer_jacobian_strategy, create_graph)
    gradient = _scalar_gradient(func, "hessian", strict)
    hess = jacobian(lambda *xs: gradient(*xs), inputs, create_graph=create_graph)
    return hess[0] if isinstance(inputs, Tensor) else hess


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False, function: str = "vhp"):
    """(f(inputs), vᵀ·H): the value of the scalar ``func`` and the vector–Hessian product."""
    xs = _fresh(inputs, function, create_graph)
    vs = _vectors(v, xs, function, "the input to the user-provided function")
    out = func(*xs)
    gradients = _scalar_gradient(lambda *_: out, function, strict)(*xs)
    products = _gradients(gradients, xs, vs, create_graph, strict=False)
    return (out if create_graph else out.detach()), _single(products, isinstance(inputs, Tensor))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(f(inputs), H·v): for a twice continuously differentiable ``func`` H is symmetric, so this
    is :func:`vhp` (the module's docstring)."""
    return vhp(func, inputs, v, create_graph=create_graph, strict=strict, function="hvp")
