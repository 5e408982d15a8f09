"""Making tensors: from data, filled with constants, random, ranges; and the global random seed."""

from __future__ import annotations

import contextlib
import copy
import math
import numbers
import warnings

import numpy as np

from .errors import DtypeError, OpError
from . import backend
from .tensor import _TYPE_NAMES, Tensor, _legacy_array

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
float16 = np.dtype(np.float16)


class finfo:
    """The limits of a floating dtype (of the default dtype without one), as ``torch.finfo`` gives
    them, in Python floats: ``eps`` (the gap above 1), ``max``, ``min``, ``tiny`` (=
    ``smallest_normal``), ``resolution`` (10^−digits), ``bits`` and ``dtype`` (its name)."""

    def __init__(self, type=None):
        info = np.finfo(backend.DEFAULT_DTYPE if type is None else type)
        self.bits, self.dtype = info.bits, info.dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype, as ``torch.iinfo``: ``min``, ``max`` (Python ints), ``bits``, ``dtype``."""

    def __init__(self, type):
        info = np.iinfo(type)
        self.bits, self.dtype, self.min, self.max = info.bits, info.dtype.name, int(info.min), int(info.max)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def _typed_constructor(dtype: np.dtype):
    """PyTorch's legacy ``torch.FloatTensor(...)``-style constructor for ``dtype``."""
    name = f"{_TYPE_NAMES[dtype]}Tensor"

    def construct(data=None, *sizes) -> Tensor:
        return Tensor(_legacy_array(data, sizes, dtype))
    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = (f"``{name}(2, 3)`` (zeros of that shape), ``{name}([1, 2])`` (those values) or "
                         f"``{name}(tensor)``, as {dtype} — PyTorch's legacy constructor.")
    return construct


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _typed_constructor(np.dtype(kind)) for kind in (np.float32, np.float64, np.float16, np.int64, np.int32, np.int16,
                                                    np.int8, np.uint8, np.bool_))


_generators: dict[str, object] = {}
_seed: list[int] = []  # the seed of the global generators, once chosen (by manual_seed, seed or a first draw)


class Generator:
    """A random generator of its own, as ``torch.Generator``: ``Generator().manual_seed(0)``, then
    ``generator=`` to the samplers (randn, rand, randint, randperm, normal, bernoulli, multinomial),
    ``DataLoader`` and ``random_split``, so a draw repeats without touching the global generator.
    It holds a NumPy (CuPy on "cuda") Generator, ``.rng``, seeded once from the OS until seeded."""

    def __init__(self, device="cpu"):
        self.device = backend.device(device)
        self.manual_seed(int(np.random.SeedSequence().entropy) % 2 ** 63)

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed; returns the generator (``Generator().manual_seed(42)``)."""
        if not isinstance(seed, numbers.Integral):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.rng = backend.array_module(backend.normalize_device(self.device)).random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from the OS; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy) % 2 ** 63).initial_seed()

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The state as plain data (NumPy's bit-generator state; PyTorch returns a ByteTensor)."""
        return generator_state(self.rng)

    def set_state(self, state) -> "Generator":
        self.rng = np.random.Generator(bit_generator_from_state(state, "Generator.set_state"))
        return self


class _GlobalGenerator(Generator):
    """``zg.default_generator``: the global CPU generator as a :class:`Generator` (what
    :func:`manual_seed` returns, as in PyTorch) — reseeding it or passing it as ``generator=`` is
    the same as using the global draws."""

    def __init__(self):
        self.device = backend.device("cpu")

    @property
    def rng(self):
        return generator("cpu")

    @rng.setter
    def rng(self, value) -> None:
        _generators["cpu"] = value

    def manual_seed(self, seed: int) -> "Generator":
        return manual_seed(seed)

    def initial_seed(self) -> int:
        return initial_seed()


default_generator = _GlobalGenerator()


def drawing_from(generator_or_none, device: str = "cpu"):
    """The array-library generator a sampler draws from: the global one of ``device`` for None, a
    :class:`Generator`'s own, or a NumPy Generator as given."""
    if generator_or_none is None:
        return generator(device)
    if isinstance(generator_or_none, Generator):
        if generator_or_none.device != device:
            raise RuntimeError(f"Expected a '{device}' device type for generator but found '{generator_or_none.device}'")
        return generator_or_none.rng
    if isinstance(generator_or_none, np.random.Generator):
        return generator_or_none
    raise TypeError(f"generator must be a zengrad.Generator, got {type(generator_or_none).__name__}")


def manual_seed(seed: int) -> Generator:
    """Seed every random draw zengrad makes (CPU and, when present, CUDA); returns
    ``default_generator``, as PyTorch does."""
    seed = int(seed)  # PyTorch takes what int() takes (1.5 seeds as 1)
    _seed[:] = [seed]
    _generators["cpu"] = np.random.default_rng(seed)
    seed_cuda(seed)
    return default_generator


def seed_cuda(seed: int) -> None:
    """Seed the CUDA generator alone (nothing without CUDA), as ``torch.cuda.manual_seed``."""
    if backend.cuda_is_available():
        _generators["cuda"] = backend.cupy().random.default_rng(seed)


def seed() -> int:
    """Seed every random draw with a fresh non-deterministic number, and return it (PyTorch's ``seed``)."""
    fresh = int(np.random.SeedSequence().entropy) % 2 ** 63
    manual_seed(fresh)
    return fresh


def initial_seed() -> int:
    """The seed of the global generators (chosen at random on first use if none was set)."""
    return _seed[0] if _seed else seed()


def generator(device: str = "cpu"):
    """The global random generator for ``device`` (seeded by :func:`manual_seed`)."""
    if device not in _generators:
        xp = backend.array_module(device)
        _generators[device] = xp.random.default_rng(initial_seed())
    return _generators[device]


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def get_rng_state() -> dict:
    """The state of zengrad's CPU generator as plain data (dicts and ints), ready for a
    checkpoint; :func:`set_rng_state` puts it back, so the draws that follow repeat exactly.

    (PyTorch returns a ByteTensor; zengrad returns NumPy's bit-generator state. The CUDA
    generator's state is not exposed by CuPy and is not included.)"""
    return generator_state(generator("cpu"))


def set_rng_state(state: dict) -> None:
    """Restore zengrad's CPU generator from :func:`get_rng_state`'s result (checked first: a bad
    state raises ValueError and leaves the generator as it was)."""
    _generators["cpu"] = np.random.Generator(bit_generator_from_state(state, "set_rng_state"))


def generator_state(rng: np.random.Generator) -> dict:
    """A copy of a NumPy Generator's state (``rng.bit_generator.state``)."""
    return copy.deepcopy(rng.bit_generator.state)


def bit_generator_from_state(state, where: str = "generator state") -> np.random.BitGenerator:
    """A new NumPy bit generator holding ``state``; ValueError if ``state`` is not one."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise OpError(f"{where}: not a NumPy generator state (bit_generator {name!r}, expected one of "
                      f"{', '.join(_BIT_GENERATORS)})")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise OpError(f"{where}: malformed {name} state: {error}") from error
    return bit_generator


@contextlib.contextmanager
def fork_rng():
    """Draws made inside the block leave zengrad's CPU generator where it was (PyTorch's
    ``torch.random.fork_rng``): e.g. sample images for a figure without changing training."""
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _infer_dtype(data, dtype):
    typed_array = hasattr(data, "dtype") and data.dtype != object
    sample = None if typed_array else np.asarray(data)
    if sample is not None and sample.dtype.kind in "OUS":
        _check_numbers(sample if sample.dtype == object else sample.astype(object))
    if dtype is not None:
        return np.dtype(dtype)
    if typed_array:  # NumPy/CuPy arrays keep their dtype, like torch.tensor
        return data.dtype
    if sample.dtype.kind == "f" or sample.dtype == object:
        return backend.DEFAULT_DTYPE
    if sample.dtype.kind in "iu":
        return int64
    if sample.dtype.kind == "c":
        return _default_complex()
    return sample.dtype


def _default_complex() -> np.dtype:
    """The complex dtype of Python complex numbers: two of the default float dtype (complex64)."""
    return np.result_type(backend.DEFAULT_DTYPE, np.complex64)


def _check_numbers(elements: np.ndarray) -> None:
    """Refuse what NumPy would silently turn into NaN (None) or keep as objects (strings)."""
    for element in elements.reshape(-1):
        if isinstance(element, Tensor) and element.numel() == 1:
            continue
        if not isinstance(element, (numbers.Number, np.generic)) or isinstance(element, (complex, np.complexfloating)):
            raise DtypeError(f"tensor: could not convert {element!r} (of type {type(element).__name__}) to a number")


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (nested lists, numbers, or arrays).

    Python floats become float32 (the default dtype), Python ints int64; arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)):
        data = _values_of(data)
    device = backend.normalize_device(device if device is not None else backend.device_of(data)
                                      if hasattr(data, "dtype") else None)
    xp = backend.array_module(device)
    try:
        array = xp.array(backend.to_device(data, device) if hasattr(data, "dtype") else data,
                         dtype=_infer_dtype(data, dtype))
    except OverflowError as error:  # an int beyond int64: PyTorch's ValueError
        raise OpError(f"tensor: {error}") from None
    return Tensor(array, requires_grad=requires_grad)


def _values_of(data):
    """Nested lists with every tensor in them replaced by its values (a copy: ``tensor([a, b])``
    of tensors that require grad is cut from their graph, as PyTorch's)."""
    if isinstance(data, Tensor):
        return backend.to_device(data._data, "cpu")
    if isinstance(data, (list, tuple)):
        return [_values_of(item) for item in data]
    return data


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor (PyTorch's ``asarray``): sharing memory where it can, as :func:`as_tensor`,
    unless ``copy``; ``requires_grad`` marks the result."""
    out = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype=dtype, device=device)
    return out.requires_grad_() if requires_grad else out


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    return Tensor(array)


def _shape(size) -> tuple:
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    if any(n < 0 for n in shape):
        raise OpError(f"Dimension size must be non-negative, got shape {shape}")
    return shape


def _sizes(positional: tuple, size) -> tuple:
    """The shape given positionally (``zeros(2, 3)``, ``zeros((2, 3))``) or as ``size=`` (PyTorch allows both)."""
    if size is not None:
        if positional:
            raise TypeError("give the size positionally or as size=, not both")
        return (size,) if isinstance(size, int) else tuple(size)
    return positional


def _filled(fill, size, dtype, device, requires_grad) -> Tensor:
    device = backend.normalize_device(device)
    xp = backend.array_module(device)
    array = xp.full(_shape(size), fill, dtype=np.dtype(dtype or backend.DEFAULT_DTYPE))
    return Tensor(array, requires_grad=requires_grad)


def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled(0, _sizes(shape, size), dtype, device, requires_grad)


def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled(1, _sizes(shape, size), dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` holding ``fill_value``; without ``dtype``, typed as PyTorch types the
    value: bool for a bool, int64 for an int, the default float dtype otherwise."""
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = bool_
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = int64
    elif dtype is None and isinstance(fill_value, (complex, np.complexfloating)):
        dtype = _default_complex()
    return _filled(fill_value, (size,) if isinstance(size, int) else tuple(size), dtype, device, requires_grad)


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
               memory_format=None) -> Tensor:
    return _like(t, zeros(t.shape, dtype=dtype or t.dtype, device=device or t.device), requires_grad, memory_format)


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
              memory_format=None) -> Tensor:
    return _like(t, ones(t.shape, dtype=dtype or t.dtype, device=device or t.device), requires_grad, memory_format)


def _float_draws(op: str, draw, shape: tuple, dtype):
    """``draw(shape, dtype=…)`` in the default float dtype or ``dtype`` if it is a float dtype
    (PyTorch's NotImplementedError, a RuntimeError, for others); float16 is drawn as float32 and
    rounded (NumPy draws float32 and float64 only)."""
    dtype = np.dtype(dtype or backend.DEFAULT_DTYPE)
    if dtype.kind != "f":
        raise NotImplementedError(f"{op}: random floats cannot be drawn as {dtype}")
    return draw(shape, dtype=np.promote_types(dtype, np.float32)).astype(dtype, copy=False)


def randn(*shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution N(0, 1)."""
    device = backend.normalize_device(device)
    array = _float_draws("randn", drawing_from(generator, device).standard_normal, _shape(_sizes(shape, size)), dtype)
    return Tensor(array, requires_grad=requires_grad)


def rand(*shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    device = backend.normalize_device(device)
    array = _float_draws("rand", drawing_from(generator, device).random, _shape(_sizes(shape, size)), dtype)
    return Tensor(array, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
               memory_format=None) -> Tensor:
    return _like(t, randn(t.shape, dtype=dtype or t.dtype, device=device or t.device), requires_grad, memory_format)


def randint(low: int, high=None, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high), int64 unless ``dtype`` says otherwise; as in
    PyTorch, ``randint(high, size)`` draws from [0, high)."""
    if size is None:
        if high is None or isinstance(high, numbers.Integral):
            raise TypeError("randint: give a size, as randint(high, size) or randint(low, high, size)")
        low, high, size = 0, low, high
    if low >= high:
        raise OpError(f"randint: expects low < high, got low={low} >= high={high}")
    device = backend.normalize_device(device)
    drawn = drawing_from(generator, device).integers(low, high, size=(size,) if isinstance(size, int) else tuple(size))
    return Tensor(drawn.astype(np.dtype(dtype or int64)))


def _check_range(op: str, start, end, step) -> None:
    """PyTorch's refusals for arange/range: a finite start and end, a nonzero step pointing from start to end."""
    if not all(math.isfinite(v) for v in (start, end)):
        raise OpError(f"{op}: unsupported range: {start} -> {end}")
    if step == 0:
        raise OpError(f"{op}: step must be nonzero")
    if (end - start) * step < 0:
        raise OpError(f"{op}: upper bound and lower bound inconsistent with step sign (start={start}, "
                      f"end={end}, step={step})")


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; ints give int64, floats float32."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    _check_range("arange", start, end, step)
    xp = backend.array_module(backend.normalize_device(device))
    if dtype is None:
        dtype = int64 if all(isinstance(v, int) for v in (start, end, step)) else backend.DEFAULT_DTYPE
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        return Tensor(xp.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)
    # PyTorch's values: ⌈(end − start)/step⌉ of them, each start + i·step in float64 then rounded
    # once (NumPy's float32 arange adds a rounded step and drifts by a few ulps)
    count = math.ceil((end - start) / step)
    values = start + xp.arange(count, dtype=np.float64) * step
    return Tensor(values.astype(dtype), requires_grad=requires_grad)


def inclusive_range(start, end, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``zengrad.range``, deprecated as PyTorch's ``torch.range`` is (use :func:`arange`): start, start + step, … up to ``end`` *inclusive*,
    ⌊(end − start)/step⌋ + 1 values, in the default float dtype whatever the arguments' types
    (an integer ``dtype`` truncates start, end and step to ints first)."""
    warnings.warn("zengrad.range is deprecated and will be removed in a future release because its behavior "
                  "is inconsistent with Python's range builtin. Instead, use zengrad.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    dtype = np.dtype(dtype or backend.DEFAULT_DTYPE)
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype.kind in "iub":
        start, end, step = int(start), int(end), int(step)
    _check_range("range", start, end, step)
    count = int(math.floor((end - start) / step)) + 1
    xp = backend.array_module(backend.normalize_device(device))
    values = start + xp.arange(count, dtype=np.int64 if dtype.kind in "iub" else np.float64) * step
    return Tensor(values.astype(dtype), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The n × m matrix (n × n without m) with ones on the diagonal and zeros elsewhere."""
    if n < 0 or (m is not None and m < 0):
        raise OpError(f"eye: sizes must be non-negative, got n={n}, m={m}")
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor(xp.eye(n, m, dtype=np.dtype(dtype or backend.DEFAULT_DTYPE)), requires_grad=requires_grad)


def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor to be overwritten; zengrad fills it with zeros (so nothing uninitialised is read)."""
    return _filled(0, _sizes(shape, size), dtype, device, requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
              memory_format=None) -> Tensor:
    return _like(t, _filled(fill_value, t.shape, dtype or t.dtype, device or t.device, False), requires_grad,
                 memory_format)


def empty_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
               memory_format=None) -> Tensor:
    return _like(t, _filled(0, t.shape, dtype or t.dtype, device or t.device, False), requires_grad, memory_format)


def rand_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False, *, layout=None,
              memory_format=None) -> Tensor:
    return _like(t, rand(t.shape, dtype=dtype or t.dtype, device=device or t.device), requires_grad, memory_format)


def _like(t: Tensor, made: Tensor, requires_grad: bool, memory_format) -> Tensor:
    """What a ``*_like`` constructor returns: ``made`` (a fresh tensor of t's shape) laid out as t is
    (PyTorch's default ``memory_format=preserve_format``) or as ``memory_format`` says, a leaf that
    requires grad if asked."""
    if t.ndim > 1:
        from .ops.memory_format import laid_out_like
        made = laid_out_like(made, t, memory_format)
    return made.requires_grad_(True) if requires_grad else made


def randint_like(t: Tensor, low: int, high: int | None = None) -> Tensor:
    """Integers from [low, high) (or [0, low)) in t's shape and dtype."""
    low, high = (0, low) if high is None else (low, high)
    return Tensor(generator(t.device).integers(low, high, size=t.shape).astype(t.dtype))


def randperm(n: int, *, generator=None, dtype=None, device=None) -> Tensor:
    """A random permutation of 0 … n − 1 (int64), from the global generator or ``generator``."""
    if n < 0:
        raise OpError(f"randperm: n must be non-negative, got {n}")
    device = backend.normalize_device(device)
    return Tensor(drawing_from(generator, device).permutation(n).astype(np.dtype(dtype or int64)))


def linspace(start: float, end: float, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise OpError(f"linspace: number of steps must be non-negative, got {steps}")
    xp = backend.array_module(backend.normalize_device(device))
    dtype = np.dtype(dtype or backend.DEFAULT_DTYPE)
    return Tensor(_evenly_spaced(xp, start, end, steps, dtype).astype(dtype), requires_grad=requires_grad)


def _evenly_spaced(xp, start, end, steps: int, dtype: np.dtype):
    """PyTorch's linspace values, bit for bit (float16 to within an ulp): start and end rounded to
    ``dtype``; the step (end − start)/(steps − 1) computed in its arithmetic type (float32 for
    float16, float64 for an integer dtype) and stored in ``dtype`` (float64 for an integer one); the
    first half of the values start + i·step, the second half end − (steps − 1 − i)·step, each a
    fused multiply-add rounded once to the arithmetic type (NumPy's extended-precision longdouble
    stands in for the fused operation)."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if steps <= 1:
        return xp.full(steps, start, dtype=np.float64)
    arithmetic = np.promote_types(dtype, np.float32) if dtype.kind in "fc" else np.dtype(np.float64)
    first, last = np.asarray(start).astype(dtype), np.asarray(end).astype(dtype)
    step = (last.astype(arithmetic) - first.astype(arithmetic)) / arithmetic.type(steps - 1)
    step = step.astype(dtype if dtype.kind in "fc" else arithmetic)
    wide = np.longdouble if xp is np and dtype.kind != "c" else arithmetic.type
    i = xp.arange(steps)
    from_start = wide(first) + wide(step) * i.astype(wide)
    from_end = wide(last) - wide(step) * (steps - 1 - i).astype(wide)
    return xp.where(i < steps // 2, from_start, from_end).astype(arithmetic)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor((base ** xp.linspace(start, end, steps)).astype(np.dtype(dtype or backend.DEFAULT_DTYPE)),
                  requires_grad=requires_grad)


def _new(fill):
    def new(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        return _filled(fill, size, dtype or self.dtype, device or self.device, requires_grad)
    return new


def _new_full(self: Tensor, size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_tensor(self: Tensor, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


# Tensor.new_zeros(3, 4) etc.: new tensors with this tensor's dtype and device unless told otherwise.
Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty = _new(0), _new(1), _new(0)
Tensor.new_full, Tensor.new_tensor = _new_full, _new_tensor


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can: a Tensor or a NumPy/CuPy array already of
    the wanted dtype and device is used as it is (no copy); anything else is copied as by
    :func:`tensor`."""
    if isinstance(data, Tensor):
        wanted_device = backend.normalize_device(device) if device is not None else data.device
        if (dtype is None or np.dtype(dtype) == data.dtype) and wanted_device == data.device:
            return data
        return data.to(device=wanted_device, dtype=dtype)
    if hasattr(data, "dtype") and not isinstance(data, np.generic) and (dtype is None or np.dtype(dtype) == data.dtype):
        if device is None or backend.normalize_device(device) == backend.device_of(data):
            return Tensor(data)
    return tensor(data, dtype=dtype, device=device)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a zengrad Tensor (Parameters included)."""
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    """The number of elements of ``t``."""
    return t.numel()


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    """Samples from N(mean, std²): ``mean`` and ``std`` numbers (with ``size``) or tensors that
    broadcast together; not differentiable (PyTorch's ``normal`` is not either)."""
    means = mean._data if isinstance(mean, Tensor) else mean
    stds = std._data if isinstance(std, Tensor) else std
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    device = backend.normalize_device(device if device is not None else like.device if like is not None else None)
    xp = backend.array_module(device)
    shape = _shape((size,)) if size is not None else xp.broadcast_shapes(xp.shape(means), xp.shape(stds))
    if xp.any(xp.asarray(stds) < 0):
        raise OpError("normal: std must be >= 0")
    dtype = np.dtype(dtype or (like.dtype if like is not None else backend.DEFAULT_DTYPE))
    draws = drawing_from(generator, device).standard_normal(shape, dtype=np.float64) * stds + means
    return Tensor(xp.asarray(draws).astype(dtype))


def bernoulli(p: Tensor, *, generator=None) -> Tensor:
    """1 with probability p[i], else 0, drawn independently for each element (p's shape and dtype)."""
    if p.numel() and (bool((p._data < 0).any()) or bool((p._data > 1).any()) or bool(p.xp.isnan(p._data).any())):
        raise OpError(f"bernoulli: every probability must be in [0, 1] (tensor of shape {p.shape})")
    return Tensor((drawing_from(generator, p.device).random(p.shape) < p._data).astype(p.dtype))


def _bernoulli_method(self: Tensor, p=None, *, generator=None) -> Tensor:
    """``x.bernoulli()`` draws with x's elements as the probabilities; ``x.bernoulli(p)`` with
    probability p (a number) for every element of x's shape."""
    return bernoulli(self if p is None else full_like(self, p), generator=generator)


Tensor.bernoulli = _bernoulli_method


def poisson(input: Tensor, generator=None) -> Tensor:
    """A count drawn from Poisson(λ = input[i]) for each element, P(k) = λᵏ e^(−λ) / k!
    (input's shape and float dtype; every rate ≥ 0). Not differentiable."""
    if not isinstance(input, Tensor):
        raise TypeError(f"poisson: expected a Tensor of rates, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"poisson: not implemented for rates of dtype {input.dtype}")
    if input.numel() and not bool((input._data >= 0).all()):
        raise OpError(f"poisson: invalid Poisson rate, expected every rate to be non-negative (and not NaN), "
                      f"tensor of shape {input.shape}")
    rates = input._data.astype(np.float64)
    return Tensor(drawing_from(generator, input.device).poisson(rates).astype(input.dtype))


def multinomial(weights: Tensor, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Indices drawn from each row of non-negative ``weights`` (1-d: one row), with probability
    proportional to the weight; without ``replacement`` each index at most once per row."""
    rows = weights._data.reshape(-1, weights.shape[-1]) if weights.ndim else None
    if rows is None or weights.ndim > 2:
        raise OpError(f"multinomial: expects a 1-d or 2-d tensor of weights, got shape {weights.shape}")
    rows = backend.to_device(rows, "cpu").astype(np.float64)
    if (rows < 0).any() or not np.isfinite(rows).all() or (rows.sum(axis=1) <= 0).any():
        raise OpError("multinomial: weights must be finite, non-negative, with a positive sum in every row")
    if not replacement and num_samples > rows.shape[1]:
        raise OpError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                      f"{rows.shape[1]} categories")
    if not replacement and num_samples > int((rows > 0).sum(axis=1).min()):
        raise OpError("multinomial: fewer categories with a positive weight than samples (without replacement)")
    rng = drawing_from(generator, "cpu")
    drawn = np.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=row / row.sum())
                      for row in rows]).astype(np.int64)
    drawn = drawn.reshape(weights.shape[:-1] + (num_samples,))
    return Tensor(backend.to_device(drawn, weights.device))


Tensor.multinomial = multinomial


# ---- tensors over memory that already exists, or laid out as asked ---------------------------------

def from_dlpack(ext_tensor, *, device=None, copy: bool | None = None) -> Tensor:
    """A tensor sharing the memory of any DLPack producer — a PyTorch, NumPy, CuPy or JAX array —
    without a copy (``copy=True`` asks for one): ``zengrad.from_dlpack(torch_tensor)``."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor.clone() if copy else ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__, got {type(ext_tensor).__name__}")
    on_gpu = ext_tensor.__dlpack_device__()[0] != 1  # DLPack's device type 1 is the CPU
    xp = backend.array_module("cuda" if on_gpu else "cpu")
    array = xp.from_dlpack(ext_tensor)
    result = Tensor(array.copy() if copy else array)
    return result if device is None else result.to(device)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-d tensor over the bytes of a Python buffer (bytearray, memoryview, array.array) without a
    copy: ``count`` elements of ``dtype`` from byte ``offset`` (−1: all that follow). A read-only
    buffer (``bytes``) gives a tensor that refuses in-place writes."""
    return Tensor(np.frombuffer(buffer, dtype=np.dtype(dtype), count=count, offset=offset),
                  requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """An uninitialised (here: zero) tensor of shape ``size`` whose elements lie ``stride`` elements
    apart along each dim, in memory of just the needed length."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise OpError(f"empty_strided: mismatch in length of strides and shape ({len(stride)} and {len(size)})")
    dtype = np.dtype(dtype or backend.DEFAULT_DTYPE)
    xp = backend.array_module(backend.normalize_device(device))
    length = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    memory = xp.zeros(length, dtype=dtype)
    view = xp.lib.stride_tricks.as_strided(memory, size, [s * dtype.itemsize for s in stride])
    return Tensor(view, requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    """An uninitialised (here: zero) tensor of shape ``size`` stored with its dims in the order
    ``physical_layout`` (outermost first): ``(0, 2, 3, 1)`` is channels-last for (N, C, H, W)."""
    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(range(len(size))):
        raise OpError(f"empty_permuted: physical_layout {order} is not a permutation of the dims of {size}")
    stored = zeros(*[size[d] for d in order], dtype=dtype, device=device)
    result = stored.permute(*np.argsort(order).tolist())
    return result.requires_grad_(True) if requires_grad else result


def _dlpack(self: Tensor, *args, **kwargs):
    return self._data.__dlpack__(*args, **kwargs)


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = lambda self: self._data.__dlpack_device__()
