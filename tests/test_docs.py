"""The documentation site builds with ``mkdocs build --strict`` and stands alone.

mkdocs.yml turns omitted pages, broken links and missing anchors into warnings, and
tools/mkdocs_hooks.py warns on a source path that is not in the repository; --strict makes every
warning fatal. The site is built once for this module: without executing the notebooks
(tests/test_tutorials.py runs them), except notebook 02 when Chromium is installed, whose page
the browser check then opens with the network cut off (tools/check_site_in_browser.py).

Skipped when MkDocs or its plugins are not installed (``pip install -e ".[docs]"``).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_site_in_browser as browser  # noqa: E402

OUTSIDE_THE_REPO = re.compile(r"\.\./shared|/work/|DESIGN\.md|design document")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for module in ("mkdocs", "pymdownx", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        pytest.importorskip(module)
    out = tmp_path_factory.mktemp("site")
    execute = "02_*" if browser.chromium() else "false"
    environment = dict(os.environ, ZENGRAD_DOCS_EXECUTE=execute, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_mkdocs_build_strict(site):
    assert (site / "index.html").is_file()
    for page in ("tutorials/01_autograd_from_the_inside", "tutorials/06_derivations", "exercises", "teaching",
                 "api/tensor-and-autograd", "api/ops"):
        assert (site / page / "index.html").is_file(), page


def test_the_site_loads_nothing_from_the_network(site):
    external = re.compile(r'<(?:script|img|iframe)[^>]+src="(?:https?:)?//|<link[^>]+rel="stylesheet"[^>]+href="(?:https?:)?//')
    offenders = [str(path.relative_to(site)) for path in site.rglob("*.html") if external.search(path.read_text())]
    assert not offenders, offenders
    assert (site / "javascripts/vendor/mathjax/tex-svg-full.js").stat().st_size > 1_000_000


def test_source_paths_link_to_pages_of_the_files(site):
    html = (site / "how-the-engine-works/index.html").read_text()
    links = re.findall(r'<a href="([^"]+)"><code>(engine/zengrad/[\w/]+\.py)</code></a>', html)
    assert links, "no source path is linked"
    for href, path in links:
        page = (site / "how-the-engine-works" / href / "index.html").resolve()
        assert page.is_file(), href
        lines = len((ROOT / path).read_text().splitlines())
        assert f"{lines} lines, from the repository" in page.read_text(), path


def test_exercise_and_teacher_pages_come_from_the_exercises(site):
    from zengrad import exercises

    page = (site / "exercises/index.html").read_text()
    teaching = (site / "teaching/index.html").read_text()
    for number in range(1, len(exercises.MODULES) + 1):
        title = exercises.exercise(number).TITLE.replace("+", "+")
        assert f"{number}. {title}" in page.replace("&amp;", "&")
    assert "zengrad: exercise table" not in teaching and teaching.count("<tr>") >= 11 + len(exercises.MODULES)


def test_api_reference_is_generated_from_docstrings(site):
    html = (site / "api/tensor-and-autograd/index.html").read_text()
    assert "zengrad.tensor.Tensor" in html and "gradcheck" in html
    assert "central differences" in html  # gradcheck's docstring text
    assert ":class:" not in html and ":func:" not in html


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "docs").rglob("*") if p.suffix in (".md", ".ipynb")),
                         ids=lambda p: p.name)
def test_docs_cite_nothing_outside_the_repository(path):
    hits = OUTSIDE_THE_REPO.findall(path.read_text(encoding="utf-8"))
    assert not hits, f"{path.relative_to(ROOT)} cites {hits}"


def test_in_headless_chromium_the_site_shows_plots_math_and_the_api(site):
    if browser.chromium() is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    assert browser.check_site(site) == []
