"""`assert_close`: PyTorch's `torch.testing.assert_close` for Tensors, arrays, Python scalars
and nested sequences or mappings of them (needs only NumPy)."""
import collections.abc
import numbers

import numpy as np

from ..tensor import Tensor

__all__ = ["assert_close"]

# dtype -> (rtol, atol) when neither is given, as PyTorch picks them
_DEFAULT_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
                       np.dtype(np.float64): (1e-7, 1e-7)}


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless `actual` and `expected` are close: same structure, shape and
    (with `check_dtype`) dtype, and `|actual - expected| <= atol + rtol * |expected|` for every
    element (infinities must match exactly; nan equals nan only with `equal_nan`).

    Without `rtol` and `atol`, both come from the dtype (float32: 1.3e-6 and 1e-5, float64: 1e-7
    and 1e-7, integers and bools: exact). `msg` replaces the message (a string) or rewrites it (a
    callable taking the generated message). Mismatched input types raise TypeError.
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {missing}.")
    _compare(actual, expected, (), dict(rtol=rtol, atol=atol, equal_nan=equal_nan,
                                        check_dtype=check_dtype, msg=msg))


def _compare(actual, expected, path, options):
    if isinstance(actual, (Tensor, np.ndarray)) or isinstance(expected, (Tensor, np.ndarray)):
        if type(actual) is not type(expected):
            raise TypeError(f"Except for Python scalars, input types need to be equal, but got "
                            f"{type(actual).__name__} and {type(expected).__name__}"
                            f"{_where(path)}.")
        _compare_arrays(_array(actual), _array(expected), "Tensor-likes", path, options)
    elif _is_scalar(actual) and _is_scalar(expected):
        _compare_arrays(np.asarray(actual), np.asarray(expected), "Scalars", path, options)
    elif isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match:\n{sorted(map(repr, actual))} != "
                  f"{sorted(map(repr, expected))}{_where(path)}", options)
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), options)
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
                  f"{_where(path)}", options)
        for i, (a, b) in enumerate(zip(actual, expected)):
            _compare(a, b, path + (i,), options)
    else:
        raise TypeError(f"No comparison for inputs of type {type(actual).__name__} and "
                        f"{type(expected).__name__}{_where(path)}")


def _compare_arrays(a, b, kind, path, options):
    if a.shape != b.shape:
        _fail(f"The values for attribute 'shape' do not match: {a.shape} != {b.shape}"
              f"{_where(path)}.", options)
    if options["check_dtype"] and a.dtype != b.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {a.dtype} != {b.dtype}"
              f"{_where(path)}.", options)
    rtol, atol = options["rtol"], options["atol"]
    if rtol is None:
        rtol, atol = map(max, zip(_default_tolerances(a.dtype), _default_tolerances(b.dtype)))
    if a.dtype.kind == "b" or b.dtype.kind == "b":
        a, b = a.astype(np.int64), b.astype(np.int64)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a64 - b64)
        close = (diff <= atol + rtol * np.abs(b64)) | (a64 == b64)
    if options["equal_nan"]:
        close |= np.isnan(a64) & np.isnan(b64)
    if close.all():
        return
    _fail(_mismatch_message(a64, b64, diff, close, rtol, atol, kind, path), options)


def _mismatch_message(a, b, diff, close, rtol, atol, kind, path):
    """PyTorch's wording: the count of mismatches and where the greatest differences are (a
    single value: both values and both differences)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(b)
    # a nan difference (nan against a number) is the greatest of all
    abs_at = np.unravel_index(np.argmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
    rel_at = np.unravel_index(np.argmax(np.where(np.isnan(rel), np.inf, rel)), rel.shape)
    if a.ndim == 0:
        return (f"Scalars are not close!\n\nExpected {b.item()} but got {a.item()}.\n"
                f"Absolute difference: {diff.item()} (up to {atol} allowed)\n"
                f"Relative difference: {rel.item()} (up to {rtol} allowed){_where(path)}")
    bad = int(close.size - close.sum())
    return (f"{kind} are not close!\n\nMismatched elements: {bad} / {close.size} "
            f"({100 * bad / close.size:.1f}%)\n"
            f"Greatest absolute difference: {diff[abs_at]} at index {_index(abs_at)} "
            f"(up to {atol} allowed)\n"
            f"Greatest relative difference: {rel[rel_at]} at index {_index(rel_at)} "
            f"(up to {rtol} allowed){_where(path)}")


def _default_tolerances(dtype):
    return _DEFAULT_TOLERANCES.get(dtype, (0.0, 0.0))


def _fail(message, options):
    msg = options["msg"]
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    raise AssertionError(message)


def _array(x):
    return x.detach().numpy() if isinstance(x, Tensor) else x


def _is_scalar(x):
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, complex)


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _index(at):
    return tuple(int(i) for i in at)


def _where(path):
    return "" if not path else f"\n\nThe failure occurred for item {''.join(f'[{p!r}]' for p in path)}"

