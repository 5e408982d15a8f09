"""Custom autograd Functions written as PyTorch users write them (static forward(ctx, ...) and
backward(ctx, ...), or forward plus setup_context), run side by side in zengrad and PyTorch:
values, gradients, non-tensor arguments, several outputs with one marked non-differentiable,
double backward through saved outputs, needs_input_grad, and the errors PyTorch raises."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def functions(lib):
    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y, None

    class MaxAndDouble(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.max(dim=1)
            ctx.save_for_backward(x, indices)
            ctx.mark_non_differentiable(indices)
            return values, indices, x * 2

        @staticmethod
        def backward(ctx, grad_values, grad_indices, grad_double):
            x, indices = ctx.saved_tensors
            grad = lib.zeros_like(x)
            grad[lib.arange(x.shape[0]), indices] = grad_values
            return grad + 2 * grad_double

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (ctx.x,) = inputs

        @staticmethod
        def backward(ctx, grad):
            return grad * 3 * ctx.x ** 2

    return ScaledExp, MaxAndDouble, Cube


def _run(lib, data, weights):
    scaled_exp, max_and_double, cube = functions(lib)
    x = lib.tensor(data, requires_grad=True)
    y = scaled_exp.apply(x, 0.5)
    values, indices, doubled = max_and_double.apply(x)
    loss = (y * lib.tensor(weights)).sum() + 3 * values.sum() + (doubled * doubled).sum() + cube.apply(x).sum()
    (grad,) = lib.autograd.grad(loss, x, create_graph=True)
    (grad * grad).sum().backward()
    return [t.detach().numpy() for t in (y, values, indices, doubled, grad, x.grad)] + \
        [indices.requires_grad, doubled.requires_grad]


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (2, 7)])
def test_custom_functions_match_torch(rng, shape):
    data = rng.standard_normal(shape)
    weights = rng.standard_normal(shape)
    ours, theirs = _run(zg, data, weights), _run(torch, data, weights)
    for a, b in zip(ours[:6], theirs[:6]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert ours[6:] == theirs[6:]


def test_needs_input_grad_and_no_recording_without_grad():
    for lib in (zg, torch):
        scaled_exp = functions(lib)[0]
        x = lib.ones(3, requires_grad=True)
        ctx_flags = []

        class Probe(scaled_exp):
            @staticmethod
            def forward(ctx, x, scale):
                ctx_flags.append(ctx.needs_input_grad)
                return scaled_exp.forward(ctx, x, scale)

        Probe.apply(x, 2.0)
        with lib.no_grad():
            assert not Probe.apply(x, 2.0).requires_grad
        assert ctx_flags[0] == (True, False)


def test_errors_are_torchs():
    for lib in (zg, torch):
        scaled_exp = functions(lib)[0]
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = scaled_exp.apply(x, 1.0)
        with lib.no_grad():
            out.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()

        class TooMany(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            TooMany.apply(lib.ones(2, requires_grad=True)).sum().backward()


def test_once_differentiable_backward_as_pytorch():
    from zengrad.autograd.function import once_differentiable

    def make(module, decorate):
        class Square(module.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @decorate
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 2 * x
        return Square

    ours, theirs = make(zg, once_differentiable), make(torch, torch.autograd.function.once_differentiable)
    x, tx = zg.tensor([1.0, -2.0], requires_grad=True), torch.tensor([1.0, -2.0], requires_grad=True)
    ours.apply(x).pow(3).sum().backward()
    theirs.apply(tx).pow(3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    seed = zg.ones(2, requires_grad=True)  # a gradient that is itself differentiated: refused, not zero
    (g,) = zg.autograd.grad(ours.apply(x), x, seed, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()
    their_seed = torch.ones(2, requires_grad=True)
    (tg,) = torch.autograd.grad(theirs.apply(tx), tx, their_seed, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        tg.sum().backward()
