"""A line search that meets the strong Wolfe conditions, for LBFGS (the procedure of Nocedal &
Wright, *Numerical Optimization*, algorithms 3.5 and 3.6, with cubic interpolation).

Along a direction d from x, φ(t) = f(x + t·d) and φ'(t) = ∇f(x + t·d)·d. A step t is accepted when

    φ(t) ≤ φ(0) + c₁·t·φ'(0)        (sufficient decrease: the loss fell enough)
    |φ'(t)| ≤ c₂·|φ'(0)|            (curvature: the slope flattened enough)

First phase: try growing steps until one is acceptable or an interval [t_lo, t_hi] is found that
must contain an acceptable step. Second phase ("zoom"): shrink that interval, each new trial the
minimiser of the cubic through both ends' values and slopes, kept away from the ends.
"""

from __future__ import annotations

import math


def cubic_minimizer(t1: float, f1: float, g1: float, t2: float, f2: float, g2: float,
                    bounds: tuple | None = None) -> float:
    """The minimiser of the cubic with values f1, f2 and slopes g1, g2 at t1, t2, clipped to
    ``bounds`` (default: between t1 and t2); the middle of the bounds when the cubic has none.

        d₁ = g₁ + g₂ − 3·(f₁ − f₂)/(t₁ − t₂)      d₂ = √(d₁² − g₁·g₂)
        t* = b − (b − a)·(g_b + d₂ − d₁) / (g_b − g_a + 2·d₂)       (a ≤ b the two points)
    """
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    middle = (low + high) / 2.0
    if t1 == t2:
        return middle
    d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
    d2_squared = d1 * d1 - g1 * g2
    if not d2_squared >= 0:
        return middle
    d2 = math.sqrt(d2_squared)
    (a, slope_a), (b, slope_b) = ((t1, g1), (t2, g2)) if t1 <= t2 else ((t2, g2), (t1, g1))
    denominator = slope_b - slope_a + 2 * d2
    if denominator == 0:
        return middle
    best = b - (b - a) * ((slope_b + d2 - d1) / denominator)
    return min(max(best, low), high)


class _Trial:
    """One evaluated step: t, φ(t), ∇f there (a flat array) and the slope φ'(t)."""

    __slots__ = ("t", "loss", "grad", "slope")

    def __init__(self, t, loss, grad, slope):
        self.t, self.loss, self.grad, self.slope = t, loss, grad, slope


def strong_wolfe(evaluate, t: float, direction, loss: float, grad, slope: float, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_evaluations: int = 25):
    """Search along ``direction`` from the current point (loss, flat ``grad``, ``slope`` = grad·d < 0),
    first trying step ``t``. ``evaluate(t)`` returns (loss, flat gradient) at x + t·d and leaves the
    parameters at x. Returns (loss, gradient, t, evaluations) of the step chosen.
    """
    step_scale = float(abs(direction).max())
    start = _Trial(0.0, loss, grad.copy(), slope)

    def trial(t):
        new_loss, new_grad = evaluate(t)
        return _Trial(t, new_loss, new_grad, float(new_grad @ direction))

    def decreased_enough(point):
        return point.loss <= loss + c1 * point.t * slope

    def flat_enough(point):
        return abs(point.slope) <= -c2 * slope

    current, previous = trial(t), start
    evaluations, iterations = 1, 0
    bracket = None
    while iterations < max_evaluations:
        if not decreased_enough(current) or (iterations > 1 and current.loss >= previous.loss):
            bracket = [previous, current]
            break
        if flat_enough(current):
            return current.loss, current.grad, current.t, evaluations
        if current.slope >= 0:
            bracket = [previous, current]
            break
        next_t = cubic_minimizer(previous.t, previous.loss, previous.slope, current.t, current.loss, current.slope,
                                 bounds=(current.t + 0.01 * (current.t - previous.t), current.t * 10))
        previous, current = current, trial(next_t)
        evaluations += 1
        iterations += 1
    if bracket is None:
        return _best_of(start, current, evaluations)
    return _zoom(bracket, trial, decreased_enough, flat_enough, step_scale, tolerance_change, iterations,
                 max_evaluations, evaluations)


def _best_of(start: _Trial, last: _Trial, evaluations: int):
    """Out of evaluations while still growing the step: the lower of the start and the last trial."""
    chosen = start if start.loss <= last.loss else last
    return chosen.loss, chosen.grad, chosen.t, evaluations


def _zoom(bracket, trial, decreased_enough, flat_enough, step_scale, tolerance_change, iterations, max_evaluations,
          evaluations):
    """Shrink ``bracket`` (two trials around an acceptable step) until a trial meets both conditions,
    the interval is shorter than ``tolerance_change`` (in parameter change) or evaluations run out."""
    stuck = False
    low, high = (0, 1) if bracket[0].loss <= bracket[1].loss else (1, 0)
    while iterations < max_evaluations:
        left, right = min(p.t for p in bracket), max(p.t for p in bracket)
        if (right - left) * step_scale < tolerance_change:
            break
        t = cubic_minimizer(bracket[0].t, bracket[0].loss, bracket[0].slope,
                            bracket[1].t, bracket[1].loss, bracket[1].slope)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:
            if stuck or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                stuck = False
            else:
                stuck = True
        else:
            stuck = False
        point = trial(t)
        evaluations += 1
        iterations += 1
        if not decreased_enough(point) or point.loss >= bracket[low].loss:
            bracket[high] = point
            low, high = (0, 1) if bracket[0].loss <= bracket[1].loss else (1, 0)
            continue
        if flat_enough(point):
            bracket[low] = point
            break
        if point.slope * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]
        bracket[low] = point
    chosen = bracket[low]
    return chosen.loss, chosen.grad, chosen.t, evaluations
