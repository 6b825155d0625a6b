"""Registry-driven value tests: every op against its NumPy reference, one test per family.

Each example draws shapes (broadcasting, size-1 dims, 0-d, empty dims), values inside the op's
domain and extra arguments, then compares our result with the reference in float64 and in
float32 (drawn per example; float32 outputs must stay float32, Python scalars included).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd.testing import registry
from autograd.testing.properties import check_values

# Half the profile's examples per op (each draws float64 or float32): ~90 ops x 3 tests must
# stay within the suite's time budget.
_fewer = settings(max_examples=max(5, settings().max_examples // 2))


def _params(family, specs=None):
    pool = registry.specs() if specs is None else specs
    chosen = [s for s in pool if s.family == family]
    return pytest.mark.parametrize("name", [s.name for s in chosen])


def _run(spec, data):
    dtypes = [np.float64, np.float32] if spec.float32 else [np.float64]
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    arrays, kwargs = data.draw(spec.inputs(dtype), label="inputs")
    check_values(spec, arrays, kwargs, dtype)


def test_every_registered_family_has_value_tests_here():
    assert set(registry.families()) <= set(FAMILIES_TESTED)


FAMILIES_TESTED = ("elementwise", "reduce", "shape", "index", "linalg", "nn", "norm", "losses")


@_params("elementwise")
@_fewer
@given(data=st.data())
def test_elementwise_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("reduce")
@_fewer
@given(data=st.data())
def test_reduce_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("shape")
@_fewer
@given(data=st.data())
def test_shape_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("index")
@_fewer
@given(data=st.data())
def test_index_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("linalg")
@_fewer
@given(data=st.data())
def test_linalg_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("nn")
@_fewer
@given(data=st.data())
def test_nn_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("norm")
@_fewer
@given(data=st.data())
def test_norm_values_match_numpy(name, data):
    _run(registry.get(name), data)



@_params("losses")
@_fewer
@given(data=st.data())
def test_losses_values_match_numpy(name, data):
    _run(registry.get(name), data)

