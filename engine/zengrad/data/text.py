"""Text corpora for character-level language models.

The default corpus is the Python standard library's own source code, which every Python
installation carries: nothing is downloaded or redistributed.
"""

from __future__ import annotations

import dataclasses
import sysconfig
from pathlib import Path

import numpy as np


@dataclasses.dataclass
class CharCorpus:
    """A text with its character vocabulary; ``encode``/``decode`` map text <-> int64 codes."""

    text: str
    chars: str
    source: str

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(text) - lookup.keys())
        if unknown:
            raise ValueError(f"encode: characters not in the vocabulary: {unknown[:10]!r}")
        return np.fromiter((lookup[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, codes) -> str:
        return "".join(self.chars[int(i)] for i in codes)

    def codes(self) -> np.ndarray:
        return self.encode(self.text)

    def split(self, validation_fraction: float = 0.1):
        """(train codes, validation codes): the last fraction of the text is held out."""
        codes = self.codes()
        cut = int(len(codes) * (1 - validation_fraction))
        return codes[:cut], codes[cut:]


STDLIB_MODULES = ("textwrap.py", "string/__init__.py", "heapq.py", "bisect.py", "fnmatch.py",
                  "glob.py", "shlex.py", "colorsys.py", "keyword.py", "queue.py", "sched.py",
                  "copy.py", "abc.py", "this.py", "weakref.py", "operator.py", "functools.py")


def _standard_library_text(max_chars: int) -> tuple[str, str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    pieces, used = [], []
    for name in STDLIB_MODULES:
        path = stdlib / name
        if path.is_file():
            pieces.append(path.read_text(encoding="utf-8", errors="replace"))
            used.append(name)
        if sum(map(len, pieces)) >= max_chars:
            break
    if not pieces:
        raise FileNotFoundError(f"text: no standard-library sources found under {stdlib}")
    return "".join(pieces)[:max_chars], f"Python standard library ({stdlib}): {', '.join(used)}"


def text(path=None, max_chars: int = 200_000) -> CharCorpus:
    """A character corpus from ``path`` (any UTF-8 file), or by default from Python's own sources.

    Only the first ``max_chars`` characters are kept, so training time stays bounded.
    """
    if path is None:
        body, source = _standard_library_text(max_chars)
    else:
        path = Path(path)
        try:
            body = path.read_text(encoding="utf-8", errors="replace")[:max_chars]
        except OSError as error:
            raise FileNotFoundError(f"text: cannot read {path}: {error}") from error
        source = str(path)
        if len(body) < 2:
            raise ValueError(f"text: {path} holds fewer than 2 characters")
    return CharCorpus(body, "".join(sorted(set(body))), source)
