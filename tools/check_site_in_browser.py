"""Open the built documentation site in headless Chromium, with every host name unresolvable, and
check what a reader would see: a tutorial page with its plots, formulas typeset by the vendored
MathJax, and the API reference generated from the docstrings.

    python tools/check_site_in_browser.py                 # builds the site (executing notebook 02) first
    python tools/check_site_in_browser.py --site site/    # checks a site built already
    python tools/check_site_in_browser.py --screenshots shots/

Chromium is Debian's ``chromium`` package (``apt-get install chromium``); without it the script
says so and exits with status 2. ``tests/test_docs.py`` runs the same checks when Chromium exists.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = "tutorials/02_perceptron/index.html"
MATH_PAGES = ("models/gan/index.html", "kernels/cpu-lstm/index.html", "tutorials/06_derivations/index.html")
API_PAGE = "api/tensor-and-autograd/index.html"
NO_NETWORK = "MAP * ~NOTFOUND"


def chromium() -> str | None:
    """The path of a Chromium or Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _browser_args(binary: str) -> list[str]:
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--host-resolver-rules={NO_NETWORK}", "--virtual-time-budget=30000"]


def rendered_dom(page: Path) -> str:
    """The page's DOM after its scripts ran (MathJax included)."""
    result = subprocess.run(_browser_args(chromium()) + ["--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed on {page}: {result.stderr[-2000:]}")
    return result.stdout


def screenshot(page: Path, out: Path) -> None:
    subprocess.run(_browser_args(chromium()) + ["--window-size=1280,2400", f"--screenshot={out}", page.as_uri()],
                   capture_output=True, timeout=180, check=True)


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return struct.unpack(">II", data[16:24])


def _text_outside_tags(dom: str) -> str:
    dom = re.sub(r"<(script|style|svg|mjx-container)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"<[^>]+>", " ", dom)


def check_tutorial(site: Path) -> list[str]:
    dom = rendered_dom(site / TUTORIAL)
    images = [base64.b64decode(m) for m in re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', dom)]
    sizes = [_png_size(image) for image in images]
    problems = []
    if not any(w >= 200 and h >= 150 for w, h in sizes):
        problems.append(f"{TUTORIAL}: no plot (PNG of at least 200×150) among {len(images)} images {sizes}")
    if "jp-OutputArea" not in dom and "output_area" not in dom:
        problems.append(f"{TUTORIAL}: no cell outputs at all (was the notebook executed?)")
    return problems


def check_math(site: Path, page: str) -> list[str]:
    dom = rendered_dom(site / page)
    problems = []
    typeset = len(re.findall(r"<mjx-container\b", dom))
    if typeset == 0:
        problems.append(f"{page}: no formula was typeset (MathJax did not run)")
    errors = len(re.findall(r'<g[^>]*data-mml-node="merror"', dom))
    if errors:
        problems.append(f"{page}: {errors} formulas have TeX errors")
    raw = re.findall(r"\\[\[\(].{0,40}", _text_outside_tags(dom))
    if raw:
        problems.append(f"{page}: formulas left as raw TeX: {raw[:3]}")
    return problems


def check_api(site: Path) -> list[str]:
    dom = rendered_dom(site / API_PAGE)
    problems = []
    for expected in ("zengrad.tensor.Tensor", "backward", "gradcheck"):
        if expected not in dom:
            problems.append(f"{API_PAGE}: '{expected}' is missing")
    if len(re.findall(r'class="doc doc-heading"', dom)) < 5:
        problems.append(f"{API_PAGE}: fewer than 5 documented objects")
    return problems


def check_site(site: Path) -> list[str]:
    """Every problem found, as sentences; an empty list when the site passes."""
    problems = check_tutorial(site) + check_api(site)
    for page in MATH_PAGES:
        problems += check_math(site, page)
    return problems


def build_site(out: Path, execute: str = "02_*") -> None:
    environment = dict(os.environ, ZENGRAD_DOCS_EXECUTE=execute, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                   env=environment, check=True, timeout=900)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=None, help="a built site (default: build one now)")
    parser.add_argument("--screenshots", type=Path, default=None, help="also save PNG screenshots here")
    args = parser.parse_args(argv)
    if chromium() is None:
        print("no Chromium found (apt-get install chromium); nothing checked")
        return 2
    with tempfile.TemporaryDirectory(prefix="zengrad-site-") as folder:
        site = args.site or Path(folder) / "site"
        if args.site is None:
            build_site(site)
        problems = check_site(site)
        if args.screenshots:
            args.screenshots.mkdir(parents=True, exist_ok=True)
            for page in (TUTORIAL, API_PAGE) + MATH_PAGES:
                screenshot(site / page, args.screenshots / (page.split("/")[-2] + ".png"))
    for problem in problems:
        print("FAIL:", problem)
    print("the site passes in Chromium" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
