"""Grad-mode switches: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode`.

The flag is thread-local, so a `no_grad` block in one thread never changes what another thread
records. Each switch works as a context manager and as a decorator (with or without parentheses).
"""
import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _GradState(threading.local):
    enabled = True
    inference = False


_state = _GradState()


def is_grad_enabled():
    """Whether operations are being recorded on the graph in this thread."""
    return _state.enabled


def is_inference_mode_enabled():
    return _state.inference


class _Scope:
    """Sets (enabled, inference) on enter and restores the previous pair on exit."""

    __slots__ = ("_enabled", "_inference", "_prev")

    def __init__(self, enabled, inference=None):
        self._enabled = enabled
        self._inference = inference

    def __enter__(self):
        self._prev = (_state.enabled, _state.inference)
        _state.enabled = self._enabled
        if self._inference is not None:
            _state.inference = self._inference
        return self

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self._prev
        return False


class _Switch:
    """A context manager that is also a decorator; every decorated call gets a fresh scope, so
    recursion and threads never share saved state."""

    def _scope(self):
        raise NotImplementedError

    def __enter__(self):
        self._active = self._scope()
        return self._active.__enter__()

    def __exit__(self, *exc):
        return self._active.__exit__(*exc)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._scope():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_Switch):
    """Disables recording. Context manager and decorator (`@no_grad` or `@no_grad()`).

    Example:
        >>> with no_grad():
        ...     y = x * 2          # y.requires_grad is False
    """

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        return self(fn) if callable(fn) else self

    def __init__(self, fn=None):
        pass

    def _scope(self):
        return _Scope(False)


class enable_grad(no_grad):
    """Enables recording, for example inside a `no_grad` block."""

    def _scope(self):
        return _Scope(True)


class set_grad_enabled(_Switch):
    """Turns recording on or off at once when called; as a context manager it restores the previous
    mode on exit, like PyTorch's."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode) expects a bool, got {type(mode).__name__}")
        self._mode = mode
        self._prev_enabled = _state.enabled
        _state.enabled = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _state.enabled = self._prev_enabled
        return False

    def __call__(self, fn):
        _state.enabled = self._prev_enabled  # as a decorator it acts per call only
        return super().__call__(fn)

    def _scope(self):
        return _Scope(self._mode)


class inference_mode(_Switch):
    """Like `no_grad` (nothing is recorded); `inference_mode(False)` changes nothing."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        self._mode = True if callable(mode) else bool(mode)

    def _scope(self):
        if self._mode:
            return _Scope(False, True)
        return _Scope(_state.enabled)
