"""Time series for sequence models: synthetic ones generated on demand, and one real series.

* ``"sines"``: a sum of two sines with noise (synthetic, seeded);
* ``"counting"``: the integers 1, 2, 3, ... — the "predict the next number" task;
* ``"sunspots"``: yearly sunspot numbers 1700–2008 (NOAA, public domain; shipped as CSV).
"""

from __future__ import annotations

import csv
import importlib.resources

import numpy as np

NAMES = ("sines", "counting", "sunspots")


def series(name: str = "sines", length: int = 1000, seed: int = 0) -> np.ndarray:
    """A 1-D float32 series by name (``length`` and ``seed`` apply to the synthetic ones)."""
    if name == "sines":
        t = np.arange(length, dtype=np.float64)
        noise = np.random.default_rng(seed).normal(0, 0.05, length)
        return (np.sin(2 * np.pi * t / 25) + 0.5 * np.sin(2 * np.pi * t / 7.3) + noise).astype(np.float32)
    if name == "counting":
        return np.arange(1, length + 1, dtype=np.float32)
    if name == "sunspots":
        with importlib.resources.files(__package__).joinpath("sunspots.csv").open("r") as handle:
            rows = list(csv.DictReader(handle))
        return np.array([float(r["SUNACTIVITY"]) for r in rows], dtype=np.float32)
    raise ValueError(f"series: unknown series {name!r}; choose from {NAMES}")


def windows(values: np.ndarray, length: int, horizon: int = 1):
    """Sliding windows for forecasting: inputs ``values[i : i+length]`` and targets shifted by
    ``horizon``, as float32 arrays of shape (count, length)."""
    count = len(values) - length - horizon + 1
    if count <= 0:
        raise ValueError(f"windows: a series of {len(values)} values is too short for windows of "
                         f"{length} with horizon {horizon}")
    index = np.arange(length)[None, :] + np.arange(count)[:, None]
    return values[index], values[index + horizon]
