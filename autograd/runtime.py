"""Process-wide settings PyTorch scripts make at the top: thread counts, matmul precision,
determinism, the default device, `compile`.

Everything here runs NumPy on the CPU, deterministically and in full float32 precision, so most
of these settings are recorded and answered back rather than acted on; each docstring says
which. Thread counts do act when `threadpoolctl` is installed (NumPy's BLAS threads).
"""
import os
import types

from .device import device as _device

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "set_default_device", "get_default_device",
           "compile", "contiguous_format", "preserve_format", "channels_last",
           "channels_last_3d", "strided", "jit", "compiler"]

# Memory formats, accepted wherever PyTorch takes `memory_format=` (copies here are always
# C-contiguous, and layouts are never changed behind the user's back)
contiguous_format, preserve_format = "contiguous_format", "preserve_format"
channels_last, channels_last_3d = "channels_last", "channels_last_3d"
strided = "strided"  # the one layout

_settings = {"threads": None, "interop_threads": 1, "matmul_precision": "highest",
             "deterministic": False}


def _blas_pools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [p for p in threadpool_info() if p.get("user_api") == "blas"]


def get_num_threads():
    """Threads NumPy's BLAS uses (what `set_num_threads` set, else threadpoolctl's answer,
    else the thread environment variables, else the usable cores)."""
    if _settings["threads"] is not None:
        return _settings["threads"]
    pools = _blas_pools()
    if pools:
        return int(pools[0].get("num_threads") or 1)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def set_num_threads(int):  # noqa: A002 (PyTorch's argument name)
    """Limit NumPy's BLAS to `int` threads (acts through threadpoolctl when it is installed;
    elementwise NumPy work is single-threaded either way)."""
    n = _positive_int(int, "set_num_threads")
    if _blas_pools():
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=n, user_api="blas")
    _settings["threads"] = n


def get_num_interop_threads():
    return _settings["interop_threads"]


def set_num_interop_threads(int):  # noqa: A002
    """Recorded only: operations here never run in parallel with each other."""
    _settings["interop_threads"] = _positive_int(int, "set_num_interop_threads")


def _positive_int(n, name):
    if isinstance(n, bool) or not isinstance(n, type(1)) or n < 1:
        raise RuntimeError(f"{name}: number of threads must be a positive integer, got {n!r}")
    return n


def set_float32_matmul_precision(precision):
    """Recorded only: float32 matmuls always run in full float32 precision here."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision!r}: expected 'highest', 'high' or "
                           f"'medium'")
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: every operation here is already deterministic."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(mode) expects a bool, got "
                        f"{type(mode).__name__}")
    _settings["deterministic"] = mode


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def set_default_device(device):
    """Only the CPU exists: 'cpu' (or None) is accepted, any other device raises."""
    if device is not None and _device(device).type != "cpu":
        raise RuntimeError(f"set_default_device({str(device)!r}): only the 'cpu' device is "
                           f"available")


def get_default_device():
    return _device("cpu")


def compile(model=None, **options):  # noqa: A001 (PyTorch's name)
    """Returns `model` (a Module or function) unchanged: there is no compiler here, and eager
    execution is what `compile` would have to reproduce. Also usable as `@compile` or
    `@compile(mode=...)`."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile: expected a Module or a function, got "
                           f"{type(model).__name__}")
    return model


def _identity_decorator(fn=None, *args, **kwargs):
    """`@decorator`, `@decorator(...)` or `decorator(obj, ...)`: the object unchanged."""
    if fn is None or not callable(fn):
        return lambda obj: obj
    return fn


# `torch.jit` and `torch.compiler` as eager scripts touch them: scripting and tracing return the
# model unchanged (it already runs eagerly), and nothing is ever being scripted or compiled.
jit = types.SimpleNamespace(
    script=_identity_decorator, trace=lambda func, *args, **kwargs: func,
    ignore=_identity_decorator, unused=_identity_decorator, export=_identity_decorator,
    is_scripting=lambda: False, is_tracing=lambda: False)
compiler = types.SimpleNamespace(
    is_compiling=lambda: False, is_dynamo_compiling=lambda: False,
    disable=_identity_decorator, reset=lambda: None)

