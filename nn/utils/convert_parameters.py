"""Flattening parameters into one vector and back."""
import numpy as np

import autograd
from autograd import versions
from autograd.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """Concatenate the flattened parameters into one 1-D tensor (differentiable).

    Shapes: parameters with n_1, n_2, ... elements  ->  (n_1 + n_2 + ...,)
    """
    return autograd.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of `vec` into the parameters (in place, values copied).

    Raises ValueError when the sizes do not add up.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    data = vec._data.reshape(-1)
    total = sum(p._data.size for p in params)
    if data.size != total:
        raise ValueError(f"vector_to_parameters: vector has {data.size} elements but the "
                         f"parameters have {total}")
    pointer = 0
    for p in params:
        n = p._data.size
        np.copyto(p._data, data[pointer:pointer + n].reshape(p._data.shape), casting="unsafe")
        versions.bump(p, "vector_to_parameters")
        pointer += n
