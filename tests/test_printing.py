"""``repr(tensor)`` laid out as PyTorch's (number format, alignment, wrapping, summarising, suffixes)
and ``set_printoptions``, compared with PyTorch's text (``zengrad.`` read as ``torch.``)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import zengrad as zg

torch = pytest.importorskip("torch")


def _same_text(make):
    theirs = repr(make(torch))
    mine = repr(make(zg)).replace("zengrad.", "torch.")
    assert mine == theirs, f"\nzengrad: {mine}\npytorch: {theirs}"


EXAMPLES = {
    "fractions": lambda m: m.tensor([1.0, 2.0, 3.5]),
    "scientific": lambda m: m.tensor([1e-5, 1e5]),
    "non-finite": lambda m: m.tensor([1.0, float("nan"), float("inf"), -float("inf")]),
    "empty 2-d": lambda m: m.zeros(2, 0),
    "empty ints and bools": lambda m: (m.zeros(0, dtype=m.int64), m.zeros(2, 0, dtype=m.bool)),
    "float64": lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    "int32": lambda m: m.tensor([1, 2], dtype=m.int32),
    "summarised": lambda m: m.arange(2000.0),
    "summarised 2-d": lambda m: m.arange(3000).reshape(30, 100),
    "3-d": lambda m: m.arange(60.0).reshape(3, 4, 5) / 7,
    "grad_fn": lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    "0-d with grad_fn": lambda m: m.tensor(2.5, requires_grad=True).sum(),
    "wrapped rows": lambda m: m.linspace(-1, 1, 30),
    "wide then suffix": lambda m: (m.arange(11, dtype=m.float64) - 5) * 1e-3 + 0.25,
    "bools": lambda m: m.tensor([[True, False], [False, False]]),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_repr_is_pytorchs(name):
    _same_text(EXAMPLES[name])


@given(values=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=7),
                         elements=st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.0, -0.0, np.inf, np.nan]),
                                            st.floats(1e-7, 1e-3), st.integers(-50, 50).map(float))),
       dtype=st.sampled_from(["float32", "float64"]))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_repr_of_generated_tensors_is_pytorchs(values, dtype):
    _same_text(lambda m: m.tensor(values, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("settings_", [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False),
                                      dict(threshold=5, edgeitems=1), dict(linewidth=30), dict(profile="short")])
def test_set_printoptions_as_pytorch(settings_):
    try:
        for lib in (zg, torch):
            lib.set_printoptions(**settings_)
        _same_text(lambda m: m.arange(12.0).reshape(3, 4) / 3 - 1)
        _same_text(lambda m: m.tensor([123.456, 1e-3]))
    finally:
        for lib in (zg, torch):
            lib.set_printoptions(profile="default", sci_mode=None)
