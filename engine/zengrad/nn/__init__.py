"""Neural-network building blocks (``zengrad.nn``)."""

from . import functional

__all__ = ["functional"]
