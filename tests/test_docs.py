"""The documentation site builds with ``mkdocs build --strict``.

mkdocs.yml turns omitted pages, broken links and missing anchors into warnings, which --strict
makes fatal.

Skipped when MkDocs or pymdown-extensions is not installed (``pip install -e ".[docs]"``).
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("pymdownx")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()

