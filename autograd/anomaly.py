"""`detect_anomaly()`: make a backward that produces NaN or inf raise, naming the op and showing
where in the forward pass that op was created.

While it is on, every recorded op keeps the traceback of its creation (slower: debug only).
"""
from .function import _Anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


class detect_anomaly:
    """Context manager (and decorator) turning anomaly detection on.

    Example:
        >>> with detect_anomaly():
        ...     loss.backward()     # RuntimeError naming the op whose gradient went NaN
    """

    def __init__(self, check_nan=True):
        self._mode = bool(check_nan)

    def __enter__(self):
        self._prev = _Anomaly.enabled
        _Anomaly.enabled = self._mode
        return self

    def __exit__(self, *exc):
        _Anomaly.enabled = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self._mode):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off at once; as a context manager, restore on exit."""

    def __init__(self, mode, check_nan=True):
        self._prev = _Anomaly.enabled
        self._mode = bool(mode)
        _Anomaly.enabled = self._mode

    def __enter__(self):
        return self


def is_anomaly_enabled():
    return _Anomaly.enabled
