"""The autograd API as PyTorch users call it, compared with PyTorch: ``autograd.backward`` and
``autograd.grad`` arguments, assigning ``.grad``, ``detach_``, the errors they raise."""

import warnings

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _leaves(m):
    return m.tensor([1.0, 2.0, 3.0], requires_grad=True), m.tensor([0.5, -1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("with_gradients", [False, True])
def test_autograd_backward_takes_sequences_of_tensors_and_gradients(with_gradients):
    results = []
    for m in (zg, torch):
        a, b = _leaves(m)
        outputs = [(a * b).sum(), (a.exp() * 2).sum()] if not with_gradients else [a * b, a.exp()]
        gradients = None if not with_gradients else [m.tensor([1.0, -2.0, 3.0]), m.tensor([0.5, 0.5, 7.0])]
        m.autograd.backward(outputs, gradients)
        results.append((a.grad.detach().numpy().astype(np.float64), b.grad.detach().numpy().astype(np.float64)))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)


def test_backward_casts_the_gradient_to_the_output_dtype_and_refuses_non_tensors():
    for m in (zg, torch):
        a, _ = _leaves(m)
        (a * 2).backward(m.tensor([1.0, 1.0, 1.0], dtype=m.float64))
        assert a.grad.dtype == m.float32
        with pytest.raises(TypeError):
            (a * 2).backward([1.0, 1.0, 1.0])
        with pytest.raises(RuntimeError):
            (a * 2).backward(m.ones(4))
        with pytest.raises(RuntimeError, match="does not require grad"):
            m.autograd.backward([(a * 2).sum(), m.ones(()).sum()])


def test_grad_materialize_grads_gives_zeros_for_unused_inputs():
    for m in (zg, torch):
        a, b = _leaves(m)
        ga, gb = m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
        assert gb.shape == b.shape and not gb.abs().sum().item() and ga.tolist() == [2.0, 2.0, 2.0]
        with pytest.raises(ValueError):
            m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True, allow_unused=False)
        assert m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)[1] is None
        with pytest.raises(RuntimeError):
            m.autograd.grad((a * 2).sum(), [a, b])


def test_assigning_grad_checks_its_shape_and_type():
    for m in (zg, torch):
        a, _ = _leaves(m)
        with pytest.raises(RuntimeError):
            a.grad = m.ones(4)
        with pytest.raises(TypeError):
            a.grad = [1.0, 2.0, 3.0]
        a.grad = m.ones(3)
        a.grad = None
        assert a.grad is None


def test_detach_in_place_is_refused_for_views():
    for m in (zg, torch):
        a, _ = _leaves(m)
        with pytest.raises(RuntimeError, match="detach views in-place"):
            (a * 2)[1:].detach_()
        with pytest.raises(RuntimeError, match="detach views in-place"):
            m.zeros(4)[::2].detach_()
        b = a * 2
        assert b.detach_() is b and b.is_leaf and not b.requires_grad


GRAD_FN_NAMES = {
    "matmul 2-d": lambda m, a, b: a @ b, "mv": lambda m, a, b: a @ b[:, 0], "dot": lambda m, a, b: a[0] @ a[1],
    "bmm": lambda m, a, b: m.bmm(a[None], b[None]), "view": lambda m, a, b: a.view(15),
    "reshape": lambda m, a, b: a.reshape(5, 3), "reshape to the same shape": lambda m, a, b: a.reshape(3, 5),
    "flatten": lambda m, a, b: a.flatten(), "select": lambda m, a, b: a[1], "slice": lambda m, a, b: a[1:],
    "slice of a select": lambda m, a, b: a[0, 1:], "select of a slice": lambda m, a, b: a[1:, 0],
    "full slice": lambda m, a, b: a[:], "step slice": lambda m, a, b: a[:, ::2], "None": lambda m, a, b: a[0, None],
    "index array": lambda m, a, b: a[m.tensor([0, 2])], "mask": lambda m, a, b: a[a > 0],
    "t": lambda m, a, b: a.t(), "T": lambda m, a, b: a.T, "mT": lambda m, a, b: a.mT,
    "transpose": lambda m, a, b: a.transpose(0, 1), "permute": lambda m, a, b: a.permute(1, 0),
    "expand": lambda m, a, b: a[:1].expand(4, 5), "unsqueeze": lambda m, a, b: a.unsqueeze(1),
    "squeeze()": lambda m, a, b: a[None].squeeze(), "squeeze(dim)": lambda m, a, b: a[None].squeeze(0),
    "squeeze(dims)": lambda m, a, b: a[None].squeeze((0,)), "cat": lambda m, a, b: m.cat([a, a]),
    "stack": lambda m, a, b: m.stack([a, a], 1), "split": lambda m, a, b: a.split(2)[1],
    "split sizes": lambda m, a, b: a.split([1, 2])[1], "chunk": lambda m, a, b: a.chunk(2, 1)[0],
    "unbind": lambda m, a, b: a.unbind(1)[2], "narrow": lambda m, a, b: a.narrow(1, 1, 3),
    "sum": lambda m, a, b: a.sum(), "sum(dim)": lambda m, a, b: a.sum(1), "mean": lambda m, a, b: a.mean(),
    "mean(dim)": lambda m, a, b: a.mean(0, keepdim=True), "var": lambda m, a, b: a.var(),
    "std": lambda m, a, b: a.std(1), "max": lambda m, a, b: a.max(), "max(dim)": lambda m, a, b: a.max(1)[0],
    "min(dim)": lambda m, a, b: a.min(0).values, "amax": lambda m, a, b: a.amax(1),
    "amin": lambda m, a, b: a.amin(0), "exp": lambda m, a, b: a.exp(), "pow": lambda m, a, b: a ** 2,
    "pow of tensors": lambda m, a, b: a.abs() ** a, "relu": lambda m, a, b: a.relu(),
    "softmax": lambda m, a, b: a.softmax(1), "log_softmax": lambda m, a, b: a.log_softmax(0),
    "clamp": lambda m, a, b: a.clamp(-0.5, 0.5), "to": lambda m, a, b: a.to(m.float64),
    "cumsum": lambda m, a, b: a.cumsum(1), "logsumexp": lambda m, a, b: a.logsumexp(1),
    "norm": lambda m, a, b: a.norm(), "masked_fill": lambda m, a, b: a.masked_fill(a > 0, 0.0),
    "linear": lambda m, a, b: _functional(m).linear(a, b.t()),
    "linear with bias": lambda m, a, b: _functional(m).linear(a, b.t(), b[0]),
    "gelu": lambda m, a, b: _functional(m).gelu(a), "leaky_relu": lambda m, a, b: _functional(m).leaky_relu(a),
    "layer_norm": lambda m, a, b: _functional(m).layer_norm(a, (5,)),
    "unfold": lambda m, a, b: a.unfold(1, 2, 2),
    "mse_loss": lambda m, a, b: _functional(m).mse_loss(a, a.detach() * 2),
    "cross_entropy": lambda m, a, b: _functional(m).cross_entropy(a, m.tensor([0, 4, 2])),
    "conv2d": lambda m, a, b: _functional(m).conv2d(a[None, None], a[None, None, :2, :2]),
}


def _functional(m):
    return m.nn.functional


@pytest.mark.parametrize("name", list(GRAD_FN_NAMES))
def test_grad_fn_names_match_torch(name):
    rng = np.random.default_rng(3)
    arrays = rng.standard_normal((3, 5)).astype(np.float32), rng.standard_normal((5, 4)).astype(np.float32)
    names = []
    for m in (zg, torch):
        a, b = (m.tensor(x, requires_grad=True) for x in arrays)
        y = GRAD_FN_NAMES[name](m, a, b)
        names.append(y.grad_fn.name())
        if m is zg:
            y.sum().backward()  # backward frees the node's saved state, not its name
            assert y.grad_fn.name() == names[0]
    assert names[0] == names[1]


def test_next_functions_lead_to_accumulate_grad_of_the_leaves():
    for m in (zg, torch):
        a, b = m.ones(2, 3, requires_grad=True), m.ones(3, requires_grad=True)
        y = (a * b).sum()
        (mul, index), = y.grad_fn.next_functions
        assert mul.name() == "MulBackward0" and index == 0
        (left, i), (right, j) = mul.next_functions
        assert left.variable is a and right.variable is b and (i, j) == (0, 0)
        z = a * 2
        assert z.grad_fn.next_functions[1] == (None, 0)


def _sibling_after_base_changed(m, through_setitem: bool):
    """Views made before their base changes in place, read without using them in an op."""
    w = m.tensor([1.0, 2.0], requires_grad=True)
    if through_setitem:
        a = m.zeros(2, 2)
        first, second = a[0], a[1]
        a[0] = w
    else:
        a = m.ones(2, 2) * 1
        first, second = a[0], a[1]
        a.mul_(w)
    return w, a, first, second


@pytest.mark.parametrize("through_setitem", [False, True])
def test_sibling_views_see_the_base_changed_in_place(through_setitem):
    results = []
    for m in (zg, torch):
        w, a, first, second = _sibling_after_base_changed(m, through_setitem)
        flags = (first.requires_grad, second.requires_grad, first.grad_fn is not None, first.is_leaf,
                 second.grad_fn.name())
        (first * 3 + second).sum().backward()
        results.append((flags, w.grad.tolist()))
    assert results[0] == results[1]


def test_setting_requires_grad_follows_torch_rules():
    for m in (zg, torch):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
            b.requires_grad = False
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
            b.requires_grad = True
        assert b.requires_grad_(True) is b  # the method allows True on a non-leaf
        with pytest.raises(RuntimeError):
            m.tensor([1, 2]).requires_grad = True
        a.requires_grad = False
        assert not a.requires_grad and not (a * 2).requires_grad
        with pytest.raises(AttributeError):
            b.grad_fn = None


@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"])
def test_mode_decorators_apply_to_generator_bodies(mode):
    results = []
    for m in (zg, torch):
        decorator = {"no_grad": m.no_grad, "enable_grad": m.enable_grad, "inference_mode": m.inference_mode,
                     "set_grad_enabled": lambda: m.set_grad_enabled(False)}[mode]()  # that one acts at once

        @decorator
        def steps(x):
            got = yield (x * 2).requires_grad, m.is_grad_enabled()
            yield got, (x * 3).requires_grad

        x = m.tensor([1.0], requires_grad=True)
        with m.set_grad_enabled(mode != "enable_grad"):  # the opposite of the decorator's mode
            generator = steps(x)
            first = next(generator)
            outside = m.is_grad_enabled()
            second = generator.send("sent")
            results.append((first, outside, second, list(generator)))
    assert results[0] == results[1]


@pytest.mark.parametrize("dim, size, step", [(1, 3, 2), (1, 3, 1), (0, 2, 2), (1, 7, 5), (0, 1, 3)])
def test_unfold_is_a_view_as_in_torch(dim, size, step):
    data = np.random.default_rng(5).standard_normal((5, 7))
    results = []
    for m in (zg, torch):
        a = m.tensor(data.copy())
        windows = a.t().t().unfold(dim, size, step)
        shape, strides = tuple(windows.shape), windows.stride()
        windows[0, -1, -1] = 100.0  # writes through to a
        x = m.tensor(data.copy(), requires_grad=True)
        y = x * 1
        view = y.unfold(dim, size, step)
        weights = m.arange(float(view.numel()), dtype=m.float64).reshape(view.shape)
        (view * weights).sum().backward(retain_graph=True)
        first = x.grad.clone()
        if step >= size:  # in place through the view, into y's history (overlapping windows: an ambiguous write)
            view[-1].mul_(3)
        (y * y).sum().backward()
        results.append((shape, strides, a.detach().numpy().copy(), first.numpy(), x.grad.numpy()))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-12)


GRADIENT_LAYOUTS = {
    "sum (a broadcast gradient)": lambda m, x: x.sum(),
    "mean": lambda m, x: x.mean(),
    "used transposed": lambda m, x: (x.t() * m.arange(6.0).reshape(3, 2)).sum(),
    "expanded": lambda m, x: x[:1].expand(4, 3).sum(),
}


@pytest.mark.parametrize("name", list(GRADIENT_LAYOUTS))
def test_grad_is_writable_and_laid_out_like_the_tensor(name):
    results = []
    for m in (zg, torch):
        x = m.ones(2, 3, requires_grad=True)
        y = x * 1
        y.retain_grad()
        GRADIENT_LAYOUTS[name](m, x).backward()
        GRADIENT_LAYOUTS[name](m, y).backward()
        strides = (x.grad.stride(), y.grad.stride(), x.grad.is_contiguous())
        flat = x.grad.view(-1).tolist()
        x.grad.mul_(2)
        y.grad.zero_()
        results.append((strides, flat, x.grad.tolist(), y.grad.tolist()))
    assert results[0] == results[1]


def _square(m, once: bool):
    from torch.autograd.function import once_differentiable as torch_once
    decorate = (torch_once if m is torch else zg.autograd.function.once_differentiable) if once else (lambda f: f)

    class Square(m.autograd.Function):
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


@pytest.mark.parametrize("once", [False, True])
def test_custom_function_names_and_once_differentiable(once):
    results = []
    for m in (zg, torch):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = _square(m, once).apply(x)
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        y.sum().backward()
        results.append((y.grad_fn.name(), g.requires_grad, g.tolist(), x.grad.tolist()))
        if once:
            with pytest.raises(RuntimeError, match="does not require grad"):
                g.sum().backward()
    assert results[0] == results[1]


RETAINED_THEN_CHANGED = {
    "mul_": lambda y: y.mul_(3),
    "setitem": lambda y: y.__setitem__(0, 5.0),
    "mul_ of a view": lambda y: y[1].mul_(3),
}


@pytest.mark.parametrize("name", list(RETAINED_THEN_CHANGED))
def test_retain_grad_follows_an_in_place_change(name):
    results = []
    for m in (zg, torch):
        x = m.ones(2, 3, requires_grad=True)
        y = x * 2
        y.retain_grad()
        RETAINED_THEN_CHANGED[name](y)
        (y * m.arange(6.0).reshape(2, 3)).sum().backward()
        results.append((y.grad.tolist(), x.grad.tolist(), y.retains_grad))
    assert results[0] == results[1]


TORCH_MESSAGES = {
    "a leaf Variable that requires grad is being used in an in-place operation":
        lambda m, a: a.add_(1),
    "a view of a leaf Variable that requires grad is being used in an in-place operation":
        lambda m, a: a[1:].mul_(2),
    "appears to not have been used in the graph. Set allow_unused=True":
        lambda m, a: m.autograd.grad((a * 2).sum(), [a, m.ones(2, requires_grad=True)]),
    "One of the differentiated Tensors does not require grad":
        lambda m, a: m.autograd.grad((a * 2).sum(), [a, m.ones(2)]),
    "only Tensors of floating point":
        lambda m, a: m.tensor([1, 2]).requires_grad_(),
    "grad can be implicitly created only for scalar outputs": lambda m, a: (a * 2).backward(),
    r"Mismatch in shape: grad_output\[0\] has a shape of": lambda m, a: (a * 2).backward(m.ones(3)),
    "Trying to backward through the graph a second time": lambda m, a: [(y := (a * a).sum()).backward(), y.backward()],
    "does not require grad and does not have a grad_fn": lambda m, a: m.ones(2).sum().backward(),
    r"modified by an inplace operation.*is at version 1; expected version 0 instead":
        lambda m, a: [y := a * 1, z := y * y, y.add_(1), z.sum().backward()],
}


@pytest.mark.parametrize("message", list(TORCH_MESSAGES))
def test_error_messages_carry_torch_phrases(message):
    for m in (zg, torch):
        with pytest.raises(RuntimeError, match=message):
            TORCH_MESSAGES[message](m, m.tensor([1.0, 2.0], requires_grad=True))
