"""Module arguments a PyTorch user passes and zengrad once refused or ignored: bidirectional
recurrent layers, ``inplace=True``, convolution padding modes, Embedding's max_norm and
from_pretrained, CrossEntropyLoss's label smoothing, GroupNorm without bias — each against PyTorch
with the same weights (values and gradients)."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(22)


def _copy_state(torch_module, module):
    state = {k: zg.tensor(v.detach().numpy()) for k, v in torch_module.state_dict().items()}
    assert list(state) == list(module.state_dict())
    module.load_state_dict(state)


def _close(expected, actual, tol=1e-4):
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("settings, batched, given", [
    ({"num_layers": 2, "bidirectional": True}, True, True),
    ({"bidirectional": True, "batch_first": True}, True, False),
    ({"num_layers": 2, "bidirectional": True, "dropout": 0.5}, False, True),
])
def test_bidirectional_recurrent_layers_match_torch(name, settings, batched, given):
    ours, theirs = getattr(nn, name)(3, 4, **settings), getattr(torch.nn, name)(3, 4, **settings)
    _copy_state(theirs, ours)
    ours.eval(), theirs.eval()
    shape = ((2, 5, 3) if settings.get("batch_first") else (5, 2, 3)) if batched else (5, 3)
    x = RNG.standard_normal(shape).astype(np.float32)
    states = 2 * settings.get("num_layers", 1)
    h = RNG.standard_normal((states, 2, 4) if batched else (states, 4)).astype(np.float32)
    xz, xt = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    args_z, args_t = [xz], [xt]
    if given:
        args_z.append((zg.tensor(h), zg.tensor(h * 0.5)) if name == "LSTM" else zg.tensor(h))
        args_t.append((torch.tensor(h), torch.tensor(h * 0.5)) if name == "LSTM" else torch.tensor(h))
    (yz, sz), (yt, st) = ours(*args_z), theirs(*args_t)
    sz, st = (sz[1], st[1]) if name == "LSTM" else (sz, st)
    _close(yt, yz)
    _close(st, sz)
    (yz.sum() + sz.square().sum()).backward()
    (yt.sum() + st.square().sum()).backward()
    _close(xt.grad, xz.grad)
    for (key, p), (_, q) in zip(theirs.named_parameters(), ours.named_parameters()):
        _close(p.grad, q.grad)
    assert repr(ours) == repr(theirs)


def test_lstm_proj_size_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)


@pytest.mark.parametrize("name, function, args", [
    ("ReLU", "relu", ()), ("LeakyReLU", "leaky_relu", (0.2,)), ("ELU", "elu", (0.5,)),
    ("Hardtanh", "hardtanh", (-0.5, 0.5)), ("ReLU6", "relu6", ()), ("SiLU", "silu", ()), ("SELU", "selu", ()),
    ("Threshold", "threshold", (0.1, -3.0))])
def test_inplace_activations_are_accepted_with_torch_values(name, function, args):
    x = RNG.standard_normal((3, 5)).astype(np.float32) * 4
    theirs = getattr(torch.nn, name)(*args, inplace=True)
    ours = getattr(nn, name)(*args, inplace=True)
    _close(theirs(torch.tensor(x)), ours(zg.tensor(x)))
    assert repr(ours) == repr(theirs)
    _close(getattr(torch.nn.functional, function)(torch.tensor(x), *args, inplace=True),
           getattr(F, function)(zg.tensor(x), *args, inplace=True))
    _close(getattr(torch.nn.functional, function)(torch.tensor(x), *args, True),
           getattr(F, function)(zg.tensor(x), *args, True))


def test_dropout_accepts_inplace_and_shows_it():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    assert repr(nn.Dropout(0.2, inplace=True)) == repr(torch.nn.Dropout(0.2, inplace=True))
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    np.testing.assert_array_equal(F.dropout(zg.tensor(x), 0.3, False, True).numpy(), x)


@pytest.mark.parametrize("name, shape, settings", [
    ("Conv1d", (2, 3, 11), {"padding": "same", "dilation": 2}),
    ("Conv1d", (2, 3, 11), {"padding": "valid"}),
    ("Conv1d", (2, 4, 11), {"padding": 2, "padding_mode": "reflect", "groups": 2}),
    ("Conv1d", (2, 3, 11), {"padding": 3, "padding_mode": "circular"}),
    ("Conv2d", (2, 4, 7, 9), {"padding": (1, 2), "padding_mode": "reflect"}),
    ("Conv2d", (2, 4, 7, 9), {"padding": 2, "padding_mode": "circular", "stride": 2}),
    ("Conv2d", (4, 7, 9), {"padding": 1, "padding_mode": "replicate", "bias": False}),
    ("Conv2d", (2, 4, 7, 9), {"padding": 1, "padding_mode": "zeros"}),
])
def test_conv_padding_modes_and_named_padding_match_torch(name, shape, settings):
    channels = shape[-2] if name == "Conv1d" else shape[-3]
    theirs, ours = getattr(torch.nn, name)(channels, 6, 3, **settings), getattr(nn, name)(channels, 6, 3, **settings)
    _copy_state(theirs, ours)
    x = RNG.standard_normal(shape).astype(np.float32)
    xz, xt = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yz, yt = ours(xz), theirs(xt)
    _close(yt, yz)
    yz.square().sum().backward()
    yt.square().sum().backward()
    _close(xt.grad, xz.grad)
    _close(theirs.weight.grad, ours.weight.grad)
    assert repr(ours) == repr(theirs)


def test_conv_padding_mode_refusals():
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(2, 2, 3, padding_mode="mirror")


@pytest.mark.parametrize("settings", [{"max_norm": 1.0}, {"max_norm": 1.5, "norm_type": 1.0},
                                      {"padding_idx": 2, "max_norm": 2.0}])
def test_embedding_max_norm_renormalizes_the_rows_it_reads_like_torch(settings):
    table = RNG.standard_normal((6, 4)).astype(np.float32) * 2
    theirs, ours = torch.nn.Embedding(6, 4, **settings), nn.Embedding(6, 4, **settings)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(table))
    ours.weight._data[...] = table
    index = np.array([[0, 2, 2], [5, 1, 2]])
    yt, yz = theirs(torch.tensor(index)), ours(zg.tensor(index))
    _close(yt, yz)
    _close(theirs.weight, ours.weight)  # rows 3 and 4 were not read: untouched in both
    yt.square().sum().backward()
    yz.square().sum().backward()
    _close(theirs.weight.grad, ours.weight.grad)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("freeze", [True, False])
def test_embedding_from_pretrained_matches_torch(freeze):
    table = RNG.standard_normal((5, 3)).astype(np.float32)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=freeze, padding_idx=1)
    source = zg.tensor(table)
    ours = nn.Embedding.from_pretrained(source, freeze=freeze, padding_idx=1)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert repr(ours) == repr(theirs)
    _close(theirs(torch.tensor([1, 3, 3])), ours(zg.tensor([1, 3, 3])))
    with pytest.raises(ValueError):
        nn.Embedding.from_pretrained(zg.tensor(table[0]))


@pytest.mark.parametrize("settings", [{"label_smoothing": 0.2},
                                      {"label_smoothing": 0.1, "ignore_index": 1, "reduction": "sum"}])
def test_cross_entropy_loss_module_passes_label_smoothing(settings):
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    y = np.array([0, 3, 1, 1, 2])
    weight = np.array([1, 2, 0.5, 1], np.float32)
    _close(torch.nn.CrossEntropyLoss(torch.tensor(weight), **settings)(torch.tensor(x), torch.tensor(y)),
           nn.CrossEntropyLoss(zg.tensor(weight), **settings)(zg.tensor(x), zg.tensor(y)))


def test_group_and_layer_norm_without_bias_match_torch():
    for ours, theirs in [(nn.GroupNorm(2, 4, bias=False), torch.nn.GroupNorm(2, 4, bias=False)),
                         (nn.LayerNorm(4, bias=False), torch.nn.LayerNorm(4, bias=False)),
                         (nn.GroupNorm(2, 4, affine=False), torch.nn.GroupNorm(2, 4, affine=False))]:
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)
        x = RNG.standard_normal((3, 4, 5) if isinstance(ours, nn.GroupNorm) else (3, 4)).astype(np.float32)
        _close(theirs(torch.tensor(x)), ours(zg.tensor(x)))


def _names(module):
    return [type(child).__name__ for child in module]


@pytest.mark.parametrize("lib", [nn, torch.nn], ids=["zengrad", "torch"])
def test_sequential_and_module_list_edit_like_lists(lib):
    seq = lib.Sequential(lib.Linear(1, 2), lib.ReLU(), lib.Linear(2, 3), lib.Tanh())
    assert type(seq[1:3]).__name__ == "Sequential" and len(seq[1:3]) == 2 and type(seq[-1]).__name__ == "Tanh"
    seq.append(lib.Sigmoid())
    seq.insert(1, lib.ELU())
    seq.insert(-1, lib.Identity())
    assert _names(seq) == ["Linear", "ELU", "ReLU", "Linear", "Tanh", "Identity", "Sigmoid"]
    del seq[0]
    assert [name for name, _ in seq.named_children()] == [str(i) for i in range(6)]
    assert type(seq.pop(0)).__name__ == "ELU"
    seq += lib.Sequential(lib.GELU())
    assert _names(seq + lib.Sequential(lib.SiLU()))[-2:] == ["GELU", "SiLU"]
    with pytest.raises(IndexError):
        seq.insert(len(seq) + 1, lib.ReLU())
    with pytest.raises(IndexError):
        seq[len(seq)]
    modules = lib.ModuleList([lib.Linear(1, 1)])
    modules.insert(0, lib.ELU())
    modules += [lib.Sigmoid()]
    modules.extend([lib.Tanh()])
    del modules[1:3]
    assert _names(modules) == ["ELU", "Tanh"] and [k for k, _ in modules.named_children()] == ["0", "1"]
    assert type(modules.pop(-1)).__name__ == "Tanh" and len(modules) == 1
    assert _names(modules + [lib.ReLU()]) == ["ELU", "ReLU"]
    table = lib.ModuleDict({"a": lib.ReLU(), "b": lib.Tanh()})
    table.clear()
    assert len(table) == 0


def test_module_reprs_match_torch():
    for values in ([(2, 3)], [(2,), (1, 4)]):
        ours = nn.ParameterList([nn.Parameter(zg.ones(*shape)) for shape in values])
        theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(*shape)) for shape in values])
        assert repr(ours) == repr(theirs).replace("torch.", "zengrad.")
    assert repr(nn.ParameterDict()) == "ParameterDict()"
    for make in [lambda m: m.Upsample(scale_factor=2), lambda m: m.Upsample(size=(3, 4), mode="bilinear"),
                 lambda m: m.GELU(approximate="tanh"), lambda m: m.Dropout2d(0.1),
                 lambda m: m.Sequential(m.Linear(2, 3), m.Sequential(m.ReLU(inplace=True)))]:
        assert repr(make(nn)) == repr(make(torch.nn))


def test_reassigned_parameter_keeps_its_place_in_the_state_dict():
    for lib in (nn, torch.nn):
        first, second = lib.Linear(2, 2), lib.Linear(2, 2)
        second.weight = first.weight
        assert list(lib.Sequential(first, second).state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
        module = lib.Module()
        module.register_buffer("a", zg.ones(1) if lib is nn else torch.ones(1), persistent=False)
        module.register_buffer("a", zg.ones(1) if lib is nn else torch.ones(1))
        assert list(module.state_dict()) == ["a"]
        assert str(lib.Linear(1, 1).type(zg.float64 if lib is nn else torch.float64).weight.dtype).endswith("float64")


def test_linear_without_inputs_initialises_like_torch():
    with pytest.warns(UserWarning, match="zero-element"):
        layer = nn.Linear(0, 3)
    np.testing.assert_array_equal(layer.bias.detach().numpy(), np.zeros(3, np.float32))  # U(0, 0), as PyTorch
    np.testing.assert_array_equal(layer(zg.ones(2, 0)).detach().numpy(), np.zeros((2, 3), np.float32))


def test_bilinear_and_linear_bias_bounds_follow_their_fan_in():
    zg.manual_seed(0)
    bilinear, linear = nn.Bilinear(4, 9, 300), nn.Linear(16, 300)
    for tensor, bound in [(bilinear.weight, 0.5), (bilinear.bias, 0.5), (linear.bias, 0.25)]:
        values = tensor.detach().numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
    assert nn.Bilinear(2, 3, 4, bias=False).bias is None and list(nn.Linear(2, 3, bias=False).state_dict()) == ["weight"]


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4), (2, 3, 2, 2)])
def test_softmax_modules_without_dim_pick_torchs_implicit_dim(shape):
    x = RNG.standard_normal(shape).astype(np.float32)
    with pytest.warns(UserWarning):
        expected = [torch.nn.Softmax()(torch.tensor(x)), torch.nn.LogSoftmax()(torch.tensor(x))]
    _close(expected[0], nn.Softmax()(zg.tensor(x)))
    _close(expected[1], nn.LogSoftmax()(zg.tensor(x)))


def test_class_losses_refuse_float_targets_and_wrong_weights_as_torch_does():
    x, target = zg.tensor(RNG.standard_normal((5, 4)).astype(np.float32)), zg.tensor([0, 3, 1, 1, 2])
    with pytest.raises(RuntimeError, match="integer"):
        F.nll_loss(x, target.float())
    with pytest.raises(TypeError):  # still a TypeError for code written against zengrad
        F.nll_loss(x, target.float())
    for loss in (F.nll_loss, F.cross_entropy):
        with pytest.raises(RuntimeError, match="weight"):
            loss(x, target, weight=zg.ones(3))


@pytest.mark.parametrize("name, settings", [("SGD", {"lr": 0.1, "momentum": 0.9, "foreach": False}),
                                            ("Adam", {"lr": 0.01, "fused": None, "capturable": False}),
                                            ("AdamW", {"lr": 0.01, "foreach": True, "differentiable": False}),
                                            ("RMSprop", {"lr": 0.01, "centered": True, "foreach": None})])
def test_optimizers_accept_torchs_implementation_switches(name, settings):
    start = RNG.standard_normal((3, 4)).astype(np.float32)
    ours, theirs = nn.Parameter(zg.tensor(start)), torch.nn.Parameter(torch.tensor(start))
    ours_opt, theirs_opt = getattr(zg.optim, name)([ours], **settings), getattr(torch.optim, name)([theirs], **settings)
    for _ in range(5):
        for param, opt in ((ours, ours_opt), (theirs, theirs_opt)):
            opt.zero_grad()
            (param ** 4).sum().backward()
            opt.step()
    _close(theirs, ours)
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(zg.optim, name)([ours], lr=0.1, differentiable=True)


def _sequences(lib, lengths, features=2):
    return [lib.tensor(RNG.standard_normal((n, features)).astype(np.float32)) for n in lengths]


@pytest.mark.parametrize("settings", [{"batch_first": True}, {"padding_value": -1.0},
                                      {"batch_first": True, "padding_side": "left"}])
def test_pad_sequence_matches_torch(settings):
    arrays = [RNG.standard_normal((n, 3)).astype(np.float32) for n in (3, 1, 4)]
    ours = [zg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    padded_z = nn.utils.rnn.pad_sequence(ours, **settings)
    padded_t = torch.nn.utils.rnn.pad_sequence(theirs, **settings)
    _close(padded_t, padded_z)
    weights = RNG.standard_normal(tuple(padded_t.shape)).astype(np.float32)
    (padded_z * zg.tensor(weights)).sum().backward()
    (padded_t * torch.tensor(weights)).sum().backward()
    for a, b in zip(theirs, ours):
        _close(a.grad, b.grad)


@pytest.mark.parametrize("enforce_sorted, lengths", [(True, [4, 3, 1]), (False, [2, 4, 1, 4])])
def test_pack_and_pad_round_trip_like_torch(enforce_sorted, lengths):
    from zengrad.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence
    x = RNG.standard_normal((len(lengths), max(lengths), 2)).astype(np.float32)
    ours = pack_padded_sequence(zg.tensor(x), lengths, batch_first=True, enforce_sorted=enforce_sorted)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), batch_first=True,
                                                     enforce_sorted=enforce_sorted)
    for a, b in zip(theirs, ours):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(b.numpy(), a.numpy())
    padded_t, lengths_t = torch.nn.utils.rnn.pad_packed_sequence(theirs, total_length=5)
    padded_z, lengths_z = pad_packed_sequence(ours, total_length=5)
    _close(padded_t, padded_z)
    np.testing.assert_array_equal(lengths_z.numpy(), lengths_t.numpy())
    pieces = unpack_sequence(pack_sequence(_sequences(zg, lengths), enforce_sorted=enforce_sorted))
    assert [p.shape[0] for p in pieces] == lengths
    with pytest.raises(RuntimeError):
        pack_padded_sequence(zg.tensor(x), [1] * (len(lengths) + 1), batch_first=True)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers_read_packed_sequences_like_torch(name):
    settings = {"num_layers": 2, "bidirectional": True, "batch_first": True}
    ours, theirs = getattr(nn, name)(2, 3, **settings), getattr(torch.nn, name)(2, 3, **settings)
    _copy_state(theirs, ours)
    lengths = [3, 5, 1, 3]
    x = RNG.standard_normal((4, 5, 2)).astype(np.float32)
    xz, xt = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    h = RNG.standard_normal((4, 4, 3)).astype(np.float32)
    state_z = (zg.tensor(h), zg.tensor(-h)) if name == "LSTM" else zg.tensor(h)
    state_t = (torch.tensor(h), torch.tensor(-h)) if name == "LSTM" else torch.tensor(h)
    out_z, final_z = ours(nn.utils.rnn.pack_padded_sequence(xz, lengths, batch_first=True, enforce_sorted=False),
                          state_z)
    out_t, final_t = theirs(torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, batch_first=True,
                                                                     enforce_sorted=False), state_t)
    assert isinstance(out_z, nn.utils.rnn.PackedSequence)
    padded_z = nn.utils.rnn.pad_packed_sequence(out_z, batch_first=True)[0]
    padded_t = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True)[0]
    _close(padded_t, padded_z)
    final_z, final_t = (final_z[1], final_t[1]) if name == "LSTM" else (final_z, final_t)
    _close(final_t, final_z)
    (padded_z.square().sum() + final_z.sum()).backward()
    (padded_t.square().sum() + final_t.sum()).backward()
    _close(xt.grad, xz.grad)
    _close(theirs.weight_hh_l1_reverse.grad, ours.weight_hh_l1_reverse.grad)


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 0, 3.5])
def test_clip_grad_norm_and_total_norm_match_torch(norm_type):
    grads = [RNG.standard_normal(shape).astype(np.float32) for shape in [(2, 3), (4,), (1,)]]
    ours = [nn.Parameter(zg.zeros(*g.shape)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(*g.shape)) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = zg.tensor(g), torch.tensor(g)
    ours[2].grad = theirs[2].grad = None
    _close(torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=norm_type),
           nn.utils.clip_grad_norm_(ours, 0.5, norm_type=norm_type))
    for p, q in zip(ours[:2], theirs[:2]):
        _close(q.grad, p.grad)
    _close(torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads], norm_type),
           nn.utils.get_total_norm([zg.tensor(g) for g in grads], norm_type))


def test_generator_objects_drive_samplers_and_splits_repeatably():
    from zengrad.utils.data import DataLoader, RandomSampler, TensorDataset, random_split

    def epoch(seed):
        loader = DataLoader(TensorDataset(zg.arange(10)), batch_size=4, shuffle=True,
                            generator=zg.Generator().manual_seed(seed))
        return [batch[0].tolist() for batch in loader]

    assert epoch(3) == epoch(3) and epoch(3) != epoch(4)
    assert sorted(sum(epoch(3), [])) == list(range(10))
    split = [list(s) for s in random_split(range(10), [0.3, 0.7], generator=zg.Generator().manual_seed(1))]
    assert split == [list(s) for s in random_split(range(10), [3, 7], generator=zg.Generator().manual_seed(1))]
    generator = zg.Generator()
    generator.manual_seed(5)
    assert generator.initial_seed() == 5
    state = generator.get_state()
    first = list(RandomSampler(range(6), generator=generator))
    assert list(RandomSampler(range(6), generator=generator.set_state(state))) == first
