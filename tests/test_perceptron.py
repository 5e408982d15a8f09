"""The perceptron: Rosenblatt's rule on the toy set and on random separable data."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import nn
from zengrad.models.perceptron import TOY_X, TOY_Y, separable_set, train_sigmoid_neuron


def test_toy_set_is_learned_perfectly():
    p = nn.Perceptron(2).fit(TOY_X, TOY_Y)
    np.testing.assert_array_equal(p.predict(TOY_X).numpy(), TOY_Y)
    assert p.converged_ and p.mistakes_[-1] == 0 and p.epochs_ == len(p.mistakes_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_separable_set(seed):
    X, y = separable_set(n=500, margin=0.05, seed=seed)
    p = nn.Perceptron(2).fit(X[:400], y[:400], epochs=1000)
    assert p.converged_
    assert np.mean(p.predict(X[400:]).numpy() == y[400:]) >= 0.98


def test_rosenblatt_update_rule_by_hand():
    """One mistake on x = (2, −1), y = +1 from w = 0, b = 0 gives w = (2, −1), b = 1."""
    p = nn.Perceptron(2).fit(np.array([[2.0, -1.0]]), np.array([1.0]), epochs=1)
    np.testing.assert_array_equal(p.weight.detach().numpy(), [2.0, -1.0])
    np.testing.assert_array_equal(p.bias.detach().numpy(), [1.0])
    assert p.mistakes_ == [1]


def test_stops_at_epoch_limit_on_inseparable_data():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])  # XOR: no line separates it
    p = nn.Perceptron(2).fit(X, y, epochs=25)
    assert p.epochs_ == 25 and not p.converged_


def test_bad_input_is_refused():
    p = nn.Perceptron(3)
    with pytest.raises(ValueError, match="labels must be"):
        p.fit(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        p.fit(np.zeros((2, 2)), np.array([1, -1]))
    with pytest.raises(ValueError, match="n_features"):
        nn.Perceptron(0)


def test_state_dict_round_trip(tmp_path):
    X, y = separable_set(seed=4)
    p = nn.Perceptron(2).fit(X, y)
    zg.save(p.state_dict(), tmp_path / "p.zg")
    q = nn.Perceptron(2)
    q.load_state_dict(zg.load(tmp_path / "p.zg"))
    np.testing.assert_array_equal(q.predict(X).numpy(), p.predict(X).numpy())


def test_sigmoid_neuron_also_separates():
    X, y = separable_set(seed=5)
    neuron, _, losses = train_sigmoid_neuron(X, y, epochs=200)
    scores = neuron(zg.tensor(X, dtype=zg.float32)).detach().numpy()[:, 0]
    assert losses[-1] < losses[0] / 3
    assert np.mean(np.where(scores >= 0, 1, -1) == y) >= 0.98
