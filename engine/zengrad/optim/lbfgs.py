"""L-BFGS: a quasi-Newton method that builds a curvature estimate from the last few steps."""

from __future__ import annotations

from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """PyTorch's L-BFGS. All parameters are treated as one flat vector x with gradient g.
    ``step(closure)`` runs up to ``max_iter`` iterations, each:

        d = −H·g          H ≈ (∇²f)⁻¹ from the last m pairs s = x_{k+1} − x_k, y = g_{k+1} − g_k
                          (pairs with y·s ≤ 1e-10 are skipped), by the two-loop recursion:
                            q ← −g;  for i newest→oldest: αᵢ = ρᵢ·sᵢ·q,  q ← q − αᵢ·yᵢ   (ρᵢ = 1/(yᵢ·sᵢ))
                            r ← γ·q with γ = y·s / y·y of the newest pair
                            for i oldest→newest: βᵢ = ρᵢ·yᵢ·r,  r ← r + (αᵢ − βᵢ)·sᵢ;   d = r
        x ← x + t·d       t = lr (on the very first iteration min(1, 1/‖g‖₁)·lr), or the step a
                          strong-Wolfe line search finds (``line_search_fn="strong_wolfe"``)

    and stops early when max|g| ≤ tolerance_grad, max|t·d| ≤ tolerance_change, the loss changed by
    less than tolerance_change, g·d > −tolerance_change (not a descent direction) or the closure
    was called ``max_eval`` times. The history persists between calls of ``step``. As in PyTorch,
    LBFGS takes a single parameter group and needs the closure (it re-evaluates the loss itself).
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None):
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    def add_param_group(self, param_group: dict) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    @property
    def _params(self) -> list:
        return self.param_groups[0]["params"]

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        raise TypeError("LBFGS updates all parameters together: call step(closure)")

    # ---- the parameters as one flat vector --------------------------------------------------
    def _flat_grad(self):
        xp = self._params[0].xp
        return xp.concatenate([xp.zeros(p.numel(), dtype=p.dtype) if p.grad is None else p.grad._data.reshape(-1)
                               for p in self._params])

    def _move(self, t: float, direction) -> None:
        """x ← x + t·d, parameter by parameter, in place."""
        offset = 0
        for param in self._params:
            size = param.numel()
            param._data += (t * direction[offset:offset + size]).reshape(param.shape).astype(param.dtype, copy=False)
            offset += size

    def _evaluate(self, closure) -> float:
        with enable_grad():
            return float(closure())

    # ---- one call -------------------------------------------------------------------------
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` clears the gradients, computes the
        loss, calls ``backward()`` and returns the loss. Returns the first loss it computed."""
        if closure is None:
            raise TypeError("LBFGS.step: a closure that re-evaluates the loss is required")
        group = self.param_groups[0]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            first_loss = closure()
        with no_grad():
            self._iterate(closure, group, state, float(first_loss))
        return first_loss

    def _iterate(self, closure, group: dict, state: dict, loss: float) -> None:
        state["func_evals"] += 1
        evaluations = 1
        grad = self._flat_grad()
        if _largest(grad) <= group["tolerance_grad"]:
            return
        history = _History.from_state(state, group["history_size"])
        direction, t = _array(state.get("d")), state.get("t")
        previous_grad, previous_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")
        for iteration in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                direction = -grad
                history.clear()
            else:
                history.add(t * direction, grad - previous_grad)
                direction = history.times_inverse_hessian(-grad)
            previous_grad = grad.copy()
            previous_loss = loss
            t = (min(1.0, 1.0 / float(abs(grad).sum())) if state["n_iter"] == 1 else 1.0) * group["lr"]
            slope = float(grad @ direction)
            if slope > -group["tolerance_change"]:
                break
            used = 0
            if group["line_search_fn"] == "strong_wolfe":
                loss, grad, t, used = self._line_search(closure, t, direction, loss, grad, slope,
                                                        group["max_eval"] - evaluations)
                self._move(t, direction)
            else:
                self._move(t, direction)
                if iteration != group["max_iter"]:
                    loss = self._evaluate(closure)
                    grad = self._flat_grad()
                    used = 1
            evaluations += used
            state["func_evals"] += used
            if iteration == group["max_iter"] or evaluations >= group["max_eval"] \
                    or _largest(grad) <= group["tolerance_grad"] \
                    or _largest(t * direction) <= group["tolerance_change"] \
                    or abs(loss - previous_loss) < group["tolerance_change"]:
                break
        state.update(d=Tensor(direction), t=t, prev_flat_grad=Tensor(previous_grad), prev_loss=previous_loss,
                     **history.to_state())

    def _line_search(self, closure, t, direction, loss, grad, slope, max_evaluations):
        start = [param._data.copy() for param in self._params]

        def evaluate(step):
            self._move(step, direction)
            new_loss = self._evaluate(closure)
            new_grad = self._flat_grad()
            for param, saved in zip(self._params, start):
                param._data[...] = saved
            return new_loss, new_grad

        return strong_wolfe(evaluate, t, direction, loss, grad, slope, max_evaluations=max_evaluations)

    def _check_state_entry(self, index: int, entry, value, shape: tuple) -> None:
        """LBFGS keeps its state under the first parameter: flat vectors over all parameters
        (``d``, ``prev_flat_grad``; lists of them in ``old_dirs``, ``old_stps``), the list ``ro``
        and numbers."""
        where = f"LBFGS.load_state_dict: state {entry!r}"
        if entry in ("old_dirs", "old_stps", "ro"):
            if not isinstance(value, list):
                raise ValueError(f"{where} is a {type(value).__name__}, not a list")
            for item in value:
                self._check_state_entry(index, "d" if entry != "ro" else "t", item, shape)
        elif entry in ("d", "prev_flat_grad") and value is not None:
            size = sum(p.numel() for p in self._params)
            found = tuple(getattr(value, "shape", ()))
            if found != (size,):
                raise ValueError(f"{where} is a vector of shape {found}; the parameters have {size} elements")
        else:
            super()._check_state_entry(index, entry, value, ())


def _largest(vector) -> float:
    """max |vᵢ| (0 for an empty vector)."""
    return float(abs(vector).max()) if vector.size else 0.0


def _array(value):
    return value._data if isinstance(value, Tensor) else value


class _History:
    """The last m curvature pairs (s, y) and ρ = 1/(y·s), oldest first, and γ = y·s / y·y."""

    def __init__(self, capacity: int, steps=(), changes=(), rhos=(), gamma=1.0):
        self.capacity = capacity
        self.steps, self.changes, self.rhos = list(steps), list(changes), list(rhos)
        self.gamma = gamma

    @classmethod
    def from_state(cls, state: dict, capacity: int) -> "_History":
        return cls(capacity, [_array(s) for s in state.get("old_stps", ())],
                   [_array(y) for y in state.get("old_dirs", ())], state.get("ro", ()), state.get("H_diag", 1.0))

    def to_state(self) -> dict:
        """PyTorch's names: old_dirs holds the y's, old_stps the s's, ro the ρ's, H_diag γ."""
        return dict(old_dirs=[Tensor(y) for y in self.changes], old_stps=[Tensor(s) for s in self.steps],
                    ro=list(self.rhos), H_diag=self.gamma)

    def clear(self) -> None:
        self.steps, self.changes, self.rhos, self.gamma = [], [], [], 1.0

    def add(self, step, change) -> None:
        """Keep the pair when y·s > 1e-10 (the curvature estimate stays positive definite)."""
        curvature = float(change @ step)
        if curvature <= 1e-10:
            return
        if len(self.steps) == self.capacity:
            del self.steps[0], self.changes[0], self.rhos[0]
        self.steps.append(step)
        self.changes.append(change)
        self.rhos.append(1.0 / curvature)
        self.gamma = curvature / float(change @ change)

    def times_inverse_hessian(self, vector):
        """H·vector by the two-loop recursion (see LBFGS's docstring)."""
        q = vector.copy()
        alphas = []
        for s, y, rho in zip(reversed(self.steps), reversed(self.changes), reversed(self.rhos)):
            alpha = rho * float(s @ q)
            q -= (alpha * y).astype(q.dtype, copy=False)
            alphas.append(alpha)
        r = (q * self.gamma).astype(q.dtype, copy=False)
        for s, y, rho, alpha in zip(self.steps, self.changes, self.rhos, reversed(alphas)):
            beta = rho * float(y @ r)
            r += ((alpha - beta) * s).astype(r.dtype, copy=False)
        return r
