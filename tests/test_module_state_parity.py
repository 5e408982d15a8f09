"""Every layer PyTorch also has, built with the same arguments on both sides: the same state_dict
(keys, order, shapes, dtypes), the same repr, and — after loading PyTorch's state_dict — the same
outputs, input gradients, parameter gradients and updated buffers, in training and in eval mode
(BatchNorm's running statistics with momentum, momentum=None and without tracking)."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn

torch = pytest.importorskip("torch")


def f(*shape):
    return ("normal", shape)


def positive(*shape):
    return ("positive", shape)


def ids(high, *shape):
    return ("ids", high, shape)


def given(values):
    return ("given", np.asarray(values))


#: (layer, positional arguments, keyword arguments, inputs); awkward sizes: 1, primes, odd windows
CASES = [
    ("Linear", (5, 7), {}, [f(3, 5)]), ("Linear", (5, 1), {"bias": False}, [f(2, 1, 5)]),
    ("Linear", (5, 7), {"dtype": "float64"}, [("double", (3, 5))]),
    ("Bilinear", (3, 4, 5), {}, [f(2, 3), f(2, 4)]), ("Identity", (), {}, [f(2, 3)]),
    ("Flatten", (), {}, [f(2, 3, 4)]), ("Unflatten", (1, (2, 3)), {}, [f(2, 6)]),
    ("Conv1d", (4, 6, 3), {"groups": 2, "dilation": 2, "padding_mode": "reflect", "padding": 2}, [f(2, 4, 13)]),
    ("Conv2d", (3, 4, (2, 3)), {"stride": (2, 1), "padding": 1, "bias": False}, [f(2, 3, 7, 5)]),
    ("Conv2d", (2, 4, 3), {"padding": "same", "padding_mode": "circular"}, [f(1, 2, 5, 7)]),
    ("Conv3d", (2, 3, 2), {}, [f(1, 2, 3, 4, 5)]),
    ("ConvTranspose1d", (3, 4, 3), {"stride": 2, "output_padding": 1}, [f(2, 3, 5)]),
    ("ConvTranspose2d", (4, 2, 3), {"stride": 2, "padding": 1, "groups": 2}, [f(2, 4, 3, 5)]),
    ("ConvTranspose3d", (2, 3, 2), {"stride": 2}, [f(1, 2, 2, 3, 2)]),
    ("BatchNorm1d", (5,), {}, [f(4, 5)]), ("BatchNorm1d", (5,), {"momentum": None}, [f(4, 5, 3)]),
    ("BatchNorm1d", (5,), {"track_running_stats": False}, [f(4, 5)]), ("BatchNorm1d", (5,), {"affine": False}, [f(4, 5)]),
    ("BatchNorm2d", (3,), {"eps": 1e-3, "momentum": 0.3}, [f(2, 3, 4, 5)]), ("BatchNorm3d", (3,), {}, [f(2, 3, 2, 3, 2)]),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [f(2, 3, 7)]),
    ("InstanceNorm2d", (3,), {"affine": True}, [f(2, 3, 4, 5)]),
    ("InstanceNorm3d", (2,), {"track_running_stats": True}, [f(2, 2, 3, 3, 2)]),
    ("LayerNorm", ((4, 5),), {}, [f(3, 4, 5)]), ("LayerNorm", (5,), {"elementwise_affine": False}, [f(3, 5)]),
    ("LayerNorm", (5,), {"bias": False}, [f(3, 5)]),
    ("GroupNorm", (2, 6), {}, [f(3, 6, 5)]), ("GroupNorm", (3, 6), {"affine": False}, [f(3, 6, 2, 2)]),
    ("RMSNorm", (5,), {}, [f(3, 5)]), ("RMSNorm", ((2, 5),), {"eps": 1e-3, "elementwise_affine": False}, [f(3, 2, 5)]),
    ("LocalResponseNorm", (3,), {}, [f(2, 5, 4)]),
    ("Embedding", (10, 4), {"padding_idx": 2}, [ids(10, 7)]), ("Embedding", (10, 4), {"max_norm": 1.0}, [ids(10, 3, 5)]),
    ("Embedding", (10, 4), {"scale_grad_by_freq": True, "padding_idx": 0}, [ids(10, 3, 5)]),
    ("EmbeddingBag", (10, 4), {"mode": "max"}, [ids(10, 2, 3)]),
    ("EmbeddingBag", (10, 4), {"mode": "sum", "padding_idx": 1}, [ids(10, 7), given([0, 2, 2, 5])]),
    ("RNN", (3, 5), {"num_layers": 2}, [f(4, 2, 3)]),
    ("RNN", (3, 5), {"nonlinearity": "relu", "bias": False, "batch_first": True}, [f(2, 4, 3)]),
    ("LSTM", (3, 5), {"bidirectional": True}, [f(4, 2, 3)]), ("GRU", (3, 5), {"num_layers": 2, "batch_first": True}, [f(2, 4, 3)]),
    ("RNNCell", (3, 5), {}, [f(2, 3)]), ("LSTMCell", (3, 5), {}, [f(2, 3)]), ("GRUCell", (3, 5), {"bias": False}, [f(2, 3)]),
    ("MultiheadAttention", (6, 2), {}, [f(4, 2, 6), f(3, 2, 6), f(3, 2, 6)]),
    ("MultiheadAttention", (6, 3), {"batch_first": True, "kdim": 4, "vdim": 5}, [f(2, 4, 6), f(2, 3, 4), f(2, 3, 5)]),
    ("MultiheadAttention", (6, 2), {"bias": False, "add_bias_kv": True, "add_zero_attn": True},
     [f(4, 2, 6), f(3, 2, 6), f(3, 2, 6)]),
    ("MultiheadAttention", (6, 3), {"add_zero_attn": True, "batch_first": True, "kdim": 5, "vdim": 3},
     [f(2, 4, 6), f(2, 3, 5), f(2, 3, 3)]),
    ("TransformerEncoderLayer", (6, 2), {"dim_feedforward": 8, "dropout": 0.0}, [f(3, 2, 6)]),
    ("TransformerEncoderLayer", (6, 2), {"dim_feedforward": 8, "dropout": 0.0, "norm_first": True, "batch_first": True,
                                         "activation": "gelu"}, [f(2, 3, 6)]),
    ("TransformerDecoderLayer", (6, 2), {"dim_feedforward": 8, "dropout": 0.0}, [f(3, 2, 6), f(4, 2, 6)]),
    ("Transformer", (), {"d_model": 6, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 2,
                         "dim_feedforward": 8, "dropout": 0.0}, [f(3, 2, 6), f(4, 2, 6)]),
    ("PReLU", (), {}, [f(2, 3)]), ("PReLU", (3,), {"init": 0.1}, [f(2, 3, 4)]),
    ("ELU", (0.5,), {}, [f(2, 3)]), ("GELU", (), {"approximate": "tanh"}, [f(3)]), ("Hardshrink", (0.3,), {}, [f(5)]),
    ("Softshrink", (0.2,), {}, [f(5)]), ("Hardtanh", (-0.5, 0.7), {}, [f(5)]), ("Softplus", (2.0, 5.0), {}, [f(5)]),
    ("Threshold", (0.1, 20.0), {}, [f(5)]), ("Softmax", (0,), {}, [f(2, 5)]), ("ReLU", (), {"inplace": True}, []),
    ("Dropout", (0.3,), {}, [f(3, 4)]), ("Dropout2d", (0.2,), {}, [f(2, 3, 4, 4)]), ("AlphaDropout", (0.2,), {}, []),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, [f(2, 3, 8)]),
    ("AvgPool2d", (3,), {"stride": 2, "divisor_override": 2}, [f(2, 3, 7, 8)]), ("AvgPool3d", (2,), {}, [f(1, 2, 4, 5, 4)]),
    ("MaxPool1d", (3,), {"stride": 2, "dilation": 2}, [f(2, 3, 11)]), ("MaxPool2d", (2,), {"ceil_mode": True}, [f(2, 3, 5, 7)]),
    ("AdaptiveAvgPool2d", ((3, None),), {}, [f(2, 3, 7, 5)]), ("AdaptiveMaxPool1d", (3,), {}, [f(2, 3, 7)]),
    ("LPPool2d", (3, 2), {}, [positive(2, 3, 4, 5)]), ("PixelShuffle", (2,), {}, [f(1, 8, 2, 3)]),
    ("Upsample", (), {"size": (5, 7), "mode": "bilinear", "align_corners": True}, [f(1, 2, 3, 4)]),
    ("Fold", (), {"output_size": (4, 5), "kernel_size": 2}, [f(2, 12, 12)]),
    ("ConstantPad2d", ((1, 2, 0, 3), -1.0), {}, [f(2, 3, 4)]), ("ReflectionPad1d", (2,), {}, [f(2, 3, 4)]),
    ("AdaptiveAvgPool3d", (2,), {}, [f(1, 2, 3, 5, 4)]), ("AdaptiveMaxPool3d", (2,), {}, [f(1, 2, 3, 5, 4)]),
    ("MaxPool3d", (2,), {"padding": 1}, [f(1, 2, 3, 4, 5)]), ("LPPool1d", (2, 3), {}, [positive(2, 3, 7)]),
    ("Softmax2d", (), {}, [f(2, 3, 2, 2)]), ("ChannelShuffle", (2,), {}, [f(1, 4, 2, 3)]),
    ("PixelUnshuffle", (2,), {}, [f(1, 2, 4, 6)]), ("Unfold", (), {"kernel_size": 2}, [f(2, 3, 4, 5)]),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, [f(1, 2, 3, 4)]), ("UpsamplingBilinear2d", (), {"size": (4, 5)}, [f(1, 2, 3, 4)]),
    ("ZeroPad3d", (1,), {}, [f(1, 2, 2, 2, 2)]), ("ReplicationPad2d", ((1, 2, 0, 3),), {}, [f(2, 3, 4)]),
    ("CircularPad1d", (2,), {}, [f(2, 3, 4)]), ("ReflectionPad2d", ((1, 2, 0, 3),), {}, [f(2, 4, 5)]),
    ("RReLU", (0.1, 0.3), {}, []), ("Mish", (), {}, [f(5)]), ("LogSigmoid", (), {}, [f(5)]), ("CELU", (1.5,), {}, [f(2, 3)]),
    ("GLU", (), {"dim": 0}, [f(4, 3)]), ("Dropout1d", (), {}, [f(2, 3, 4)]), ("FeatureAlphaDropout", (0.2,), {}, [f(2, 3, 4)]),
    ("CosineSimilarity", (), {"dim": 0}, [f(3, 4), f(3, 4)]), ("PairwiseDistance", (), {"p": 3.0, "keepdim": True}, [f(3, 4), f(3, 4)]),
    ("HuberLoss", (), {"delta": 0.5, "reduction": "none"}, [f(3, 4), f(3, 4)]), ("NLLLoss", (), {"weight": "weights"}, [f(3, 5), ids(5, 3)]),
    ("KLDivLoss", (), {"reduction": "batchmean", "log_target": True}, [f(3, 4), f(3, 4)]),
    ("GaussianNLLLoss", (), {}, [f(3, 4), f(3, 4), positive(3, 4)]), ("MultiMarginLoss", (), {"p": 2}, [f(3, 5), ids(5, 3)]),
    ("CrossEntropyLoss", (), {"weight": "weights", "ignore_index": 1, "label_smoothing": 0.1}, [f(3, 5, 2), ids(5, 3, 2)]),
    ("MSELoss", (), {"reduction": "sum"}, [f(3, 4), f(3, 4)]),
    ("TripletMarginLoss", (), {"margin": 0.5, "p": 1.0}, [f(3, 4), f(3, 4), f(3, 4)]),
    ("Sequential", "nested", {}, [f(3, 4)]), ("TransformerEncoder", "encoder", {}, [f(3, 2, 6)]),
    ("TransformerDecoder", "decoder", {}, [f(3, 2, 6), f(4, 2, 6)]), ("ModuleList", "list", {}, []),
    ("ModuleDict", "dict", {}, []), ("ParameterList", "list", {}, []), ("ParameterDict", "dict", {}, []),
]


def _build(lib, name, args, kwargs):
    """The layer ``name`` of ``lib`` (torch.nn or zengrad.nn); string arguments name a value each side makes."""
    tensors = torch if lib is torch.nn else zg
    kwargs = dict(kwargs)
    if "dtype" in kwargs:
        kwargs["dtype"] = getattr(tensors, kwargs["dtype"])
    if kwargs.get("weight") == "weights":
        kwargs["weight"] = tensors.tensor(np.linspace(0.5, 2, 5).astype(np.float32))
    if args == "nested":
        return lib.Sequential(lib.Linear(4, 3), lib.ReLU(), lib.Sequential(lib.Linear(3, 2), lib.Tanh()))
    if args == "encoder":
        return lib.TransformerEncoder(lib.TransformerEncoderLayer(6, 2, 8, 0.0), 2, norm=lib.LayerNorm(6),
                                      enable_nested_tensor=False)
    if args == "decoder":
        return lib.TransformerDecoder(lib.TransformerDecoderLayer(6, 2, 8, 0.0), 2)
    if name == "ModuleList":
        return lib.ModuleList([lib.Linear(2, 3), lib.ReLU(), lib.Linear(2, 3), lib.Linear(2, 3)])
    if name == "ModuleDict":
        return lib.ModuleDict({"b": lib.Linear(2, 3), "a": lib.Conv1d(2, 2, 1)})
    if name == "ParameterList":
        return lib.ParameterList([lib.Parameter(tensors.ones(2, 3)), tensors.zeros(4)])
    if name == "ParameterDict":
        return lib.ParameterDict({"x": lib.Parameter(tensors.ones(2, 3)), "a": tensors.zeros(4, dtype=tensors.float64)})
    return getattr(lib, name)(*args, **kwargs)


def _input(rng, spec):
    """(array, whether it takes a gradient)."""
    kind = spec[0]
    if kind in ("normal", "double"):
        values = rng.standard_normal(spec[1])
        return (values if kind == "double" else values.astype(np.float32)), True
    if kind == "positive":
        return (rng.random(spec[1]) + 0.5).astype(np.float32), True
    if kind == "ids":
        return rng.integers(0, spec[1], spec[2]), False
    return spec[1], False


def _entries(module):
    return [(name, tuple(value.shape), str(value.dtype).split(".")[-1]) for name, value in module.state_dict().items()]


def _close(mine, theirs, what):
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-4, atol=2e-5, err_msg=what)


@pytest.mark.parametrize("name, args, kwargs, inputs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_state_repr_and_loaded_outputs_match_torch(name, args, kwargs, inputs):
    torch.manual_seed(0)
    theirs, ours = _build(torch.nn, name, args, kwargs), _build(nn, name, args, kwargs)
    assert _entries(ours) == _entries(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert repr(ours) == repr(theirs).replace("torch.", "zengrad.")
    ours.load_state_dict({key: value.detach().numpy() for key, value in theirs.state_dict().items()})
    rng = np.random.default_rng(len(name))
    modes = ("eval",) if "Dropout" in name else ("train", "train", "eval")  # two steps move running stats twice
    for mode in modes if inputs else ():
        getattr(theirs, mode)(), getattr(ours, mode)()
        data = [_input(rng, spec) for spec in inputs]
        their_inputs = [torch.tensor(a, requires_grad=grad) for a, grad in data]
        our_inputs = [zg.tensor(a, requires_grad=grad) for a, grad in data]
        expected, got = theirs(*their_inputs), ours(*our_inputs)
        expected, got = (expected[0], got[0]) if isinstance(expected, tuple) else (expected, got)
        assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
        _close(got, expected, f"{mode} output")
        weights = rng.standard_normal(tuple(expected.shape))
        (expected * torch.tensor(weights, dtype=expected.dtype)).sum().backward()
        (got * zg.tensor(weights.astype(got._data.dtype))).sum().backward()
        for (_, grad), mine, reference in zip(data, our_inputs, their_inputs):
            if grad:
                _close(mine.grad, reference.grad, f"{mode} input gradient")
        for (key, reference), (_, mine) in zip(theirs.named_parameters(), ours.named_parameters()):
            _close(mine.grad, reference.grad, f"{mode} gradient of {key}")
        theirs.zero_grad(), ours.zero_grad()
        for (key, reference), mine in zip(theirs.state_dict().items(), ours.state_dict().values()):
            _close(mine, reference, f"{mode}: {key} after the step")


@pytest.mark.parametrize("settings", [{"add_bias_kv": True}, {"add_zero_attn": True},
                                      {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True}])
def test_attention_extra_keys_with_masks_match_torch(settings):
    """bias_k/bias_v and the zero key are appended after the masks are read: the masks grow with them."""
    torch.manual_seed(1)
    theirs, ours = torch.nn.MultiheadAttention(6, 2, **settings), nn.MultiheadAttention(6, 2, **settings)
    ours.load_state_dict({key: value.detach().numpy() for key, value in theirs.state_dict().items()})
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 6) if settings.get("batch_first") else (5, 2, 6)).astype(np.float32)
    attn_mask, padding = rng.random((5, 5)) < 0.3, rng.random((2, 5)) < 0.3
    their_x, our_x = torch.tensor(x, requires_grad=True), zg.tensor(x, requires_grad=True)
    expected = theirs(their_x, their_x, their_x, attn_mask=torch.tensor(attn_mask), key_padding_mask=torch.tensor(padding))
    got = ours(our_x, our_x, our_x, attn_mask=zg.tensor(attn_mask), key_padding_mask=zg.tensor(padding))
    for mine, reference, what in zip(got, expected, ("output", "weights")):
        _close(mine, reference, what)
    expected[0].sum().backward(), got[0].sum().backward()
    _close(our_x.grad, their_x.grad, "input gradient")
    for (key, reference), (_, mine) in zip(theirs.named_parameters(), ours.named_parameters()):
        _close(mine.grad, reference.grad, f"gradient of {key}")


#: Constructor calls whose repr must be PyTorch's (settings away from their defaults, positional inplace)
REPR_CASES = [
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False, "padding_mode": "reflect"}),
    ("ConvTranspose2d", (2, 4, 3), {"stride": 2, "output_padding": 1, "groups": 2}),
    ("Conv3d", (2, 4, 3), {"padding_mode": "circular", "padding": 1}),
    ("MaxPool2d", (3,), {"stride": 1, "padding": 1, "dilation": 2, "return_indices": True, "ceil_mode": True}),
    ("AvgPool2d", ((2, 3),), {"stride": 1, "padding": 1, "ceil_mode": True, "count_include_pad": False, "divisor_override": 3}),
    ("LPPool1d", (2, 3), {"stride": 2, "ceil_mode": True}), ("AdaptiveMaxPool2d", ((2, None),), {"return_indices": True}),
    ("MaxUnpool2d", (2,), {"stride": 1, "padding": 1}),
    ("BatchNorm2d", (3,), {"eps": 1e-3, "momentum": None, "affine": False, "track_running_stats": False}),
    ("GroupNorm", (2, 4), {"eps": 1e-3, "affine": False}), ("LocalResponseNorm", (3,), {"alpha": 1e-3, "beta": 0.5, "k": 2.0}),
    ("Embedding", (5, 3), {"padding_idx": -1, "max_norm": 2.0, "norm_type": 1.0}),
    ("EmbeddingBag", (5, 3), {"mode": "sum", "include_last_offset": True}),
    ("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu", "bias": False, "batch_first": True, "dropout": 0.5,
                     "bidirectional": True}),
    ("LSTMCell", (3, 4), {"bias": False}), ("Flatten", (0, 2), {}), ("Identity", (3,), {"unused": 4}),
    ("Upsample", (), {"scale_factor": (2, 3), "mode": "nearest"}), ("Upsample", (), {"size": 4, "mode": "linear", "align_corners": False}),
    ("Fold", ((4, 5), 2), {"padding": 1, "stride": 2}), ("ReflectionPad3d", ((1, 1, 1, 1, 0, 0),), {}),
    ("Softmax", (), {}), ("ReLU", (True,), {}), ("LeakyReLU", (0.1, True), {}), ("Hardtanh", (-2.0, 2.0, True), {}),
    ("Threshold", (0.1, 2.0, True), {}), ("SiLU", (True,), {}), ("Hardswish", (True,), {}), ("RReLU", (0.1, 0.3, True), {}),
    ("Dropout", (0.5, True), {}), ("PReLU", (3, 0.1), {}), ("PairwiseDistance", (1.0, 1e-5, True), {}),
    ("CrossEntropyLoss", (), {"ignore_index": 3, "label_smoothing": 0.2}), ("CTCLoss", (), {"blank": 1, "zero_infinity": True}),
    ("MultiheadAttention", (4, 2), {"dropout": 0.1, "kdim": 3, "vdim": 5}),
    ("TransformerEncoderLayer", (4, 2), {"dim_feedforward": 6, "activation": "gelu", "layer_norm_eps": 1e-6, "bias": False}),
    ("LazyLinear", (3,), {}), ("LazyBatchNorm1d", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", REPR_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(REPR_CASES)])
def test_layer_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))
