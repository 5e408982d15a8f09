"""The beginner tutorials' scripts, run as a PyTorch user writes them, once with ``torch`` and once
with zengrad in its place (``import zengrad as torch``, ``zengrad.nn as nn``, …), on the same seeded
inputs; every value they print or return is compared: numbers within float tolerance, dtypes,
shapes, the text users read (tensor and module reprs) and the exception types.

Each tutorial is a function of ``lib`` (the library's names: ``lib.torch``, ``lib.nn``, ``lib.F``,
``lib.data``) and ``show`` (records what the script would print). Where a model is trained, the
zengrad side starts from the PyTorch side's initial state_dict, so the two trajectories must agree
step by step."""

import math
import re
import types

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as znn
import zengrad.nn.functional as zF
import zengrad.utils.data as zdata

torch = pytest.importorskip("torch")
import torch.utils.data as tdata  # noqa: E402

ZENGRAD = types.SimpleNamespace(torch=zg, nn=znn, F=zF, data=zdata)
TORCH = types.SimpleNamespace(torch=torch, nn=torch.nn, F=torch.nn.functional, data=tdata)

RNG = np.random.default_rng(2023)
IMAGES = RNG.random((96, 1, 28, 28)).astype(np.float32)   # FashionMNIST-shaped, 10 classes
LABELS = RNG.integers(0, 10, 96)


def _plain(value):
    """What a script shows of ``value``, comparable across the two libraries."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        array = value.detach().numpy()
        return ("tensor", tuple(value.shape), str(value.dtype).replace("torch.", ""), array.astype(np.float64))
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, str(value.dtype), value.astype(np.float64))
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, type) and issubclass(value, BaseException):
        return value
    return value


def _run(tutorial, *args):
    """The tutorial's records on both sides: (zengrad's, torch's)."""
    shown = {"zengrad": [], "torch": []}
    for name, lib in (("zengrad", ZENGRAD), ("torch", TORCH)):
        tutorial(lib, lambda *values, out=shown[name]: out.append(_plain(values)), *args)
    return shown["zengrad"], shown["torch"]


def _assert_same(ours, theirs, where="", rtol=1e-4, atol=1e-5):
    if isinstance(theirs, float) and not isinstance(ours, (list, tuple)):
        assert isinstance(ours, float), f"{where}: {ours!r} is not a float like {theirs!r}"
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r} != {theirs!r}"
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{where}[{k}]", rtol, atol)
    elif isinstance(theirs, tuple) and theirs and theirs[0] in ("tensor", "ndarray"):
        assert ours[:3] == theirs[:3], f"{where}: (kind, shape, dtype) {ours[:3]} != {theirs[:3]}"
        np.testing.assert_allclose(ours[3], theirs[3], rtol=rtol, atol=atol, err_msg=where)
    else:
        assert type(ours) is type(theirs) and ours == theirs, f"{where}: {ours!r} != {theirs!r}"


def _compare(tutorial, *args, **tolerance):
    ours, theirs = _run(tutorial, *args)
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        _assert_same(a, b, f"{tutorial.__name__} record {k}", **tolerance)


def _raises(show, label, action):
    """Show which builtin exception ``action`` raises (RuntimeError before ValueError, as
    zengrad's OpError is both)."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        for kind in (IndexError, TypeError, RuntimeError, ValueError, KeyError):
            if isinstance(error, kind):
                show(label, kind)
                return
        show(label, type(error).__name__)
    else:
        show(label, "no error")


# ---- 1. tensors --------------------------------------------------------------------------------
def tensors_tutorial(lib, show):
    torch = lib.torch
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    show(x_data, x_data.dim(), x_data.numel(), tuple(x_data.size()), x_data.size(1), str(x_data.device))
    show(torch.tensor([1.5, 2.0]), torch.tensor([True, False]), torch.tensor(3), torch.tensor(3.5), torch.tensor([1, 2.5]))
    show(torch.tensor(np.array([1, 2], dtype=np.int32)), torch.from_numpy(np.array([1.0, 2.0])))
    show(torch.Tensor([1, 2]), torch.Tensor([[1.5], [2]]), torch.Tensor([True]))
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    show(x_ones, tuple(x_rand.shape), str(x_rand.dtype).replace("torch.", ""))
    shape = (2, 3,)
    show(torch.ones(shape), torch.zeros(shape), tuple(torch.rand(shape).shape), torch.full((2, 2), 7), torch.full((2,), 7.0))
    show(torch.arange(5), torch.arange(0, 1, 0.25), torch.linspace(0, 1, 5), torch.eye(3), torch.zeros(2, 3, dtype=torch.int32))
    show(torch.arange(3.0, requires_grad=True).requires_grad, torch.eye(2, requires_grad=True).requires_grad,
         torch.linspace(0, 1, 3, requires_grad=True).requires_grad)
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    show(tensor[0], tensor[:, 0], tensor[..., -1], tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    show(tuple(t1.shape), tuple(torch.stack([tensor, tensor]).shape), tuple(torch.stack([tensor, tensor], dim=2).shape))
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    show(y1, y2, z1, z2)
    agg = tensor.sum()
    agg_item = agg.item()
    show(agg_item, type(agg_item).__name__)
    tensor.add_(5)
    show(tensor)
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    show(t, n)
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    show(t, n)
    m = torch.arange(12).reshape(3, 4)
    show(m[m > 5], m[[0, 2]], m[[0, 2], [1, 3]], m[:, ::2], m[1:, -1], m.T, m.t().is_contiguous())
    masked = m.clone()
    masked[masked > 5] = 0
    masked[0] = torch.tensor([9, 9, 9, 9])
    show(masked)
    show(m.float().mean(), m.sum(dim=0), m.max(), m.argmax(dim=1), m.max(dim=1).values, m.max(dim=1).indices)
    show(m.view(-1).shape[0], tuple(m.view(2, 6).shape), tuple(m.unsqueeze(0).shape), tuple(m.permute(1, 0).shape))
    show(torch.tensor([1, 2]) + torch.tensor([1.5, 2.5]), torch.tensor([1, 2]) / 2, torch.tensor([1, 2]) // 2,
         torch.tensor([1, 2]) * 1.5, torch.tensor([1.0, 0.0]).bool(), torch.tensor([1.7]).long(), torch.tensor([1]).double())
    show(torch.tensor([1, 2, 3]).tolist(), torch.tensor([[1.5, 2.0]]).tolist(), torch.tensor(3).tolist())
    show(float(torch.tensor(2.5)), int(torch.tensor(3)), bool(torch.tensor(True)), f"{torch.tensor(2.5):.3f}")
    show(torch.is_tensor(x_data), x_data.is_floating_point(), x_data.float().is_floating_point(), x_data.requires_grad)
    _raises(show, "cat", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]))
    _raises(show, "index", lambda: torch.ones(3)[5])
    _raises(show, "matmul", lambda: torch.ones(2, 3) @ torch.ones(2, 3))
    _raises(show, "item", lambda: torch.ones(3).item())
    _raises(show, "view", lambda: torch.ones(6).view(4, -1))
    _raises(show, "dim", lambda: torch.ones(2, 2).sum(dim=3))


def test_tensors_tutorial():
    _compare(tensors_tutorial)


PRINTED = [
    [[1, 2], [3, 4]], [1.5, 2.0], 1.5, 7, [True, False], [], [1e-5, 1e5], [0.1, 123.456], [1e10, 1.0],
    [float("nan"), float("inf"), -float("inf")], [float("nan"), 1.5], [0.0, -0.0], [-1e-5], [123456.789, 0.5],
    np.arange(100.0), np.arange(2000.0), np.arange(2000).reshape(40, 50), np.zeros((3, 0)), np.zeros(0, np.int64),
    np.array([1, 2], np.int32), np.array([1.5, 2.0]), np.ones((2, 3, 4), np.float32),
    RNG.standard_normal((2, 3, 4)).astype(np.float32) * 100, RNG.standard_normal((30, 40)).astype(np.float32),
]


@pytest.mark.parametrize("values", PRINTED, ids=range(len(PRINTED)))
def test_printed_tensors_read_as_torchs(values):
    """print(tensor) as PyTorch lays it out (its dtype names read zengrad.* for torch.*)."""
    expected = repr(torch.tensor(values)).replace("torch.", "zengrad.")
    assert repr(zg.tensor(values)) == expected
    if np.asarray(values).size:
        expected = str(torch.nn.Parameter(torch.tensor(values, dtype=torch.float32)))
        assert str(znn.Parameter(zg.tensor(values, dtype=zg.float32))) == expected


@pytest.mark.parametrize("options", [{"precision": 2}, {"sci_mode": True}, {"sci_mode": False},
                                     {"threshold": 10, "edgeitems": 2}, {"profile": "short"}, {"profile": "full"}])
def test_set_printoptions_as_torchs(options):
    values = [RNG.standard_normal((3, 4)).astype(np.float32), np.arange(30.0), [1e-5, 1.0], RNG.standard_normal((10, 12))]
    try:
        for lib in (zg, torch):
            lib.set_printoptions(**options)
        for v in values:
            assert repr(zg.tensor(v)) == repr(torch.tensor(v)).replace("torch.", "zengrad.")
    finally:
        for lib in (zg, torch):
            lib.set_printoptions(profile="default", sci_mode=None)


def test_printed_tensors_show_requires_grad_and_grad_fn():
    assert repr(zg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)) == repr(
        torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True))
    ours = repr(zg.tensor([1.0, 2.0], requires_grad=True) * 2)
    theirs = repr(torch.tensor([1.0, 2.0], requires_grad=True) * 2)
    assert ours.split("grad_fn=<Mul")[0] == theirs.split("grad_fn=<Mul")[0]


# ---- 2. autograd -------------------------------------------------------------------------------
def autograd_tutorial(lib, show):
    torch, F = lib.torch, lib.F
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor(RNG_W, requires_grad=True)
    b = torch.tensor(RNG_B, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    show(z.grad_fn is not None, loss.grad_fn is not None, z.is_leaf, w.is_leaf)
    loss.backward()
    show(w.grad, b.grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    show(z.requires_grad, z.grad_fn is None)
    z_det = (torch.matmul(x, w) + b).detach()
    show(z_det.requires_grad, z_det.is_leaf)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    show(inp.grad)
    out.backward(torch.ones_like(out), retain_graph=True)
    show(inp.grad)
    inp.grad.zero_()
    out.backward(torch.ones_like(out))
    show(inp.grad)
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    Q.backward(gradient=torch.tensor([1.0, 1.0]))
    show(a.grad, b.grad, bool((9 * a ** 2 == a.grad).all()), bool((-2 * b == b.grad).all()))
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x)
    show(g, g.requires_grad, g2)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    show(y.grad, x.grad, y.retains_grad, x.retains_grad)
    t = torch.tensor([1.0, 2.0])
    t.requires_grad_()
    show(t.requires_grad)
    show(torch.is_grad_enabled(), (t * 2).requires_grad)

    @torch.no_grad()
    def doubled(v):
        return v * 2
    show(doubled(t).requires_grad)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    show(x.grad)
    x.grad = None
    (x * x).sum().backward()
    show(x.grad)
    yy = torch.tensor([3.0], requires_grad=True)
    show(torch.autograd.grad((x * 2).sum(), [x, yy], allow_unused=True)[1] is None)
    _raises(show, "unused", lambda: torch.autograd.grad((x * 2).sum(), [x, yy]))
    _raises(show, "twice", lambda: [q.backward() for q in [(x.exp()).sum()] * 2])
    _raises(show, "non-scalar", lambda: (x * 2).backward())
    _raises(show, "no grad", lambda: torch.tensor([1.0]).sum().backward())
    _raises(show, "int grad", lambda: torch.tensor([1, 2], requires_grad=True))
    _raises(show, "leaf in place", lambda: x.add_(1))
    show(torch.autograd.functional.jacobian(lambda v: v ** 2, torch.tensor([1.0, 2.0, 3.0])))
    show(torch.autograd.functional.hessian(lambda v: (v ** 3).sum(), torch.tensor([1.0, 2.0])))


RNG_W = RNG.standard_normal((5, 3)).astype(np.float32)
RNG_B = RNG.standard_normal(3).astype(np.float32)


def test_autograd_tutorial():
    _compare(autograd_tutorial)


# ---- 3. nn -------------------------------------------------------------------------------------
def _network(nn, width=512):
    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))
    return NeuralNetwork()


def _state(module):
    return {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}


def _load(lib, module, state):
    if state is not None:
        module.load_state_dict({name: lib.torch.tensor(value) for name, value in state.items()})
    return _state(module)


def nn_tutorial(lib, show, tmp_path, initial):
    torch, nn = lib.torch, lib.nn
    model = _network(nn)
    initial.setdefault("model", _load(lib, model, initial.get("model")))
    show(str(model))
    for name, param in model.named_parameters():
        show(name, tuple(param.size()), param.requires_grad)
    show(len(list(model.parameters())), sum(p.numel() for p in model.parameters()), list(model.state_dict()))
    X = torch.tensor(IMAGES[:3, 0])
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    show(logits, pred_probab, pred_probab.argmax(1))
    flat_image = nn.Flatten()(X)
    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    show(tuple(flat_image.size()), repr(layer1), tuple(layer1(flat_image).size()))
    path = str(tmp_path / f"{lib.torch.__name__}.pth")
    torch.save(model.state_dict(), path)
    loaded = torch.load(path, weights_only=True)
    show(list(loaded), repr(model.load_state_dict(loaded)))
    model.eval()
    show(model.training, model.flatten.training, model(X))
    model.train()
    show(model.training, [name for name, _ in model.named_modules()], [type(m).__name__ for m in model.children()])
    seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))

    def init_fn(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)
    seq.apply(init_fn)
    show(repr(seq), len(seq), repr(seq[0]), repr(seq[-1]), repr(seq[0:2]), seq[0].weight, seq(torch.ones(1, 4)))
    show(repr(nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])))
    show(repr(nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})))
    for kind in (nn.ParameterList, lambda ps: nn.ParameterDict({f"p{i}": p for i, p in enumerate(ps)})):
        listed = kind([nn.Parameter(torch.ones(2, 3)), nn.Parameter(torch.ones(2, dtype=torch.float64))])
        show(repr(listed).replace("torch.", "zengrad."))
    skipped = model.load_state_dict({k: v for k, v in loaded.items() if "0." not in k}, strict=False)
    show(skipped.missing_keys, skipped.unexpected_keys)
    for name in ("uniform_", "normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                 "ones_", "zeros_", "eye_", "orthogonal_"):
        w = torch.empty(3, 5)
        show(name, getattr(nn.init, name)(w) is w)
    show(nn.init.calculate_gain("relu"), nn.init.calculate_gain("leaky_relu", 0.2), nn.init.calculate_gain("tanh"))
    for layer in (nn.Conv2d(1, 6, 5), nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.MaxPool2d(2, 2),
                  nn.BatchNorm2d(6), nn.Dropout(0.25), nn.LSTM(10, 20, 2, batch_first=True), nn.GRU(10, 20),
                  nn.Embedding(10, 3, padding_idx=0), nn.CrossEntropyLoss(), nn.LayerNorm(5), nn.LogSoftmax(dim=1)):
        show(repr(layer))


def test_nn_tutorial(tmp_path):
    _compare(nn_tutorial, tmp_path, {})


# ---- 4. the optimization loop ------------------------------------------------------------------
def optimization_tutorial(lib, show, optimizer_name, schedule, initial):
    torch, nn, data = lib.torch, lib.nn, lib.data

    class FakeFashion(data.Dataset):
        def __init__(self, start, stop):
            self.start, self.stop = start, stop

        def __len__(self):
            return self.stop - self.start

        def __getitem__(self, i):
            return torch.tensor(IMAGES[self.start + i]), int(LABELS[self.start + i])

    train_dataloader = data.DataLoader(FakeFashion(0, 64), batch_size=16)
    test_dataloader = data.DataLoader(FakeFashion(64, 96), batch_size=10)
    X, y = next(iter(train_dataloader))
    show(X, y, len(train_dataloader), len(test_dataloader), len(data.DataLoader(FakeFashion(64, 96), 10, drop_last=True)))
    model = _network(nn, width=64)
    initial.setdefault("model", _load(lib, model, initial.get("model")))
    loss_fn = nn.CrossEntropyLoss()
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = {"step": lambda: torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5),
                 "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3),
                 "plateau": lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5),
                 None: lambda: None}[schedule]()

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            optimizer.zero_grad()
            loss, current = loss.item(), batch * 16 + len(X)
            show(f"[{current:>5d}/{size:>5d}]", loss, float(total_norm))

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size, num_batches = len(dataloader.dataset), len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        show(correct, test_loss)
        return test_loss

    for _ in range(3):
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loss = test_loop(test_dataloader, model, loss_fn)
        if scheduler is not None:
            scheduler.step(test_loss) if schedule == "plateau" else scheduler.step()
            show(optimizer.param_groups[0]["lr"])
    show(model(torch.tensor(IMAGES[:2])))


@pytest.mark.parametrize("optimizer_name, schedule", [("sgd", None), ("adam", "step"), ("sgd", "cosine"),
                                                      ("adam", "plateau")])
def test_optimization_loop_follows_torchs_trajectory(optimizer_name, schedule):
    _torch_first(optimization_tutorial, optimizer_name, schedule, rtol=2e-4, atol=2e-5)


def _torch_first(tutorial, *args, **tolerance):
    """Run torch's side first (its initial weights go into ``initial``), then zengrad's; compare."""
    shown = {"zengrad": [], "torch": []}
    initial = {}
    for name, lib in (("torch", TORCH), ("zengrad", ZENGRAD)):
        tutorial(lib, lambda *values, out=shown[name]: out.append(_plain(values)), *args, initial)
    assert len(shown["zengrad"]) == len(shown["torch"])
    for k, (a, b) in enumerate(zip(shown["zengrad"], shown["torch"])):
        _assert_same(a, b, f"{tutorial.__name__} record {k}", **tolerance)


# ---- 5. models: a CNN, a character RNN, custom Functions, polynomial fits ------------------------
def cnn_tutorial(lib, show, initial):
    torch, nn, F = lib.torch, lib.nn, lib.F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.bn1 = nn.BatchNorm2d(6)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5, padding=1)
            self.dropout = nn.Dropout(0.0)
            self.fc1 = nn.Linear(16 * 5 * 5, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            return self.fc2(self.dropout(F.relu(self.fc1(x))))

    net = Net()
    initial.setdefault("net", _load(lib, net, initial.get("net")))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-3)
    for i in range(0, 40, 8):
        inputs, labels = torch.tensor(IMAGES[i:i + 8]), torch.tensor(LABELS[i:i + 8])
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        show(loss.item(), tuple(outputs.shape))
    net.eval()
    with torch.no_grad():
        outputs = net(torch.tensor(IMAGES[:4]))
    _, predicted = torch.max(outputs, 1)
    show(outputs, predicted, net.bn1.running_mean, net.bn1.running_var, int(net.bn1.num_batches_tracked))


def test_cnn_classifier_follows_torchs_trajectory():
    _torch_first(cnn_tutorial)


TEXT = "hello world this is a tiny corpus for a char rnn"
CHARS = sorted(set(TEXT))


def char_rnn_tutorial(lib, show, kind, initial):
    torch, nn, F = lib.torch, lib.nn, lib.F
    rnn_utils = nn.utils.rnn

    class CharModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(CHARS), 8, padding_idx=0)
            self.rnn = getattr(nn, kind)(8, 12, num_layers=2, batch_first=True)
            self.out = nn.Linear(12, len(CHARS))

        def forward(self, x, lengths):
            packed = rnn_utils.pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
            output, _ = self.rnn(packed)
            output, lengths = rnn_utils.pad_packed_sequence(output, batch_first=True)
            return self.out(output), lengths

    model = CharModel()
    initial.setdefault("model", _load(lib, model, initial.get("model")))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    words = [w for w in TEXT.split() if len(w) > 1]
    longest = max(len(w) for w in words) - 1
    x = torch.tensor([[CHARS.index(c) for c in w[:-1]] + [0] * (longest + 1 - len(w)) for w in words])
    y = torch.tensor([[CHARS.index(c) for c in w[1:]] + [-100] * (longest + 1 - len(w)) for w in words])
    lengths = torch.tensor([len(w) - 1 for w in words])
    for _ in range(4):
        optimizer.zero_grad()
        logits, out_lengths = model(x, lengths)
        loss = F.cross_entropy(logits.reshape(-1, len(CHARS)), y.reshape(-1), ignore_index=-100)
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.5)
        optimizer.step()
        show(loss.item(), tuple(logits.shape), out_lengths)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_char_rnn_with_packed_sequences_follows_torchs_trajectory(kind):
    _torch_first(char_rnn_tutorial, kind)


def fitting_tutorial(lib, show):
    torch = lib.torch

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    x = torch.linspace(-math.pi, math.pi, 200)
    y = torch.sin(x)
    a, c = (torch.full((), 0.0, requires_grad=True) for _ in range(2))
    b, d = torch.full((), -1.0, requires_grad=True), torch.full((), 0.3, requires_grad=True)
    for t in range(300):
        y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            show(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for param in (a, b, c, d):
                param -= 5e-6 * param.grad
                param.grad = None
    show(a.item(), b.item(), c.item(), d.item())

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    xi = torch.tensor([0.5, 1.0], requires_grad=True)
    Exp.apply(xi).sum().backward()
    show(xi.grad)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.1, -0.2, 0.05]]))
        model[0].bias.fill_(0.01)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for t in range(200):
        loss = loss_fn(model(xx), y)
        if t % 50 == 49:
            show(t, loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= 1e-6 * param.grad
    show(xx, model[0].bias.item(), model[0].weight[:, 0].item(), model[0].weight[:, 2].item())
    a, b, c, d = (torch.tensor(v) for v in (0.1, 0.2, -0.1, 0.05))
    for t in range(100):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        grad_y_pred = 2.0 * (y_pred - y)
        a, b = a - 1e-6 * grad_y_pred.sum(), b - 1e-6 * (grad_y_pred * x).sum()
        c, d = c - 1e-6 * (grad_y_pred * x ** 2).sum(), d - 1e-6 * (grad_y_pred * x ** 3).sum()
    show(a, b, c, d)


def test_custom_functions_and_polynomial_fits():
    _compare(fitting_tutorial, rtol=1e-4, atol=1e-4)


def data_tutorial(lib, show):
    torch, data = lib.torch, lib.data
    ds = data.TensorDataset(torch.arange(10).float().unsqueeze(1), torch.arange(10))
    show(len(ds), ds[3])
    for X, y in data.DataLoader(ds, batch_size=4, drop_last=True):
        show(X, y)
    show([y for _, y in data.DataLoader(ds, batch_size=4)])

    class Records(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, dtype=np.float32), "y": i, "name": f"s{i}", "pair": (i, float(i))}

    for batch in data.DataLoader(Records(), batch_size=2):
        show(sorted(batch), batch["x"], batch["y"], batch["name"], type(batch["pair"]).__name__, batch["pair"])
    orders = []
    for _ in range(2):
        loader = data.DataLoader(ds, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(0))
        orders.append([y.tolist() for _, y in loader])
    show(orders[0] == orders[1], sorted(sum(orders[0], [])), [len(b) for b in orders[0]])
    train, test = data.random_split(ds, [7, 3], generator=torch.Generator().manual_seed(1))
    show(len(train), len(test), sorted([train[i][1].item() for i in range(7)] + [test[i][1].item() for i in range(3)]))
    show([len(part) for part in data.random_split(ds, [0.8, 0.2])])
    torch.manual_seed(3)
    first = torch.randn(3)
    torch.manual_seed(3)
    show(bool((first == torch.randn(3)).all()))
    show(data.default_collate([(1, 2.0), (3, 4.0)]), type(data.default_collate([(1, 2.0), (3, 4.0)])).__name__)
    show(len(data.Subset(ds, [1, 5])), data.Subset(ds, [1, 5])[1], len(data.ConcatDataset([ds, ds])))
    show(len(list(data.DataLoader(ds, batch_size=None))))


def test_data_loading_tutorial():
    _compare(data_tutorial)


def device_tutorial(lib, show):
    torch = lib.torch
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    older = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    torch.manual_seed(0)
    torch.cuda.manual_seed_all(0)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    model = lib.nn.Linear(2, 2).to(device)
    show(f"Using {device} device", older, str(model.weight.device), torch.ones(2).to(device).device.type)
    torch.set_default_device(device)
    try:
        show(str(torch.get_default_device()), torch.zeros(2).device.type, torch.tensor([1.0]).device.type)
    finally:
        torch.set_default_device(None)
    show(str(torch.get_default_device()))


@pytest.mark.skipif(torch.cuda.is_available() != zg.cuda.is_available(), reason="one library sees a GPU, the other not")
def test_device_selection_lines_run_unchanged():
    _compare(device_tutorial)


def test_optimizer_repr_separates_parameter_groups_like_torch():
    def outline(lib):
        weight, bias = lib.nn.Parameter(lib.torch.ones(2)), lib.nn.Parameter(lib.torch.ones(1))
        text = repr(lib.torch.optim.SGD([{"params": [weight]}, {"params": [bias], "lr": 0.01}], lr=0.1))
        return [line for line in text.splitlines() if not line.startswith("    ")]
    assert outline(ZENGRAD) == outline(TORCH)


def transforms_tutorial(lib, show):
    """The one-hot target transform of the tutorials (a 0-d index on a 1-d tensor), and its kin."""
    torch = lib.torch

    def target_transform(y):
        return torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
    show(target_transform(3), target_transform(np.int64(9)))
    x = torch.arange(4.0, requires_grad=True)
    picked = x.gather(0, torch.tensor(2))
    picked.backward()
    show(picked, x.grad, torch.zeros(4).scatter(0, torch.tensor(1), torch.tensor(5.0)),
         torch.zeros(4).scatter_add(0, torch.tensor(1), torch.tensor(5.0)),
         torch.zeros(4).scatter_reduce(0, torch.tensor(1), torch.tensor(5.0), "amax"))
    _raises(show, "0-d index on 2-d", lambda: torch.zeros(2, 3).scatter(0, torch.tensor(1), value=1.0))


def test_transforms_tutorial_one_hot():
    _compare(transforms_tutorial)


def polynomial_module_tutorial(lib, show, optimizer_name, settings):
    """The custom Module of 0-d Parameters (a + b x + c x² + d x³) trained by each optimizer."""
    torch = lib.torch

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d = (torch.nn.Parameter(torch.tensor(v)) for v in (0.3, -0.2, 0.1, 0.05))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    x = torch.linspace(-math.pi, math.pi, 200)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = getattr(torch.optim, optimizer_name)(model.parameters(), **settings)
    for t in range(30):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if t % 10 == 9:
            show(loss.item())
    show(str(model), [name for name, _ in model.named_parameters()], [p.item() for p in model.parameters()])


@pytest.mark.parametrize("optimizer_name, settings", [
    ("SGD", {"lr": 1e-6, "momentum": 0.9}), ("RMSprop", {"lr": 1e-3}), ("Adam", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2}), ("Adam", {"lr": 1e-2, "amsgrad": True}), ("Adamax", {"lr": 1e-2}), ("NAdam", {"lr": 1e-2}),
    ("RAdam", {"lr": 1e-2}), ("Adagrad", {"lr": 1e-2}), ("Adadelta", {}), ("Rprop", {"lr": 1e-3}), ("ASGD", {"lr": 1e-6}),
])
def test_module_of_zero_d_parameters_trains_like_torch(optimizer_name, settings):
    _compare(polynomial_module_tutorial, optimizer_name, settings)


def lstm_tagger_tutorial(lib, show, initial):
    """The part-of-speech tagger: an LSTM stepped by hand, then on the whole sequence, then trained;
    the printed text of its outputs and hidden state (grad_fn names left out: zengrad names its nodes
    after its own ops)."""
    torch, nn, F = lib.torch, lib.nn, lib.F

    def printed(value):
        return re.sub(r"grad_fn=<\w+>", "grad_fn", str(value))

    lstm = nn.LSTM(3, 3)
    initial.setdefault("lstm", _load(lib, lstm, initial.get("lstm")))
    inputs = [torch.tensor(RNG_STEPS[k]) for k in range(5)]
    hidden = (torch.tensor(RNG_HIDDEN[0]), torch.tensor(RNG_HIDDEN[1]))
    for i in inputs:
        out, hidden = lstm(i.view(1, 1, -1), hidden)
    show(printed(out), printed(hidden))
    out, hidden = lstm(torch.cat(inputs).view(len(inputs), 1, -1), (torch.tensor(RNG_HIDDEN[2]), torch.tensor(RNG_HIDDEN[3])))
    show(printed(out), printed(hidden))
    training_data = [("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
                     ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])]
    word_to_ix = {}
    for sentence, _ in training_data:
        for word in sentence:
            word_to_ix.setdefault(word, len(word_to_ix))
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

    def prepare_sequence(seq, to_ix):
        return torch.tensor([to_ix[w] for w in seq], dtype=torch.long)

    class LSTMTagger(nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            return F.log_softmax(self.hidden2tag(lstm_out.view(len(sentence), -1)), dim=1)

    model = LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix))
    initial.setdefault("tagger", _load(lib, model, initial.get("tagger")))
    loss_function = nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(20):
        for sentence, tags in training_data:
            model.zero_grad()
            loss = loss_function(model(prepare_sequence(sentence, word_to_ix)), prepare_sequence(tags, tag_to_ix))
            loss.backward()
            optimizer.step()
        if epoch % 5 == 4:
            show(loss.item())
    with torch.no_grad():
        show(printed(model(prepare_sequence(training_data[0][0], word_to_ix))))
    show(printed(model.word_embeddings.weight[word_to_ix["dog"]]))


RNG_STEPS = RNG.standard_normal((5, 1, 3)).astype(np.float32)
RNG_HIDDEN = RNG.standard_normal((4, 1, 1, 3)).astype(np.float32)


def test_lstm_tagger_tutorial_prints_what_torch_prints():
    _torch_first(lstm_tagger_tutorial)
