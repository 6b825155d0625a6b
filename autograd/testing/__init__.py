"""Testing helpers users import: Hypothesis strategies, the op registry, ready-made properties.

Needs `hypothesis` (the `test` extra); `import autograd` alone never imports this package.

    >>> from autograd.testing import strategies as ts, assert_gradients_match_finite_differences
    >>> assert_gradients_match_finite_differences(lambda x: (x * x).sum(),
    ...                                           ts.float_arrays(ts.shapes()))
"""
from . import strategies
from .strategies import Domain
from .properties import (assert_gradients_match_finite_differences, check_double_backward,
                         check_gradients, check_values, graph_op_names)
from . import registry
from .registry import OpSpec

__all__ = ["strategies", "Domain", "registry", "OpSpec",
           "assert_gradients_match_finite_differences", "check_values", "check_gradients",
           "check_double_backward", "graph_op_names"]
