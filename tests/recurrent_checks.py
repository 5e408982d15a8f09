"""Checks the recurrent-layer tests share: a backward against central differences, and two
computations of one layer's outputs held to each other in values and gradients."""

import numpy as np

import zengrad as zg
from conftest import to_numpy


def assert_matches_finite_differences(loss, arrays, analytic, names, step=1e-6):
    """Each analytic gradient equals the central difference of ``loss(*arrays)`` (float64 arrays,
    perturbed in place one element at a time and restored)."""
    for name, array, gradient in zip(names, arrays, analytic):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + step
            up = loss(*arrays)
            array[index] = saved - step
            down = loss(*arrays)
            array[index] = saved
            numeric[index] = (up - down) / (2 * step)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def assert_same_outputs_and_gradients(first, second, leaves, rng):
    """Two float64 computations (output tuples) from the same leaf tensors agree in every output and,
    for one random weighting of the outputs, in every leaf's gradient."""
    seeds = [rng.standard_normal(t.shape) for t in second]
    grads = []
    for outs in (first, second):
        for t in leaves:
            t.grad = None
        sum((o * zg.tensor(s, dtype=zg.float64)).sum() for o, s in zip(outs, seeds)).backward()
        grads.append([to_numpy(t.grad) for t in leaves])
    for a, b in zip(first, second):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-12, atol=1e-12)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
