"""LBFGS (with and without the strong-Wolfe line search) against torch.optim.LBFGS: the same
iterates, losses and evaluation counts, on a curved 2-D problem and on a small network; resuming
from a state_dict; the averaged weights of ASGD."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from conftest import to_numpy
from torch_bridge import assert_close, load_from_torch

from zengrad.optim.line_search import cubic_minimizer

torch = pytest.importorskip("torch")


def _rosenbrock(lib, x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _closure(lib, opt, params, loss_of):
    def closure():
        opt.zero_grad()
        loss = loss_of(lib, *params)
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize("kwargs", [dict(lr=0.5, max_iter=7), dict(line_search_fn="strong_wolfe"),
                                    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=9, max_eval=11),
                                    dict(lr=0.1, tolerance_change=1e-3)])
def test_rosenbrock_iterates_match_torch(kwargs):
    start = np.array([-1.3, 1.7])
    mine = zg.tensor(start.copy(), requires_grad=True)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt, topt = zg.optim.LBFGS([mine], **kwargs), torch.optim.LBFGS([theirs], **kwargs)
    for call in range(4):
        loss = opt.step(_closure(zg, opt, [mine], _rosenbrock))
        tloss = topt.step(_closure(torch, topt, [theirs], _rosenbrock))
        assert float(loss) == pytest.approx(tloss.item(), rel=1e-9, abs=1e-12), f"loss of call {call}"
        np.testing.assert_allclose(to_numpy(mine), theirs.detach().numpy(), rtol=1e-7, atol=1e-10,
                                   err_msg=f"iterate after call {call}")
        state, tstate = opt.state[mine], topt.state[theirs]
        assert (state["func_evals"], state["n_iter"]) == (tstate["func_evals"], tstate["n_iter"])
        assert len(state["old_dirs"]) == len(tstate["old_dirs"])


def _network():
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    ours = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    load_from_torch(ours, theirs)
    for param in ours.parameters():
        param.data = param._data.astype(np.float64)
    return ours, theirs


def _fit(lib, model, opt, x, y):
    def closure():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        return loss
    return opt.step(closure)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_network_fit_matches_torch_and_resumes_from_state_dict(rng, line_search_fn):
    x = rng.standard_normal((11, 3))
    y = np.sin(x.sum(axis=1, keepdims=True))
    ours, theirs = _network()
    kwargs = dict(lr=0.8 if line_search_fn is None else 1, max_iter=5, history_size=3, line_search_fn=line_search_fn)
    opt, topt = zg.optim.LBFGS(ours.parameters(), **kwargs), torch.optim.LBFGS(theirs.parameters(), **kwargs)
    losses = []
    for call in range(4):
        if call == 2:
            saved = opt.state_dict()
            opt = zg.optim.LBFGS(ours.parameters(), **kwargs)
            opt.load_state_dict(saved)
        loss = _fit(zg, ours, opt, zg.tensor(x), zg.tensor(y))
        tloss = _fit(torch, theirs, topt, torch.tensor(x), torch.tensor(y))
        assert float(loss) == pytest.approx(tloss.item(), rel=1e-8)
        for (name, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert_close(mine, reference, rtol=1e-6, atol=1e-9, what=f"{name} after call {call}")
        losses.append(float(loss))
    assert losses[-1] < losses[0]


def test_float32_network_fits_like_torch(rng):
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 7), torch.nn.Tanh(), torch.nn.Linear(7, 2))
    ours = nn.Sequential(nn.Linear(4, 7), nn.Tanh(), nn.Linear(7, 2))
    load_from_torch(ours, theirs)
    x = rng.standard_normal((13, 4)).astype(np.float32)
    y = rng.standard_normal((13, 2)).astype(np.float32)
    opt = zg.optim.LBFGS(ours.parameters(), line_search_fn="strong_wolfe", max_iter=4)
    topt = torch.optim.LBFGS(theirs.parameters(), line_search_fn="strong_wolfe", max_iter=4)
    first = float(_fit(zg, ours, opt, zg.tensor(x), zg.tensor(y)))
    _fit(torch, theirs, topt, torch.tensor(x), torch.tensor(y))
    for (name, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(mine, reference, rtol=1e-3, atol=1e-4, what=name)
    assert float(_fit(zg, ours, opt, zg.tensor(x), zg.tensor(y))) < first


def test_stops_at_once_where_the_gradient_vanishes():
    point = zg.tensor([1.0, 1.0], dtype=zg.float64, requires_grad=True)
    opt = zg.optim.LBFGS([point])
    loss = opt.step(_closure(zg, opt, [point], _rosenbrock))
    assert float(loss) == 0.0
    np.testing.assert_array_equal(to_numpy(point), [1.0, 1.0])
    assert opt.state[point]["func_evals"] == 1 and opt.state[point]["n_iter"] == 0


def test_argument_and_state_errors():
    a, b = nn.Parameter(zg.ones(2)), nn.Parameter(zg.ones(3))
    with pytest.raises(ValueError, match="parameter groups"):
        zg.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="parameter groups"):
        zg.optim.LBFGS([a]).add_param_group({"params": [b]})
    with pytest.raises(ValueError, match="line_search_fn"):
        zg.optim.LBFGS([a], line_search_fn="armijo")
    with pytest.raises(ValueError, match="learning rate"):
        zg.optim.LBFGS([a], lr=-1.0)
    opt = zg.optim.LBFGS([a])
    with pytest.raises(TypeError, match="closure"):
        opt.step()

    def closure():
        opt.zero_grad()
        loss = ((a - 3.0) ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    saved = opt.state_dict()
    other = zg.optim.LBFGS([b])
    with pytest.raises(ValueError, match="elements"):
        other.load_state_dict(saved)


def test_cubic_minimizer_finds_a_cubics_minimum():
    cubic = np.polynomial.Polynomial([2.0, -3.0, 0.5, 0.4])
    slope = cubic.deriv()
    t1, t2 = -0.5, 3.0
    found = cubic_minimizer(t1, cubic(t1), slope(t1), t2, cubic(t2), slope(t2))
    expected = max(r.real for r in slope.roots() if abs(r.imag) < 1e-12 and cubic.deriv(2)(r.real) > 0)
    assert found == pytest.approx(expected, rel=1e-12)
    assert cubic_minimizer(t2, cubic(t2), slope(t2), t1, cubic(t1), slope(t1)) == pytest.approx(expected, rel=1e-12)
    assert cubic_minimizer(0.0, 0.0, 1.0, 1.0, 2 / 3, 1.0, bounds=(0.2, 0.6)) == pytest.approx(0.4)  # no minimum
    assert cubic_minimizer(2.0, 1.0, -1.0, 2.0, 1.0, -1.0, bounds=(1.0, 3.0)) == 2.0  # one point twice


def test_asgd_average_matches_torch(rng):
    ours, theirs = (nn.Linear(3, 2), torch.nn.Linear(3, 2))
    load_from_torch(ours, theirs)
    opt = zg.optim.ASGD(ours.parameters(), lr=0.1, t0=1)
    topt = torch.optim.ASGD(theirs.parameters(), lr=0.1, t0=1)
    for _ in range(5):
        x = rng.standard_normal((4, 3)).astype(np.float32)
        opt.zero_grad()
        topt.zero_grad()
        (ours(zg.tensor(x)) ** 2).sum().backward()
        (theirs(torch.tensor(x)) ** 2).sum().backward()
        opt.step()
        topt.step()
    for mine, reference in zip(ours.parameters(), theirs.parameters()):
        assert_close(opt.state[mine]["ax"], topt.state[reference]["ax"], rtol=1e-5, atol=1e-6, what="average")
        assert opt.state[mine]["eta"] == pytest.approx(float(topt.state[reference]["eta"]), rel=1e-6)
        assert opt.state[mine]["mu"] == pytest.approx(float(topt.state[reference]["mu"]))
