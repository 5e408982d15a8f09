"""MkDocs hooks for the zengrad site (named in mkdocs.yml under ``hooks:``).

* The notebooks are executed by mkdocs-jupyter in a kernel of the Python running MkDocs (a
  kernelspec made here, so no machine-wide ``python3`` kernel from another environment is used),
  all of them unless ``ZENGRAD_DOCS_EXECUTE`` says otherwise (``false``, or a glob of names).
* Every source path written as code (``engine/zengrad/tensor.py``, ``kernels/cpu/``) links to a
  page of the site that shows that file or folder, generated here from the repository; a path
  that does not exist in the repository is a warning, so ``mkdocs build --strict`` fails on it.
* ``exercises.md`` is generated from ``zengrad.exercises`` (and the teachers' page gets a table of
  the exercises' times): the statements, hints and times cannot drift from ``zengrad exercise``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
from html import escape
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "zengrad-docs"
SOURCE_ROOTS = ("engine", "kernels", "bindings", "tests", "benchmarks", "tools")
TOP_LEVEL = ("CMakeLists.txt", "pyproject.toml", "mkdocs.yml", "README.md")
PATH_PATTERN = re.compile(r"(?:(?:%s)/[\w./-]*|%s)" % ("|".join(SOURCE_ROOTS), "|".join(map(re.escape, TOP_LEVEL))))
CODE_SPAN = re.compile(r"(?<!<pre>)<code>([^<]+)</code>")
SPHINX_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data):(?=<code>)")  # docstrings' :class:`X` → X
LANGUAGES = {".py": "python", ".cpp": "cpp", ".h": "cpp", ".hpp": "cpp", ".cu": "cuda", ".cuh": "cuda",
             ".sh": "bash", ".toml": "toml", ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".md": "markdown",
             ".txt": "text", ".cmake": "cmake", ".csv": "text"}
MAX_SOURCE_BYTES = 300_000
NOT_SEARCHED = "---\nsearch:\n  exclude: true\n---\n\n"  # the search index keeps the prose, not copies of the code
log = logging.getLogger("mkdocs.plugins.zengrad")


def _kernelspec_for_this_python() -> str:
    """A Jupyter kernelspec that runs ipykernel with ``sys.executable``; returns its JUPYTER_PATH entry."""
    root = Path(tempfile.mkdtemp(prefix="zengrad-docs-jupyter-"))
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})", "language": "python"}))
    return str(root)


def _execution_settings(docs_dir: Path) -> tuple[bool, list[str]]:
    """(execute, notebooks to leave unexecuted) from ZENGRAD_DOCS_EXECUTE: true (the default: all),
    false (none) or a glob of notebook names, e.g. ``02_*`` (only those: the test suite's choice)."""
    choice = os.environ.get("ZENGRAD_DOCS_EXECUTE", "true").strip()
    if choice.lower() in ("true", "1", "yes", ""):
        return True, []
    if choice.lower() in ("false", "0", "no"):
        return False, []
    notebooks = sorted((docs_dir / "tutorials").glob("*.ipynb"))
    return True, [f"*/{path.parent.name}/{path.name}" for path in notebooks if not path.match(choice)]


def on_config(config):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [_kernelspec_for_this_python(),
                                                               os.environ.get("JUPYTER_PATH")]))
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # figures become page images
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        jupyter.config["kernel_name"] = KERNEL_NAME
        jupyter.config["execute"], jupyter.config["execute_ignore"] = _execution_settings(Path(config["docs_dir"]))
    return config


def _repo_path(text: str) -> Path | None:
    """The file or folder of the repository that ``text`` names, if it looks like a source path."""
    if not PATH_PATTERN.fullmatch(text):
        return None
    return ROOT / text.rstrip("/")


def _source_uri(relative: str) -> str:
    return f"source/{relative.rstrip('/')}.md"


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _file_page(relative: str) -> str:
    path = ROOT / relative
    raw = path.read_bytes()
    if len(raw) > MAX_SOURCE_BYTES or b"\0" in raw[:4096]:
        return f"{NOT_SEARCHED}# `{relative}`\n\nA {len(raw):,}-byte file of the repository, not shown here.\n"
    text = raw.decode("utf-8", errors="replace")
    language = "cmake" if path.name == "CMakeLists.txt" else LANGUAGES.get(path.suffix, "text")
    fence = _fence(text)
    return f"{NOT_SEARCHED}# `{relative}`\n\n{len(text.splitlines())} lines, from the repository.\n\n{fence}{language}\n{text}\n{fence}\n"


def _shown(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.suffix not in (".so", ".pyc", ".png", ".whl")


def _subfolder(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith((".", "__"))


def _folder_page(relative: str, pages: set[str]) -> str:
    folder = ROOT / relative
    rows = []
    for child in sorted(folder.iterdir()):
        if not (_shown(child) or _subfolder(child)):
            continue
        name = child.name + ("/" if child.is_dir() else "")
        rows.append(f"* [`{name}`]({folder.name}/{child.name}.md)" if f"{relative}/{child.name}" in pages
                    else f"* `{name}`")
    return f"{NOT_SEARCHED}# `{relative}/`\n\nA folder of the repository:\n\n" + "\n".join(rows) + "\n"


def _referenced_paths(text: str) -> set[str]:
    return {match.group(0).rstrip("./") for match in PATH_PATTERN.finditer(text)
            if (ROOT / match.group(0).rstrip("./")).exists()}


def _source_pages(referenced: set[str]) -> dict[str, str]:
    """Pages for the referenced files and folders, and for everything one level inside those folders."""
    names = set()
    for relative in referenced:
        path = ROOT / relative
        names.add(relative)
        if path.is_dir():
            names.update(f"{relative}/{child.name}" for child in path.iterdir() if _shown(child) or _subfolder(child))
    return {relative: _folder_page(relative, names) if (ROOT / relative).is_dir() else _file_page(relative)
            for relative in sorted(names) if (ROOT / relative).is_dir() or _shown(ROOT / relative)}


def _statement_markdown(text: str) -> str:
    """A statement's docstring as Markdown: indented formula lines stay code blocks; in prose, "[" is
    escaped so that ``a[i][j]`` is not read as a cross-reference."""
    lines = text.strip("\n").splitlines()
    return "\n".join(line if line.startswith("    ") else line.replace("[", "&#91;") for line in lines)


def _exercises_page() -> str:
    from zengrad import exercises

    lines = ["# Exercises", "",
             "Eleven exercises that grade themselves, from a scalar autograd engine to tensors to kernels. "
             "Each gives a statement, hints and a skeleton to fill in; the checker compares your code with "
             "finite differences, the engine's own float64 autograd or NumPy on random awkward shapes and "
             "says what is wrong: which output or which input's gradient, at which index, by how much.", "",
             "```bash", "zengrad exercise list", "zengrad exercise show 1      # statement and hints",
             "zengrad exercise start 1     # copies e01_value.py into this folder",
             "zengrad exercise check 1 --file e01_value.py", "```", "",
             "The skeletons are in `engine/zengrad/exercises/skeletons/`, the checkers in "
             "`engine/zengrad/exercises/`, and the reference solutions apart, in "
             "`engine/zengrad/exercises/solutions/` (`zengrad exercise check N --reference` runs one). "
             "The test suite (`tests/test_exercises.py`) checks that every reference passes and every "
             "untouched skeleton fails. Exercise 10 needs a C++ compiler and exercise 11 CuPy with an NVIDIA "
             "GPU; without them they are skipped with a message saying so.", ""]
    for number in range(1, len(exercises.MODULES) + 1):
        module = exercises.exercise(number)
        doc = module.__doc__.strip().split("\n", 1)
        hints = "\n".join(f"{i}. {escape(hint, quote=False).replace('[', '&#91;')}" for i, hint in enumerate(module.HINTS, 1))
        lines += [f"## {number}. {module.TITLE}", "",
                  f"*About {module.MINUTES} minutes.* Skeleton: `engine/zengrad/exercises/skeletons/{module.SKELETON}`, "
                  f"checker: `engine/zengrad/exercises/{exercises.MODULES[number - 1]}.py`.", "",
                  f"**{doc[0]}**", "", _statement_markdown(doc[1]) if len(doc) > 1 else "", "",
                  '??? tip "Hints"', "", "\n".join("    " + line for line in hints.splitlines()), ""]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    docs_dir = Path(config["docs_dir"])
    exercises_text = _exercises_page()
    files.append(File.generated(config, "exercises.md", content=exercises_text))
    texts = [path.read_text(encoding="utf-8") for path in list(docs_dir.rglob("*.md")) + list(docs_dir.rglob("*.ipynb"))]
    referenced = set().union(*(_referenced_paths(text) for text in texts + [exercises_text]))
    for relative, content in _source_pages(referenced).items():
        files.append(File.generated(config, _source_uri(relative), content=content))
    return files


def _exercise_table() -> str:
    from zengrad import exercises

    rows = ["| # | exercise | minutes |", "|---:|---|---:|"]
    for number in range(1, len(exercises.MODULES) + 1):
        module = exercises.exercise(number)
        rows.append(f"| {number} | [{module.TITLE}](exercises.md) | {module.MINUTES} |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    """Fill ``<!-- zengrad: exercise table -->`` with every exercise's title and time."""
    return markdown.replace("<!-- zengrad: exercise table -->", _exercise_table())


def on_page_content(html, page, config, files):
    """Link every ``<code>`` span naming a repository path to its source page (warn on missing
    paths), and drop the Sphinx roles (``:class:``, ``:func:``) that docstrings put before code."""
    def link(match):
        text = match.group(1)
        path = _repo_path(text)
        if path is None:
            return match.group(0)
        if not path.exists():
            log.warning("%s cites `%s`, which is not in the repository", page.file.src_uri, text)
            return match.group(0)
        target = files.get_file_from_path(_source_uri(text))
        if target is None:
            return match.group(0)
        return f'<a href="{get_relative_url(target.url, page.url)}"><code>{text}</code></a>'

    return CODE_SPAN.sub(link, SPHINX_ROLE.sub("", html))
