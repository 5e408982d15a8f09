"""Every op: backward agrees with central differences (gradcheck), and so do second derivatives."""

import numpy as np
import pytest

import zengrad as zg
from op_table import CASES, draw

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _inputs(case, device, seed):
    rng = np.random.default_rng(seed)
    return [zg.tensor(draw(rng, shape, case.domain), dtype=zg.float64, device=device, requires_grad=True)
            for shape in case.shapes]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_gradcheck(case, device):
    inputs = _inputs(case, device, seed=len(case.name))
    assert zg.autograd.gradcheck(lambda *xs: case.fn(zg, *xs), inputs)


@pytest.mark.parametrize("case", [c for c in CASES if c.second_order], ids=lambda c: c.name)
def test_gradgradcheck(case, device):
    inputs = _inputs(case, device, seed=len(case.name) + 1)
    assert zg.autograd.gradgradcheck(lambda *xs: case.fn(zg, *xs), inputs)


def test_gradcheck_catches_a_wrong_gradient():
    """The checker itself must be able to fail."""

    class WrongSquare(zg.autograd.Function):
        def forward(self, a):
            return a * a

        def backward(self, g):
            return g * self.inputs[0] * 3  # correct would be 2

    x = zg.tensor(np.random.default_rng(0).standard_normal(4), dtype=zg.float64, requires_grad=True)
    with pytest.raises(AssertionError, match="Jacobian mismatch"):
        zg.autograd.gradcheck(lambda a: WrongSquare.apply(a), [x])


def test_gradcheck_requires_float64():
    x = zg.randn(3, requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        zg.autograd.gradcheck(lambda a: a * 2, [x])
