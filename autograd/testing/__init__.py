"""Testing helpers users import: Hypothesis strategies, the op registry, ready-made properties.

The strategies, registry and properties need `hypothesis` (the `test` extra) and are imported
on first use; `assert_close` (PyTorch's `torch.testing.assert_close`) needs only NumPy.

    >>> from autograd.testing import strategies as ts, assert_gradients_match_finite_differences
    >>> assert_gradients_match_finite_differences(lambda x: (x * x).sum(),
    ...                                           ts.float_arrays(ts.shapes()))
"""
import importlib

from .compare import assert_close

__all__ = ["assert_close", "strategies", "Domain", "registry", "OpSpec",
           "assert_gradients_match_finite_differences", "check_values", "check_gradients",
           "check_double_backward", "graph_op_names"]

# name -> the submodule that defines it (imported when first asked for: they need hypothesis)
_LAZY = {"strategies": None, "registry": None, "properties": None, "Domain": "strategies",
         "OpSpec": "registry", "assert_gradients_match_finite_differences": "properties",
         "check_values": "properties", "check_gradients": "properties",
         "check_double_backward": "properties", "graph_op_names": "properties"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name] or name}")
    return module if _LAZY[name] is None else getattr(module, name)
