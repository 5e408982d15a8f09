"""The tutorials in docs/tutorials run top to bottom, and are stored without outputs.

Each notebook is executed with nbclient in a fresh kernel of this very Python (a kernelspec made
for the test run points at ``sys.executable``), from the notebook's own folder, with a per-cell
timeout. Any cell that raises fails the test. Skipped when nbclient/nbformat/ipykernel are not
installed (``pip install -e ".[docs]"``).
"""

import json
import sys
import time
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parent.parent / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
CELL_TIMEOUT_S = 120
KERNEL_NAME = "zengrad-tutorials"


def test_tutorials_exist():
    names = [path.stem for path in NOTEBOOKS]
    for expected in ("01_autograd_from_the_inside", "02_perceptron", "03_rnn_and_lstm", "04_gan", "05_kernels",
                     "07_attention"):
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {index} stores outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} stores an execution count"


@pytest.fixture(scope="module")
def kernel_of_this_python(tmp_path_factory):
    """A kernelspec that starts ipykernel with the interpreter running the tests."""
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})",
        "language": "python",
    }))
    return root


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_of_this_python, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_of_this_python))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL_NAME,
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    print(f"{path.name}: {seconds:.1f} s")
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors, errors
