"""The package's layers point one way: read every module's imports (the AST, so imports inside
functions count too) and check the rules the contributor's guide states.

    tensor/autograd  <-  ops  <-  nn  <-  optim, models, bench, cli
    kernel_registry  <-  kernels_reference, kernels_cpu, kernels_cuda (the registrants)
"""

import ast
from pathlib import Path

import zengrad

PACKAGE = Path(zengrad.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The zengrad modules ``path`` imports, anywhere in the file, as absolute names
    (``from .. import backend`` imports ``zengrad.backend``, not the package's ``__init__``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("zengrad"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("zengrad"):
                submodules = {f"{target}.{alias.name}" for alias in node.names} & NAMES
                found.update(submodules if len(submodules) == len(node.names) else submodules | {target})
    return found


NAMES = {_module_name(path) for path in PACKAGE.rglob("*.py")} | {"zengrad._C"}
GRAPH = {_module_name(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def _importers_of(prefix: str, within: str) -> dict[str, set[str]]:
    return {module: {t for t in targets if t == prefix or t.startswith(prefix + ".")}
            for module, targets in GRAPH.items()
            if (module == within or module.startswith(within + "."))
            and any(t == prefix or t.startswith(prefix + ".") for t in targets)}


def test_the_scan_sees_imports():
    assert "zengrad.ops.recurrent" in GRAPH["zengrad.nn.recurrent"]
    assert "zengrad.kernel_registry" in GRAPH["zengrad.kernels_cpu"]


def test_ops_never_import_nn_or_anything_above():
    for upper in ("zengrad.nn", "zengrad.optim", "zengrad.models", "zengrad.cli", "zengrad.bench"):
        assert _importers_of(upper, "zengrad.ops") == {}, upper


def test_nn_never_imports_trainers_or_the_cli():
    for upper in ("zengrad.models", "zengrad.cli", "zengrad.bench"):
        assert _importers_of(upper, "zengrad.nn") == {}, upper


def test_the_kernel_registry_imports_no_registrant():
    registrants = ("zengrad.kernels", "zengrad.kernels_cpu", "zengrad.kernels_cuda", "zengrad.kernels_reference")
    imported = GRAPH["zengrad.kernel_registry"]
    assert not [t for t in imported if t.startswith(registrants)]


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while not component or module not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                found.append(component)

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_the_only_import_cycle_is_tensor_autograd_and_the_ops_they_dispatch_to():
    graph = {module: {t for t in targets if t in GRAPH and t != module} for module, targets in GRAPH.items()}
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]  # the finder finds one
    for cycle in _cycles(graph):
        assert {"zengrad.tensor", "zengrad.autograd"} <= cycle, cycle
        assert all(m in ("zengrad.tensor", "zengrad.autograd") or m.startswith("zengrad.ops.") for m in cycle), cycle
