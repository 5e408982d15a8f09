"""nn core: Module bookkeeping, state_dict, and layers compared with PyTorch on the same weights."""

import math

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from conftest import to_numpy
from torch_bridge import assert_close, assert_grads_match, load_from_torch

torch = pytest.importorskip("torch")


def _pair(rng, shape, requires_grad=True, dtype=np.float32):
    data = rng.standard_normal(shape).astype(dtype)
    return zg.tensor(data, requires_grad=requires_grad), torch.tensor(data, requires_grad=requires_grad)


# ---- Module bookkeeping ------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, lib):
        super().__init__()
        self.encoder = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.BatchNorm1d(5))
        self.head = lib.nn.Linear(5, 2, bias=False)

    def forward(self, x):
        return self.head(self.encoder(x))


class TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.BatchNorm1d(5))
        self.head = torch.nn.Linear(5, 2, bias=False)

    def forward(self, x):
        return self.head(self.encoder(x))


def test_names_and_state_dict_keys_match_torch():
    ours, theirs = Block(zg), TorchBlock()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())


def test_repr_matches_torch():
    layers = lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.LeakyReLU(0.2),
                                           lib.nn.Sequential(lib.nn.BatchNorm1d(4), lib.nn.Sigmoid()),
                                           lib.nn.Flatten(), lib.nn.Embedding(10, 3),
                                           lib.nn.Linear(4, 1, bias=False))
    assert repr(layers(zg)) == repr(layers(torch))


def test_train_eval_propagates_and_zero_grad_clears(rng):
    model = Block(zg)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    model(zg.tensor(rng.standard_normal((6, 4)).astype(np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_shared_parameter_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_sequential_indexing():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(model) == 3
    assert isinstance(model[-1], nn.Linear) and isinstance(model[1], nn.ReLU)
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and len(tail) == 2
    with pytest.raises(IndexError, match="out of range"):
        model[3]


def test_module_list_registers():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    assert [n for n, _ in Stack().named_parameters()][-1] == "layers.2.bias"


def test_to_double_keeps_parameter_identity(rng):
    model = nn.Linear(3, 2)
    weight = model.weight
    model.to(zg.float64)
    assert model.weight is weight and weight.dtype == np.float64
    out = model(zg.tensor(rng.standard_normal((2, 3))))
    assert out.dtype == np.float64


# ---- state_dict round trips and errors ---------------------------------------------------------

def test_load_state_dict_from_torch_and_back(rng):
    ours, theirs = Block(zg), TorchBlock()
    load_from_torch(ours, theirs)
    back = TorchBlock()
    back.load_state_dict({k: torch.tensor(np.array(to_numpy(v))) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((5, 4)).astype(np.float32)
    assert_close(ours(zg.tensor(x)), back(torch.tensor(x)), what="after round trip")


def test_load_state_dict_missing_key_is_named():
    model = Block(zg)
    state = model.state_dict()
    del state["head.weight"]
    with pytest.raises(RuntimeError, match='Missing key.*"head.weight"'):
        model.load_state_dict(state)


def test_load_state_dict_unexpected_key_is_named_and_nothing_changes():
    model = Block(zg)
    before = to_numpy(model.head.weight).copy()
    state = {k: v._data * 0 + 7 for k, v in model.state_dict().items()}
    state["head.extra"] = np.zeros(3, dtype=np.float32)
    with pytest.raises(RuntimeError, match='Unexpected key.*"head.extra"'):
        model.load_state_dict(state)
    np.testing.assert_array_equal(to_numpy(model.head.weight), before)
    result = model.load_state_dict(state, strict=False)
    assert result.unexpected_keys == ["head.extra"] and result.missing_keys == []
    assert (to_numpy(model.head.weight) == 7).all()


def test_load_state_dict_shape_mismatch_names_key_and_shapes():
    model = Block(zg)
    state = model.state_dict()
    state["encoder.0.weight"] = np.zeros((4, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=r"encoder\.0\.weight.*\(4, 4\).*\(5, 4\)"):
        model.load_state_dict(state, strict=False)


def test_load_state_dict_copies_in_place():
    model = nn.Linear(2, 2)
    array = model.weight._data
    model.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert model.weight._data is array and model.weight.dtype == np.float32 and (array == 1).all()


# ---- layers against torch ----------------------------------------------------------------------

def test_linear_default_init_bounds():
    zg.manual_seed(0)
    layer = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    for p in (layer.weight, layer.bias):
        values = to_numpy(p)
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.9 * bound


def test_linear_init_repeats_with_manual_seed():
    zg.manual_seed(3)
    first = to_numpy(nn.Linear(4, 3).weight).copy()
    zg.manual_seed(3)
    np.testing.assert_array_equal(to_numpy(nn.Linear(4, 3).weight), first)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4)])
def test_linear_matches_torch(rng, bias, shape):
    theirs = torch.nn.Linear(4, 3, bias=bias)
    ours = nn.Linear(4, 3, bias=bias)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, shape)
    out, expected = ours(x), theirs(tx)
    assert_close(out, expected)
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    assert_grads_match(ours, theirs)
    assert_close(x.grad, tx.grad)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_on_transposed_input_matches_torch(rng, bias):
    """A batch-first LSTM's output is a transposed view: Linear keeps the rows it copies in forward
    for the weight gradient; values, all gradients and second derivatives must not notice."""
    theirs = torch.nn.Linear(5, 3, bias=bias)
    ours = nn.Linear(5, 3, bias=bias)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (7, 2, 5))
    out, expected = ours(x.transpose(0, 1)), theirs(tx.transpose(0, 1))
    assert_close(out, expected)
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    assert_grads_match(ours, theirs)
    assert_close(x.grad, tx.grad)
    x64 = zg.tensor(rng.standard_normal((3, 2, 5)), requires_grad=True)
    w64 = zg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    f = lambda a, w: zg.nn.functional.linear(a.transpose(0, 1), w) ** 2  # noqa: E731
    assert zg.autograd.gradcheck(f, [x64, w64])
    assert zg.autograd.gradgradcheck(f, [x64, w64])


@pytest.mark.parametrize("name,args", [("ReLU", ()), ("LeakyReLU", (0.2,)), ("Tanh", ()), ("Sigmoid", ()),
                                       ("Softmax", (1,)), ("LogSoftmax", (1,)), ("Identity", ()),
                                       ("Flatten", ()), ("Flatten", (0, 1))])
def test_activations_and_reshapes_match_torch(rng, name, args):
    x, tx = _pair(rng, (3, 4, 2))
    out, expected = getattr(nn, name)(*args)(x), getattr(torch.nn, name)(*args)(tx)
    assert_close(out, expected)
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    assert_close(x.grad, tx.grad)


def test_unflatten_matches_torch(rng):
    x, tx = _pair(rng, (2, 12, 3))
    assert nn.Unflatten(1, (3, 4))(x).shape == tuple(torch.nn.Unflatten(1, (3, 4))(tx).shape)
    assert nn.Unflatten(-1, (3, 1))(x).shape == tuple(torch.nn.Unflatten(-1, (3, 1))(tx).shape)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("momentum,affine", [(0.1, True), (None, True), (0.3, False)])
def test_batchnorm1d_train_then_eval_matches_torch(rng, shape, momentum, affine):
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, affine=affine)
    ours = nn.BatchNorm1d(3, momentum=momentum, affine=affine)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    load_from_torch(ours, theirs)
    for step in range(3):
        x, tx = _pair(rng, shape)
        x._data *= 1 + step
        tx.data *= 1 + step
        out, expected = ours(x), theirs(tx)
        assert_close(out, expected, rtol=1e-4, atol=1e-5, what=f"train output step {step}")
        seed = rng.standard_normal(shape).astype(np.float32)
        out.backward(zg.tensor(seed))
        expected.backward(torch.tensor(seed))
        assert_close(x.grad, tx.grad, rtol=1e-4, atol=1e-5, what="input grad")
        if affine:
            assert_grads_match(ours, theirs, rtol=1e-4, atol=1e-5)
            ours.zero_grad()
            theirs.zero_grad()
    for name, buffer in theirs.named_buffers():
        assert_close(getattr(ours, name), buffer, rtol=1e-5, atol=1e-6, what=name)
    ours.eval()
    theirs.eval()
    x, tx = _pair(rng, shape)
    out, expected = ours(x), theirs(tx)
    assert_close(out, expected, rtol=1e-5, atol=1e-6, what="eval output")
    out.sum().backward()
    expected.sum().backward()
    assert_close(x.grad, tx.grad, what="eval input grad")


@pytest.mark.parametrize("layer,shape", [("BatchNorm1d", (7, 3)), ("BatchNorm1d", (5, 3, 2)),
                                         ("BatchNorm2d", (3, 3, 2, 5))])
@pytest.mark.parametrize("parts", ["affine", "no bias", "no affine"])
def test_batchnorm_double_backward_matches_torch(rng, layer, shape, parts):
    """Training-mode BatchNorm is one node whose backward is Tensor ops: the gradient of a
    gradient penalty through it (x, γ and β all reached) must be PyTorch's."""
    options = dict(affine=parts != "no affine")
    ours, theirs = getattr(nn, layer)(3, **options, bias=parts == "affine"), \
        getattr(torch.nn, layer)(3, **options, bias=parts == "affine")
    if parts != "no affine":
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
    load_from_torch(ours, theirs)
    ours.double()
    theirs.double()
    x, tx = _pair(rng, shape, dtype=np.float64)
    seed = rng.standard_normal(shape)
    for lib, module, inp in ((zg, ours, x), (torch, theirs, tx)):
        out = module(inp)
        (g,) = lib.autograd.grad((out * lib.tensor(seed)).sum() + (out * out * out).sum(), [inp], create_graph=True)
        (g * g).sum().backward()
    assert_close(x.grad, tx.grad, rtol=1e-8, atol=1e-10, what="second derivative wrt x")
    if parts != "no affine":
        assert_grads_match(ours, theirs, rtol=1e-8, atol=1e-10)


def test_batchnorm1d_rejects_wrong_input():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="channels"):
        layer(zg.randn(4, 5))
    with pytest.raises(ValueError, match="2D or 3D"):
        layer(zg.randn(4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(zg.randn(1, 3))


def test_embedding_repeated_indices_match_torch(rng):
    theirs = torch.nn.Embedding(6, 4)
    ours = nn.Embedding(6, 4)
    load_from_torch(ours, theirs)
    indices = np.array([[1, 3, 1], [5, 1, 0]])
    out, expected = ours(zg.tensor(indices)), theirs(torch.tensor(indices))
    assert_close(out, expected)
    seed = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(zg.tensor(seed))
    expected.backward(torch.tensor(seed))
    assert_grads_match(ours, theirs)


def test_embedding_init_and_errors():
    zg.manual_seed(0)
    weights = to_numpy(nn.Embedding(400, 50).weight)
    assert abs(weights.mean()) < 0.02 and abs(weights.std() - 1) < 0.02
    with pytest.raises(IndexError, match="index 6 is out of range"):
        nn.Embedding(6, 2)(zg.tensor([0, 6]))
    with pytest.raises(TypeError, match="integer"):
        nn.Embedding(6, 2)(zg.tensor([0.0, 1.0]))


def test_dropout_statistics_eval_and_seed():
    layer = nn.Dropout(0.25)
    x = zg.ones(200, 100)
    zg.manual_seed(7)
    first = to_numpy(layer(x))
    kept = first != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(first[kept], 1 / 0.75, rtol=1e-6)
    zg.manual_seed(7)
    np.testing.assert_array_equal(to_numpy(layer(x)), first)
    layer.eval()
    assert layer(x) is x
    assert (to_numpy(nn.Dropout(1.0)(x)) == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_gradient_uses_the_same_mask():
    x = zg.ones(50, 20, requires_grad=True)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(to_numpy(x.grad), to_numpy(out.detach()))


# ---- init and clipping -------------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                                ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                                ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("name,kwargs,expected_std", [
    ("xavier_uniform_", {}, math.sqrt(2 / (300 + 200))),
    ("xavier_normal_", {"gain": 2.0}, 2 * math.sqrt(2 / (300 + 200))),
    ("kaiming_uniform_", {"nonlinearity": "relu"}, math.sqrt(2 / 200)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
    ("normal_", {"std": 0.3}, 0.3),
    ("uniform_", {"a": -1.0, "b": 1.0}, 1 / math.sqrt(3)),
])
def test_init_distributions_have_the_documented_spread(name, kwargs, expected_std):
    zg.manual_seed(1)
    weight = nn.Parameter(zg.zeros(300, 200))
    data = weight._data
    assert getattr(nn.init, name)(weight, **kwargs) is weight
    assert weight._data is data
    assert abs(to_numpy(weight).std() / expected_std - 1) < 0.02


def test_init_constants():
    weight = nn.Parameter(zg.randn(3, 4))
    assert (to_numpy(nn.init.zeros_(weight)) == 0).all()
    assert (to_numpy(nn.init.ones_(weight)) == 1).all()
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(nn.Parameter(zg.zeros(3)))


@pytest.mark.parametrize("max_norm,norm_type", [(0.5, 2.0), (100.0, 2.0), (0.3, float("inf")), (1.0, 1.0)])
def test_clip_grad_norm_matches_torch(rng, max_norm, norm_type):
    ours, theirs = nn.Linear(5, 3), torch.nn.Linear(5, 3)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (4, 5), requires_grad=False)
    (ours(x) ** 2).sum().backward()
    (theirs(tx) ** 2).sum().backward()
    total = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type=norm_type)
    assert_close(total, expected, rtol=1e-5)
    assert_grads_match(ours, theirs)


def test_attribute_assignment_rules():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        layer.weight = zg.zeros(2, 2)
    layer.bias = None
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert "bias" not in layer.state_dict()
    layer.extra = nn.ReLU()
    assert [n for n, _ in layer.named_children()] == ["extra"]
    del layer.extra
    assert list(layer.children()) == []

    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgetful()


def test_load_state_dict_accepts_torch_tensors_and_deepcopy_is_independent(rng):
    import copy
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    ours = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ours.load_state_dict(theirs.state_dict())
    clone = copy.deepcopy(ours)
    clone[0].weight._data[...] = 0
    x, tx = _pair(rng, (4, 3), requires_grad=False)
    assert_close(ours(x), theirs(tx))
    assert type(clone[0].weight) is nn.Parameter and clone[0].weight is not ours[0].weight


def test_non_persistent_buffer_is_moved_but_not_saved():
    layer = nn.Linear(2, 2)
    layer.register_buffer("scratch", zg.zeros(3), persistent=False)
    assert "scratch" not in layer.state_dict()
    assert [n for n, _ in layer.named_buffers()] == ["scratch"]
    layer.double()
    assert layer.scratch.dtype == np.float64


def test_batchnorm1d_without_running_stats_matches_torch(rng):
    theirs = torch.nn.BatchNorm1d(3, track_running_stats=False)
    ours = nn.BatchNorm1d(3, track_running_stats=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.eval()
    theirs.eval()
    x, tx = _pair(rng, (5, 3, 2))
    assert_close(ours(x), theirs(tx), rtol=1e-5, atol=1e-6)


def test_clip_grad_value_matches_torch(rng):
    ours, theirs = nn.Linear(5, 3), torch.nn.Linear(5, 3)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (4, 5), requires_grad=False)
    (ours(x) ** 2).sum().backward()
    (theirs(tx) ** 2).sum().backward()
    nn.utils.clip_grad_value_(ours.parameters(), 0.5)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.5)
    assert_grads_match(ours, theirs)


def test_clipping_works_on_broadcast_gradients():
    weight = nn.Parameter(zg.randn(3, 4))
    weight.sum().backward()
    total = nn.utils.clip_grad_norm_([weight], 1.0)
    assert total.item() == pytest.approx(math.sqrt(12), rel=1e-6)
    np.testing.assert_allclose(np.linalg.norm(to_numpy(weight.grad)), 1.0, rtol=1e-5)
    nn.utils.clip_grad_value_(weight, 0.1)
    np.testing.assert_allclose(to_numpy(weight.grad), 0.1, rtol=1e-6)
