"""Whether operations record the autograd graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, each a context manager and a decorator, as in PyTorch; and anomaly detection
(``detect_anomaly``, ``set_detect_anomaly``), which makes backward check every gradient for NaN."""

from __future__ import annotations

import functools
import inspect
import threading


class _GradMode(threading.local):
    """The mode of one thread: a class attribute gives every new thread the default, so reading it
    is one attribute lookup (``Function.apply`` reads it for every op)."""

    enabled = True
    inference = False
    anomaly = False  # detect_anomaly: ops note where they were called, backward checks for NaN
    anomaly_nan = True


_state = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations record their inputs for backward (the default)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _state.inference


class _ModeBlock:
    """A block (``with``) or a function (decorator) run with recording set to ``self.enabled`` (and
    inference mode to ``self.inference``), the previous modes restored after, even on an error.
    Each use as a decorator makes a fresh block per call, so decorated functions nest and recurse."""

    enabled: bool
    inference: bool | None = None  # None: leave inference mode as it is

    def __enter__(self):
        self._previous = (_state.enabled, _state.inference)
        _state.enabled = self.enabled
        if self.inference is not None:
            _state.inference = self.inference
        return self

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.inference = self._previous

    def _fresh(self) -> "_ModeBlock":
        block = object.__new__(_ModeBlock)
        block.enabled, block.inference = self.enabled, self.inference
        return block

    def __call__(self, function):
        if inspect.isgeneratorfunction(function):
            return self._decorate_generator(function)

        @functools.wraps(function)
        def run_in_mode(*args, **kwargs):
            with self._fresh():
                return function(*args, **kwargs)
        return run_in_mode

    def _decorate_generator(self, function):
        """A generator function whose body runs in the mode each time it resumes (as PyTorch's
        decorators do), the caller's mode restored between the values it yields."""
        @functools.wraps(function)
        def generate_in_mode(*args, **kwargs):
            generator = function(*args, **kwargs)
            resume = functools.partial(generator.send, None)
            while True:
                try:
                    with self._fresh():
                        value = resume()
                except StopIteration as stop:
                    return stop.value
                try:
                    sent = yield value
                except GeneratorExit:
                    with self._fresh():
                        generator.close()
                    raise
                except BaseException as error:  # thrown into this generator: pass it on to the body
                    resume = functools.partial(generator.throw, error)
                else:
                    resume = functools.partial(generator.send, sent)
        return generate_in_mode


class _BareDecorator(_ModeBlock):
    """A mode that also decorates without parentheses (``@no_grad`` as well as ``@no_grad()``)."""

    def __new__(cls, function=None):
        block = super().__new__(cls)
        if function is None:
            return block
        block.__init__()
        return block(function)


class no_grad(_BareDecorator):
    """Operations inside record no graph (inference, optimizer steps)."""

    def __init__(self, function=None):
        self.enabled = False


class enable_grad(_BareDecorator):
    """Operations inside record the graph even within ``no_grad``."""

    def __init__(self, function=None):
        self.enabled = True


class inference_mode(_BareDecorator):
    """``no_grad`` under PyTorch's name for inference, with ``is_inference_mode_enabled()`` true
    inside; ``inference_mode(False)`` records as usual. zengrad has no separate inference tensors."""

    def __new__(cls, mode=True):
        return super().__new__(cls, mode if callable(mode) else None)

    def __init__(self, mode=True):
        mode = True if callable(mode) else bool(mode)
        self.enabled, self.inference = not mode, mode


class set_grad_enabled(_ModeBlock):
    """Recording on or off. As in PyTorch it takes effect at once, so ``set_grad_enabled(False)``
    also works as a plain call; used in a ``with`` block or as a decorator, the previous mode comes
    back after."""

    def __init__(self, mode: bool):
        self.enabled = bool(mode)
        self._before_call = _state.enabled
        _state.enabled = self.enabled

    def __enter__(self):
        super().__enter__()
        self._previous = (self._before_call, _state.inference)
        return self

    def __call__(self, function):
        _state.enabled = self._before_call  # a decorator changes the mode only while its function runs
        return super().__call__(function)


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return _state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return _state.anomaly and _state.anomaly_nan


class detect_anomaly:
    """Debug mode for backward, as PyTorch's: every op recorded inside notes the Python stack that
    called it, and backward raises RuntimeError naming the node (``MulBackward0``) whose gradient
    first holds a NaN (with ``check_nan``), showing that forward stack — at the cost of speed.
    A context manager and a decorator."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = (_state.anomaly, _state.anomaly_nan)
        _state.anomaly, _state.anomaly_nan = True, self.check_nan
        return self

    def __exit__(self, *exc) -> None:
        _state.anomaly, _state.anomaly_nan = self._previous

    def __call__(self, function):
        @functools.wraps(function)
        def run_detecting(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return function(*args, **kwargs)
        return run_detecting


class set_detect_anomaly(detect_anomaly):
    """Anomaly detection on or off, at once (a plain call) or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True):
        super().__init__(check_nan)
        self._before_call = (_state.anomaly, _state.anomaly_nan)
        _state.anomaly, _state.anomaly_nan = bool(mode), check_nan

    def __enter__(self):
        self._previous = self._before_call
        return self
