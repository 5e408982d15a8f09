"""Function transforms (``torch.func``): derivatives and batching as functions of functions.

    grad(f)(x)              ∇f(x) for a scalar f                    one backward pass
    vjp(f, x)               (f(x), u ↦ uᵀ J_f(x))                   one backward pass per call
    jvp(f, (x,), (v,))      (f(x), J_f(x) v)                        two: the vjp u ↦ uᵀJ is linear in
                                                                    u, and J v is its gradient along v
    jacrev(f)(x)            J_f(x), shape f(x).shape + x.shape      one backward pass per output element
    jacfwd(f)(x)            the same Jacobian (zengrad has no forward mode; it is computed as jacrev's)
    hessian(f)(x)           jacfwd(jacrev(f))(x)
    vmap(f)(xs)             f applied to each slice of xs along a dim, results stacked
    functional_call(m, p, x)   module m run with the tensors p in place of its parameters/buffers

They nest (``grad(grad(f))``, ``vmap(grad(f))``, ``hessian``) because each runs f on its inputs
*connected* to any outer graph and asks for differentiable gradients when an input already
requires grad; at the outermost level the results are plain tensors, as in PyTorch.

``vmap`` is a loop over the mapped dim, then a ``stack``: the same values as PyTorch's batching
rules, without their speed. Randomness inside f draws differently for every slice (PyTorch's
``randomness='different'``).
"""

from __future__ import annotations

from collections.abc import Mapping

from . import autograd
from .errors import OpError
from .creation import zeros_like
from .ops import stack
from .tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state",
           "vjp", "vmap"]


# ---- pytrees: tensors inside tuples, lists and dicts (a module's parameters) -------------------------

def _leaves(tree) -> list[Tensor]:
    if isinstance(tree, Tensor):
        return [tree]
    if isinstance(tree, Mapping):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, (tuple, list)):
        return [leaf for value in tree for leaf in _leaves(value)]
    return []


def _rebuild(tree, leaves: list):
    """``tree`` with its tensors replaced, in order, by ``leaves`` (consumed from the front)."""
    if isinstance(tree, Tensor):
        return leaves.pop(0)
    if isinstance(tree, Mapping):
        return type(tree)((key, _rebuild(value, leaves)) for key, value in tree.items())
    if isinstance(tree, (tuple, list)):
        return type(tree)(_rebuild(value, leaves) for value in tree)
    return tree


def _differentiable(x: Tensor) -> Tensor:
    """x as a tensor gradients can be taken with respect to: connected to x's graph when x
    requires grad (so an outer transform sees through), a fresh leaf otherwise."""
    if not isinstance(x, Tensor):
        raise TypeError(f"expected the differentiated argument to be a Tensor, got {type(x).__name__}")
    return x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)


def _gradients(outputs: list, wrt: list, cotangents: list, create_graph: bool) -> list:
    """Σ cotangent · ∂output/∂w for each w (zeros where no path leads)."""
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not pairs:
        return [zeros_like(w) for w in wrt]
    found = autograd.grad([o for o, _ in pairs], wrt, [c for _, c in pairs], retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
    return [zeros_like(w) if g is None else g for g, w in zip(found, wrt)]


def _finish(value, connected: bool):
    """Plain tensors at the outermost level; connected ones when an input was part of a graph."""
    if connected:
        return value
    return _rebuild(value, [leaf.detach() for leaf in _leaves(value)])


def _argnums(argnums, count: int) -> tuple[int, ...]:
    chosen = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for a in chosen:
        if not -count <= a < count:
            raise OpError(f"argnums {argnums} out of range for a function called with {count} positional arguments")
    return tuple(a % count for a in chosen)


# ---- reverse mode ---------------------------------------------------------------------------------------

def vjp(func, *primals, has_aux: bool = False):
    """(func(*primals), vjp_fn[, aux]): ``vjp_fn(cotangents)`` returns one gradient per primal
    (a tuple), Σ cotangent · ∂output/∂primal."""
    connected = any(leaf.requires_grad for leaf in _leaves(primals))
    inputs = _rebuild(primals, [_differentiable(leaf) for leaf in _leaves(primals)])
    result = func(*inputs)
    output, aux = (result if has_aux else (result, None))
    outputs, wrt = _leaves(output), _leaves(inputs)

    def vjp_fn(cotangents):
        grads = _gradients(outputs, wrt, _leaves(cotangents), create_graph=True)
        return _finish(_rebuild(tuple(primals), list(grads)), connected)

    finished = _finish(output, connected)
    return (finished, vjp_fn, _finish(aux, connected)) if has_aux else (finished, vjp_fn)


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """A function returning (∇ func w.r.t. args[argnums], func(*args)); with ``has_aux`` func returns
    (scalar, aux) and the value is (scalar, aux)."""
    def transformed(*args, **kwargs):
        chosen = _argnums(argnums, len(args))
        connected = any(leaf.requires_grad for a in chosen for leaf in _leaves(args[a]))
        args = list(args)
        for a in chosen:
            args[a] = _rebuild(args[a], [_differentiable(leaf) for leaf in _leaves(args[a])])
        result = func(*args, **kwargs)
        output, aux = (result if has_aux else (result, None))
        if not isinstance(output, Tensor) or output.numel() != 1 or output.ndim:
            dims = output.ndim if isinstance(output, Tensor) else type(output).__name__
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                               f"tensor with {dims} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        wrt = [leaf for a in chosen for leaf in _leaves(args[a])]
        grads = _gradients([output], wrt, [Tensor(output.xp.ones((), dtype=output.dtype))], create_graph=True)
        trees = [_rebuild(args[a], [grads.pop(0) for _ in _leaves(args[a])]) for a in chosen]
        gradient = _finish(trees[0] if isinstance(argnums, int) else tuple(trees), connected)
        value = _finish(output, connected)
        return (gradient, (value, _finish(aux, connected))) if has_aux else (gradient, value)
    return transformed


def grad(func, argnums=0, has_aux: bool = False):
    """A function returning ∇ func w.r.t. args[argnums] (a tuple for a tuple of argnums); func must
    return a scalar (with ``has_aux``: (scalar, aux), and (gradient, aux) is returned)."""
    both = grad_and_value(func, argnums, has_aux)

    def transformed(*args, **kwargs):
        gradient, value = both(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient
    return transformed


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size=None):
    """A function returning the Jacobian of func w.r.t. args[argnums]: for output y and input x, a
    tensor of shape y.shape + x.shape (tuples for tuples of argnums or outputs)."""
    def transformed(*args):
        chosen = _argnums(argnums, len(args))
        connected = any(args[a].requires_grad for a in chosen if isinstance(args[a], Tensor))
        args = list(args)
        for a in chosen:
            args[a] = _differentiable(args[a])
        result = func(*args)
        output, aux = (result if has_aux else (result, None))
        wrt = [args[a] for a in chosen]
        blocks = []
        for out in _leaves(output):
            rows = [_gradients([out], wrt, [_one_hot(out, k)], create_graph=True) for k in range(out.numel())]
            per_input = []
            for i, w in enumerate(wrt):
                stacked = stack([row[i] for row in rows]) if rows else zeros_like(w).reshape(0, *w.shape)
                per_input.append(stacked.reshape(*out.shape, *w.shape))
            blocks.append(per_input[0] if isinstance(argnums, int) else tuple(per_input))
        jacobian = _finish(blocks[0] if isinstance(output, Tensor) else _rebuild(output, blocks), connected)
        return (jacobian, _finish(aux, connected)) if has_aux else jacobian
    return transformed


def _one_hot(like: Tensor, k: int) -> Tensor:
    seed = like.xp.zeros(like.numel(), dtype=like.dtype)
    seed[k] = 1
    return Tensor(seed.reshape(like.shape))


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian, as :func:`jacrev` computes it (zengrad has no forward-mode autodiff)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """A function returning the Hessian of a scalar func w.r.t. args[argnums]: x.shape + x.shape."""
    return jacfwd(jacrev(func, argnums), argnums)


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """(func(*primals), J·tangents): the vjp u ↦ Jᵀu is linear in u, so J·v is its gradient
    with respect to u along v (backward through a backward)."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp: expected primals and tangents of the same length, got {len(primals)} and "
                           f"{len(tangents)}")
    for p, t in zip(primals, tangents):
        if p.shape != t.shape:
            raise RuntimeError(f"jvp: a tangent of shape {tuple(t.shape)} for a primal of shape {tuple(p.shape)}")
    connected = any(p.requires_grad for p in primals)
    inputs = [_differentiable(p) for p in primals]
    result = func(*inputs)
    output, aux = (result if has_aux else (result, None))
    outputs = _leaves(output)
    probes = [zeros_like(o).requires_grad_(True) for o in outputs]
    pulled = _gradients(outputs, inputs, probes, create_graph=True)
    pushed = _gradients(pulled, probes, list(tangents), create_graph=True)
    product = _finish(_rebuild(output, list(pushed)), connected)
    value = _finish(output, connected)
    return (value, product, _finish(aux, connected)) if has_aux else (value, product)


# ---- batching ------------------------------------------------------------------------------------------

def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """A function that applies ``func`` to every slice of its arguments along ``in_dims`` (an int
    for all, or one per argument; None: not mapped) and stacks the results along ``out_dims``."""
    def transformed(*args):
        dims = (in_dims,) * len(args) if isinstance(in_dims, int) or in_dims is None else tuple(in_dims)
        if len(dims) != len(args):
            raise ValueError(f"vmap: in_dims is not compatible with the structure of `inputs`: "
                             f"{len(dims)} in_dims for {len(args)} arguments")
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None and isinstance(a, Tensor)}
        for a, d in zip(args, dims):
            if d is not None and not isinstance(a, Tensor):
                raise ValueError(f"vmap: in_dim {d} given for an argument of type {type(a).__name__}; "
                                 "use None for arguments that are not mapped")
            if d is not None and not -a.ndim <= d < a.ndim:
                raise ValueError(f"vmap: in_dim {d} out of range for an argument of shape {tuple(a.shape)}")
        if not sizes:
            raise ValueError("vmap: at least one argument must be a Tensor mapped over a dim (in_dims not None)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(sizes)} for the mapped dimension")
        results = [func(*(a.select(d, i) if d is not None else a for a, d in zip(args, dims)))
                   for i in range(sizes.pop())]
        first = results[0]
        outputs = _leaves(first)
        places = (out_dims,) * len(outputs) if isinstance(out_dims, int) else tuple(out_dims)
        stacked = [stack([_leaves(r)[k] for r in results], dim=places[k]) for k in range(len(outputs))]
        return _rebuild(first, stacked)
    return transformed


# ---- modules as functions of their tensors ---------------------------------------------------------------

def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights: bool = True,
                    strict: bool = False):
    """``module(*args, **kwargs)`` with the named tensors (``{"0.weight": w, …}``, or a tuple of such
    dicts) standing in for the module's parameters and buffers during the call; the module is
    restored after it, even on an error."""
    dicts = parameter_and_buffer_dicts
    replacements = {}
    for d in (dicts,) if isinstance(dicts, Mapping) else tuple(dicts):
        for name, value in d.items():
            if name in replacements:
                raise ValueError(f"functional_call: {name!r} appeared in more than one of the dictionaries")
            replacements[name] = value
    known = {name for name, _ in module.named_parameters(remove_duplicate=False)} | {
        name for name, _ in module.named_buffers(remove_duplicate=False)}
    if strict:
        missing, unexpected = sorted(known - set(replacements)), sorted(set(replacements) - known)
        if missing or unexpected:
            raise RuntimeError(f"functional_call got missing keys {missing} and unexpected keys {unexpected}")
    saved = []
    try:
        for name, value in replacements.items():
            owner, _, attribute = name.rpartition(".")
            target = module.get_submodule(owner) if owner else module
            table = target._parameters if attribute in target._parameters else target._buffers \
                if attribute in target._buffers else None
            if table is None:
                raise AttributeError(f"functional_call: {type(module).__name__} has no parameter or buffer {name!r}")
            saved.append((table, attribute, table[attribute]))
            table[attribute] = value
        args = () if args is None else (args,) if isinstance(args, Tensor) else tuple(args)
        return module(*args, **(kwargs or {}))
    finally:
        for table, attribute, value in reversed(saved):
            table[attribute] = value


def stack_module_state(models) -> tuple[dict, dict]:
    """({name: the models' parameters stacked}, {name: their buffers stacked}) for models of one
    architecture, ready for ``vmap`` over ``functional_call`` (an ensemble); the stacked parameters
    are new leaves that require grad."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    params = {name: stack([dict(m.named_parameters())[name].detach() for m in models]).requires_grad_(True)
              for name, _ in models[0].named_parameters()}
    buffers = {name: stack([dict(m.named_buffers())[name] for m in models]) for name, _ in models[0].named_buffers()}
    return params, buffers
