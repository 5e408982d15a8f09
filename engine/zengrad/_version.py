"""The package version (one place; the package, `zengrad info` and metrics.json read it)."""

__version__ = "0.1.0"
