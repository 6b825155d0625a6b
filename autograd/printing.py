"""How tensors print: PyTorch's `tensor([1.5000, 2.0000], requires_grad=True)` layout, and
`set_printoptions` to change precision, summarisation and line width as in PyTorch."""
import numpy as np

from . import dtypes

__all__ = ["set_printoptions", "format_tensor"]

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=np.inf, edgeitems=3, linewidth=80)}
_options = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Digits after the point (`precision`), the element count past which tensors are
    summarised (`threshold`) showing `edgeitems` per edge, `linewidth`, a `profile` ('default',
    'short', 'full') applied first, and `sci_mode` (True/False forces scientific notation on or
    off; None chooses as PyTorch does)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r}: expected one of "
                             f"{sorted(_PROFILES)}")
        _options.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[key] = value
    _options["sci_mode"] = sci_mode


def format_tensor(t):
    """PyTorch-style repr: `tensor([1.5000, 2.0000], requires_grad=True)`."""
    arr = t._data
    layout = dict(separator=", ", prefix="tensor(", threshold=_options["threshold"],
                  edgeitems=_options["edgeitems"], max_line_width=_options["linewidth"])
    if arr.dtype.kind == "f":
        body = np.array2string(arr, formatter={"float_kind": _float_format(arr)}, **layout)
    else:
        body = np.array2string(arr, **layout)
    extras = []
    if arr.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        extras.append(f"dtype={arr.dtype}")
    if arr.size == 0 and arr.ndim != 1:
        extras.append(f"size={tuple(arr.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


def _float_format(arr):
    """One format for every element, chosen from the finite values as PyTorch chooses: whole
    numbers as `2.`, scientific notation for very large or very small magnitudes."""
    digits, sci = _options["precision"], _options["sci_mode"]
    finite = arr[np.isfinite(arr)]
    if sci is None:
        whole = finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8
        if whole:
            return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
        nonzero = np.abs(finite[finite != 0])
        sci = bool(finite.size) and (np.abs(finite).max() >= 1e8 or nonzero.min(initial=1) < 1e-4)
    return (lambda v: f"{v:.{digits}e}") if sci else (lambda v: f"{v:.{digits}f}")
