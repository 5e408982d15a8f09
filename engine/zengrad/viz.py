"""Pictures of what the engine does: the autograd graph as Graphviz, and image grids.

``draw_graph(loss)`` walks the same graph that ``loss.backward()`` walks — from the output
through each Function (``grad_fn``) to its input Tensors — and writes it in Graphviz's DOT
language: ops as boxes, tensors as ellipses with their shape (and values and gradients when
they are small), leaves that require grad in blue.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from . import backend
from .tensor import Tensor


def _describe(tensor: Tensor, show_values: int) -> str:
    label = f"{tuple(tensor.shape)} {tensor.dtype}"
    if tensor.numel() <= show_values:
        values = np.array2string(backend.to_device(tensor.data, "cpu"), precision=3, separator=", ")
        label += f"\\nvalue {values}"
        if tensor.grad is not None:
            grad = np.array2string(backend.to_device(tensor.grad.data, "cpu"), precision=3, separator=", ")
            label += f"\\ngrad {grad}"
    return label.replace('"', "'").replace("\n", " ")


def to_dot(output: Tensor, show_values: int = 6, names: dict | None = None) -> str:
    """The autograd graph behind ``output`` in DOT text. ``names`` maps tensors to labels."""
    names = {id(t): n for t, n in (names or {}).items()}
    lines = ["digraph autograd {", "  rankdir=BT;", '  node [fontname="Helvetica", fontsize=10];']
    seen: set[int] = set()

    def tensor_node(t: Tensor) -> str:
        key = f"t{id(t)}"
        if id(t) not in seen:
            seen.add(id(t))
            title = names.get(id(t), "leaf" if t.grad_fn is None else "")
            style = ', style=filled, fillcolor="#cfe2ff"' if t.grad_fn is None and t.requires_grad else ""
            lines.append(f'  {key} [shape=ellipse, label="{title}\\n{_describe(t, show_values)}"{style}];')
        return key

    def op_node(fn) -> str:
        key = f"f{id(fn)}"
        if id(fn) not in seen:
            seen.add(id(fn))
            lines.append(f'  {key} [shape=box, style="rounded,filled", fillcolor="#fff3cd", label="{type(fn).__name__}"];')
        return key

    stack = [output]
    visited_fns: set[int] = set()
    root = tensor_node(output)
    if output.grad_fn is not None:
        lines.append(f"  {op_node(output.grad_fn)} -> {root};")
    while stack:
        t = stack.pop()
        fn = t.grad_fn
        if fn is None or id(fn) in visited_fns:
            continue
        visited_fns.add(id(fn))
        if fn.released:
            lines.append(f'  {op_node(fn)} [xlabel="freed by backward"];')
            continue
        for parent in fn.inputs:
            if parent.grad_fn is not None:
                lines.append(f'  {op_node(parent.grad_fn)} -> {op_node(fn)} [label="{tuple(parent.shape)}", fontsize=8];')
                stack.append(parent)
            else:
                lines.append(f"  {tensor_node(parent)} -> {op_node(fn)};")
    lines.append("}")
    return "\n".join(lines)


def draw_graph(output: Tensor, path=None, format: str | None = None, show_values: int = 6,
               names: dict | None = None) -> str:
    """Write the autograd graph of ``output``; returns the DOT text.

    With ``path`` ending in .svg or .png the picture is rendered by Graphviz's ``dot`` when it is
    installed (``apt-get install graphviz``); otherwise (or with .dot) the DOT text is written.
    Call it before ``backward()``, or with ``retain_graph=True``: backward frees the graph.
    """
    dot = to_dot(output, show_values, names)
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
