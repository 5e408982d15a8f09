"""nn.Module forward hooks, get_submodule / get_parameter / get_buffer, register_module, and
nn.utils.parameters_to_vector / vector_to_parameters, against PyTorch on the same modules."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from torch_bridge import assert_close, load_from_torch

torch = pytest.importorskip("torch")


def _pair(lib):
    return lib.nn.Sequential(lib.nn.Linear(5, 7), lib.nn.Tanh(),
                             lib.nn.Sequential(lib.nn.Linear(7, 3), lib.nn.BatchNorm1d(3)), lib.nn.Linear(3, 1))


def _models():
    theirs = _pair(torch)
    ours = _pair(zg)
    load_from_torch(ours, theirs)
    return ours, theirs


def _input(rows=4):
    return np.random.default_rng(rows).standard_normal((rows, 5)).astype(np.float32)


def test_forward_hooks_see_args_and_outputs_like_torch():
    ours, theirs = _models()
    seen = {"zg": [], "torch": []}
    for key, model in (("zg", ours), ("torch", theirs)):
        for name in ("0", "2.0", "2"):
            model.get_submodule(name).register_forward_hook(
                lambda module, args, output, name=name, key=key: seen[key].append((name, args, output)))
    x = _input()
    out, reference = ours(zg.tensor(x)), theirs(torch.tensor(x))
    assert_close(out, reference, what="output")
    assert [s[0] for s in seen["zg"]] == [s[0] for s in seen["torch"]] == ["0", "2.0", "2"]
    for (name, args, output), (_, targs, toutput) in zip(seen["zg"], seen["torch"]):
        assert isinstance(args, tuple) and len(args) == len(targs) == 1
        assert_close(args[0], targs[0], what=f"input of {name}")
        assert_close(output, toutput, what=f"output of {name}")


def test_a_hook_result_replaces_the_output_and_gradients_follow():
    ours, theirs = _models()
    for lib, model in ((zg, ours), (torch, theirs)):
        model[1].register_forward_hook(lambda module, args, output: output * 3 + args[0])
        model[1].register_forward_hook(lambda module, args, output: None)  # None keeps the output
        model[3].register_forward_hook(lambda module, args, output: output.sum(1))
    x = _input(6)
    xt = torch.tensor(x)
    out, reference = ours(zg.tensor(x)), theirs(xt)
    assert out.shape == tuple(reference.shape) == (6,)
    assert_close(out, reference, rtol=1e-5, what="hooked output")
    (out * out).sum().backward()
    (reference * reference).sum().backward()
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, tp.grad, rtol=1e-4, atol=1e-5, what=f"grad of {name}")


def test_hooks_run_in_order_prepend_and_remove_like_torch():
    calls = {}
    for lib in (zg, torch):
        layer = lib.nn.Linear(2, 2)
        log = calls[lib.__name__] = []
        first = layer.register_forward_hook(lambda m, a, o: log.append("first"))
        layer.register_forward_hook(lambda m, a, o: log.append("second"))
        layer.register_forward_hook(lambda m, a, o: log.append("prepended"), prepend=True)
        layer.register_forward_pre_hook(lambda m, a: log.append("pre"))
        layer.register_forward_pre_hook(lambda m, a: log.append("pre-first"), prepend=True)
        layer(lib.ones(1, 2))
        first.remove()
        first.remove()  # a second remove does nothing
        with layer.register_forward_hook(lambda m, a, o: log.append("scoped")):
            layer(lib.ones(1, 2))
        layer(lib.ones(1, 2))
    assert calls["zengrad"] == calls["torch"]


def test_forward_hook_gets_the_args_a_pre_hook_replaced():
    results = []
    for lib in (zg, torch):
        layer = lib.nn.Linear(3, 2)
        layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
        got = []
        layer.register_forward_hook(lambda m, args, output: got.append(float(args[0].abs().sum())))
        out = layer(lib.ones(2, 3))
        results.append((got, np.abs(out.detach().numpy() - layer.bias.detach().numpy()).max()))
    assert results[0] == results[1] == ([0.0], 0.0)


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="Linear: a hook must be callable, got int"):
        nn.Linear(2, 2).register_forward_hook(3)
    with pytest.raises(TypeError, match="Linear: a hook must be callable"):
        nn.Linear(2, 2).register_forward_pre_hook("no")


def test_get_submodule_parameter_and_buffer_find_what_torch_finds():
    ours, theirs = _models()
    for name, module in theirs.named_modules():
        assert type(ours.get_submodule(name)).__name__ == type(module).__name__
    for name, param in theirs.named_parameters():
        assert_close(ours.get_parameter(name), param.detach(), what=name)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_array_equal(ours.get_buffer(name).numpy(), buffer.numpy())
    assert ours.get_submodule("") is ours


@pytest.mark.parametrize("call,target,message", [
    ("get_submodule", "2.5", r"Sequential.get_submodule\('2.5'\): Sequential has no submodule `5`"),
    ("get_submodule", "0.weight", r"`weight` of Linear is not an nn.Module"),
    ("get_parameter", "2.1.running_mean", r"Sequential.get_parameter\('2.1.running_mean'\): `running_mean` of "
                                          r"BatchNorm1d is not a parameter"),
    ("get_parameter", "0.gamma", r"Linear has no parameter `gamma`"),
    ("get_buffer", "2.1.weight", r"`weight` of BatchNorm1d is not a buffer"),
    ("get_parameter", "9.weight", r"Sequential has no submodule `9`"),
])
def test_lookups_of_missing_names_raise_attribute_errors_as_torch_does(call, target, message):
    ours, theirs = _models()
    with pytest.raises(AttributeError):
        getattr(theirs, call)(target)
    with pytest.raises(AttributeError, match=message):
        getattr(ours, call)(target)
    with pytest.raises(ValueError):
        getattr(ours, call)(target)
    with pytest.raises(TypeError, match=f"Sequential.{call}: target should be a string, got int"):
        getattr(ours, call)(3)


def test_register_module_adds_a_child_as_add_module_does():
    ours, theirs = nn.Module(), torch.nn.Module()
    for model, lib in ((ours, nn), (theirs, torch.nn)):
        model.register_module("head", lib.Linear(2, 3))
        model.add_module("act", lib.ReLU())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(dict(ours.named_children())) == list(dict(theirs.named_children())) == ["head", "act"]
    for bad in ("a.b", ""):
        with pytest.raises(KeyError):
            theirs.register_module(bad, torch.nn.ReLU())
        with pytest.raises(KeyError, match='Module: module name can\'t (contain "."|be empty)'):
            ours.register_module(bad, nn.ReLU())
    with pytest.raises(TypeError, match="Module: module name should be a string. Got int"):
        ours.register_module(1, nn.ReLU())
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        ours.register_module("x", 5)


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = _models()
    vec, reference = nn.utils.parameters_to_vector(ours.parameters()), \
        torch.nn.utils.parameters_to_vector(theirs.parameters())
    assert vec.shape == tuple(reference.shape) == (sum(p.numel() for p in theirs.parameters()),)
    assert_close(vec, reference.detach(), rtol=0, atol=0, what="vector")
    (vec * vec).sum().backward()  # the vector is in the graph: d/dp Σv² = 2p
    for name, p in ours.named_parameters():
        assert_close(p.grad, 2 * p.detach().numpy(), rtol=1e-6, what=f"grad of {name}")
    new = np.random.default_rng(1).standard_normal(vec.shape[0]).astype(np.float32)
    weight = ours[0].weight
    nn.utils.vector_to_parameters(zg.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    assert ours[0].weight is weight  # written in place: an optimizer still holds the same parameter
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p, tp.detach(), rtol=0, atol=0, what=name)
    assert_close(ours(zg.tensor(_input())), theirs(torch.tensor(_input())), what="output after loading")


def test_vector_to_parameters_casts_to_each_parameters_dtype_and_a_single_tensor_works():
    p = nn.Parameter(zg.zeros(2, 3))
    nn.utils.vector_to_parameters(zg.tensor(np.arange(6, dtype=np.float64)), [p])
    assert p.dtype == zg.float32 and p.detach().numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert nn.utils.parameters_to_vector(p).detach().numpy().tolist() == list(range(6))


def test_vector_conversions_refuse_bad_arguments():
    params = list(nn.Linear(3, 2).parameters())
    with pytest.raises(TypeError):
        torch.nn.utils.vector_to_parameters(np.zeros(8), torch.nn.Linear(3, 2).parameters())
    with pytest.raises(TypeError, match="vector_to_parameters: expected a Tensor, but got ndarray"):
        nn.utils.vector_to_parameters(np.zeros(8), params)
    for bad in (zg.zeros(7), zg.zeros(9), zg.zeros(2, 4)):
        with pytest.raises(ValueError, match=r"vector_to_parameters: vec has shape .* 1-D vector of 8 elements"):
            nn.utils.vector_to_parameters(bad, params)
    with pytest.raises(TypeError, match="parameters_to_vector: parameter 1 is a list, not a Tensor"):
        nn.utils.parameters_to_vector([params[0], [1.0]])
    with pytest.raises(ValueError, match="parameters_to_vector: got no parameters"):
        nn.utils.parameters_to_vector([])


def _backward_hook_trace(lib, module, inputs, replace=False):
    seen = []

    def hook(mod, grad_input, grad_output):
        seen.append(([None if g is None else g.detach().numpy().copy() for g in grad_input],
                     [None if g is None else g.detach().numpy().copy() for g in grad_output]))
        if replace:
            return tuple(None if g is None else g * 2 for g in grad_input)

    handle = module.register_full_backward_hook(hook)
    xs = [lib.tensor(a, requires_grad=r) for a, r in inputs]
    out = module(*xs)
    out = out[0] if isinstance(out, tuple) else out
    (out.square().sum() + xs[0].sum()).backward()  # the second path to xs[0] bypasses the module
    handle.remove()
    module(*[lib.tensor(a, requires_grad=r) for a, r in inputs])[0].sum().backward()  # removed: not called
    return seen, [None if x.grad is None else x.grad.numpy() for x in xs]


@pytest.mark.parametrize("kind, requires, replace", [("linear", (True,), False), ("linear", (True,), True),
                                                    ("linear", (False,), False), ("pair", (True, False), False),
                                                    ("pair", (True, True), True), ("lstm", (True,), False)])
def test_full_backward_hooks_see_and_replace_gradients_like_torch(kind, requires, replace):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((3, 4, 2) if kind == "lstm" else (4, 2)).astype(np.float32) for _ in requires]

    def build(lib):
        if kind == "pair":
            return type("Pair", (lib.nn.Module,), {"forward": lambda self, a, b: (a * b + a, a - b)})()
        return lib.nn.LSTM(2, 3) if kind == "lstm" else lib.nn.Linear(2, 3)

    theirs, ours = build(torch), build(zg)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    expected = _backward_hook_trace(torch, theirs, list(zip(arrays, requires)), replace)
    actual = _backward_hook_trace(zg, ours, list(zip(arrays, requires)), replace)
    for (exp_in, exp_out), (act_in, act_out) in zip(expected[0], actual[0]):
        for e, a in zip(exp_in + exp_out, act_in + act_out):
            assert (e is None) == (a is None)
            if e is not None:
                np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)
    assert len(expected[0]) == len(actual[0]) == 1
    for e, a in zip(expected[1], actual[1]):
        assert (e is None) == (a is None)
        if e is not None:
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)


def test_module_listing_options_and_assign_like_torch():
    torch = pytest.importorskip("torch")
    for lib in (zg, torch):
        shared = lib.nn.Linear(1, 1)
        pair = lib.nn.Sequential(shared, shared)
        assert [k for k, _ in pair.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "1.weight",
                                                                               "1.bias"]
        assert [k for k, _ in pair.named_modules(remove_duplicate=False)] == ["", "0", "1"]
        assert "weight" in dir(shared) and pair.share_memory() is pair
        assert len(lib.optim.SGD(pair.named_parameters(), lr=0.1).param_groups[0]["params"]) == 2
        layer = lib.nn.Linear(2, 2)
        old = layer.weight
        layer.load_state_dict({"weight": lib.ones(2, 2, dtype=lib.float64), "bias": lib.zeros(2)}, assign=True)
        assert layer.weight is not old and type(layer.weight).__name__ == "Parameter"
        assert layer.weight.requires_grad and str(layer.weight.dtype).endswith("float64")


def test_forward_hooks_with_kwargs_like_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, zg):
        class Scale(lib.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale

        seen = []
        module = Scale()
        module.register_forward_pre_hook(lambda m, a, k: (a, {**k, "scale": k.get("scale", 1.0) * 3}), with_kwargs=True)
        module.register_forward_hook(lambda m, a, k, o: seen.append(sorted(k.items())) or o + 1, with_kwargs=True)
        module.register_forward_hook(lambda m, a, o: o * 10)
        results.append((module(lib.ones(2), scale=2.0).tolist(), seen))
        bad = Scale()
        bad.register_forward_pre_hook(lambda m, a, k: a, with_kwargs=True)
        with pytest.raises(RuntimeError):
            bad(lib.ones(2))
    assert results[0] == results[1]
