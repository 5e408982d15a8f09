"""Pictures of what the engine does: the autograd graph as Graphviz, and image grids.

``draw_graph(loss)`` walks the same graph that ``loss.backward()`` walks — from the output
through each Function (``grad_fn``) to its input Tensors — and writes it in Graphviz's DOT
language: ops as boxes, every tensor (leaves, intermediates and the output) as an ellipse with
its shape, and its values and gradient when it is small (as micrograd draws its Values). Leaves
that require grad are blue, the output green. Names come from ``names={"W": W, ...}`` (or
``{W: "W"}``); the four gate blocks of a composed LSTM step — a 4-way split of the pre-activations
feeding σ, σ, tanh, σ — are labelled i, f, g, o.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from . import backend
from .autograd import grad as autograd_grad
from .tensor import Tensor

LSTM_GATES = ("i", "f", "g", "o")
LSTM_GATE_ACTIVATIONS = ("Sigmoid", "Sigmoid", "Tanh", "Sigmoid")


def _small_array(array, show_values: int) -> str | None:
    if array is None or int(np.prod(array.shape)) > show_values:
        return None
    return np.array2string(backend.to_device(array, "cpu"), precision=3, separator=", ")


def _describe(tensor: Tensor, show_values: int, grad=None) -> str:
    label = f"{tuple(tensor.shape)} {tensor.dtype}"
    value = _small_array(tensor._data, show_values)
    if value is not None:
        label += f"\\nvalue {value}"
        grad = grad if grad is not None else (tensor._grad._data if tensor._grad is not None else None)
        grad_text = _small_array(grad, show_values)
        if grad_text is not None:
            label += f"\\ngrad {grad_text}"
    return label.replace('"', "'").replace("\n", " ")


def _name_table(names) -> dict[int, str]:
    """``names`` as {id(tensor): label}; it may map tensors to names or names to tensors."""
    table = {}
    for key, value in (names or {}).items():
        tensor, label = (value, key) if isinstance(key, str) else (key, value)
        if not isinstance(tensor, Tensor):
            raise TypeError(f"draw_graph: names must pair tensors with strings, got {type(key).__name__}: "
                            f"{type(value).__name__}")
        table[id(tensor)] = str(label)
    return table


class _Graph:
    """The tensors and Functions reachable from ``output``, and who consumes what."""

    def __init__(self, output: Tensor):
        self.tensors: dict[int, Tensor] = {id(output): output}
        self.functions: dict[int, object] = {}
        self.edges: list[tuple[str, str]] = []
        self.consumers: dict[int, list] = {}
        stack = [output]
        while stack:
            t = stack.pop()
            fn = t.grad_fn
            if fn is None:
                continue
            self.edges.append((f"f{id(fn)}", f"t{id(t)}"))
            if id(fn) in self.functions:
                continue
            self.functions[id(fn)] = fn
            if fn.released:
                continue
            for parent in fn.inputs:
                self.edges.append((f"t{id(parent)}", f"f{id(fn)}"))
                self.consumers.setdefault(id(parent), []).append(fn)
                if id(parent) not in self.tensors:
                    self.tensors[id(parent)] = parent
                    stack.append(parent)

    def lstm_gate_names(self) -> dict[int, str]:
        """{id(tensor): gate} for every 4-way split along the last dimension whose pieces feed
        σ, σ, tanh, σ in order: the composed LSTM's i, f, g, o blocks."""
        pieces: dict[int, list] = {}
        for t in self.tensors.values():
            fn = t.grad_fn
            index = getattr(fn, "index", None) if fn is not None and not fn.released else None
            if type(fn).__name__ == "GetItem" and isinstance(index, tuple) and index and isinstance(index[-1], slice) \
                    and all(part == slice(None) for part in index[:-1]) and len(index) == fn.inputs[0].ndim:
                pieces.setdefault(id(fn.inputs[0]), []).append((index[-1].start or 0, t))
        gates = {}
        for group in pieces.values():
            if len(group) != 4:
                continue
            group.sort(key=lambda item: item[0])
            activations = [{type(c).__name__ for c in self.consumers.get(id(t), [])} for _, t in group]
            if all(expected in found for expected, found in zip(LSTM_GATE_ACTIVATIONS, activations)):
                gates.update({id(t): gate for (_, t), gate in zip(group, LSTM_GATES)})
        return gates


def _gradients_of_small_tensors(output: Tensor, graph: _Graph, show_values: int) -> dict[int, np.ndarray]:
    """d output / d t for every drawn tensor with at most ``show_values`` entries (output a scalar)."""
    if output.numel() != 1 or not output.requires_grad or any(fn.released for fn in graph.functions.values()):
        return {}
    small = [t for t in graph.tensors.values() if t.requires_grad and t.numel() <= show_values]
    grads = autograd_grad(output, small, retain_graph=True, allow_unused=True)
    return {id(t): g._data for t, g in zip(small, grads) if g is not None}


def to_dot(output: Tensor, show_values: int = 6, names: dict | None = None, grads: bool = False) -> str:
    """The autograd graph behind ``output`` in DOT text.

    ``names`` maps tensors to labels (or labels to tensors). Tensors with at most ``show_values``
    entries show their values, and their ``.grad`` when it is set; with ``grads=True`` (and a
    scalar ``output`` whose graph is intact) every small tensor shows d output / d tensor, computed
    here with ``autograd.grad(..., retain_graph=True)``, intermediates included.
    """
    table = _name_table(names)
    graph = _Graph(output)
    gates = graph.lstm_gate_names()
    gradients = _gradients_of_small_tensors(output, graph, show_values) if grads else {}
    lines = ["digraph autograd {", "  rankdir=BT;", '  node [fontname="Helvetica", fontsize=10];']
    for key, t in graph.tensors.items():
        title = table.get(key) or (f"gate {gates[key]}" if key in gates else ("leaf" if t.grad_fn is None else ""))
        if t is output:
            style = ', style=filled, fillcolor="#d1e7dd"'
        elif t.grad_fn is None and t.requires_grad:
            style = ', style=filled, fillcolor="#cfe2ff"'
        else:
            style = ""
        style += ", penwidth=2" if key in table else ""
        label = (title + "\\n" if title else "") + _describe(t, show_values, gradients.get(key))
        lines.append(f'  t{key} [shape=ellipse, label="{label}"{style}];')
    for key, fn in graph.functions.items():
        extra = ', xlabel="freed by backward"' if fn.released else ""
        lines.append(f'  f{key} [shape=box, style="rounded,filled", fillcolor="#fff3cd", label="{type(fn).__name__}"{extra}];')
    lines += [f"  {a} -> {b};" for a, b in dict.fromkeys(graph.edges)]
    lines.append("}")
    return "\n".join(lines)


def draw_graph(output: Tensor, path=None, format: str | None = None, show_values: int = 6,
               names: dict | None = None, grads: bool = False) -> str:
    """Write the autograd graph of ``output``; returns the DOT text (see :func:`to_dot`).

    With ``path`` ending in .svg or .png the picture is rendered by Graphviz's ``dot`` when it is
    installed (``apt-get install graphviz``); otherwise (or with .dot) the DOT text is written.
    Call it before ``backward()``, or with ``retain_graph=True``: backward frees the graph.
    """
    dot = to_dot(output, show_values, names, grads)
    if path is None:
        return dot
    path = Path(path)
    format = format or path.suffix.lstrip(".") or "dot"
    if format == "dot":
        path.write_text(dot)
        return dot
    if shutil.which("dot") is None:
        fallback = path.with_suffix(".dot")
        fallback.write_text(dot)
        raise RuntimeError(f"draw_graph: Graphviz's `dot` is not installed; wrote DOT text to {fallback}")
    subprocess.run(["dot", f"-T{format}", "-o", str(path)], input=dot, text=True, check=True)
    return dot


def image_grid(images: np.ndarray, columns: int | None = None, pad: int = 1) -> np.ndarray:
    """Tile (N, H, W) images into one 2-D array, ``pad`` pixels of background (1.0) apart."""
    images = np.asarray(images)
    n, h, w = images.shape
    columns = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    canvas = np.ones((rows * (h + pad) - pad, columns * (w + pad) - pad), dtype=np.float64)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = image
    return canvas
