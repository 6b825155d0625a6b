"""Dropout in all its forms, drawing masks as PyTorch's CPU kernels do.

Every variant is one routine: a noise tensor (one value per element, or per sample and channel
for the feature forms) of 1s with probability 1 - p from float64 uniforms (PyTorch's
`bernoulli_(1 - p)`), then scaled by 1 / (1 - p), or for alpha dropout turned into SELU's
saturation value plus an affine correction. So after the same seed the masks are PyTorch's.
`inplace=True` is accepted; the result is always a new tensor.
"""
import math
import warnings

import numpy as np

from autograd.random import _generator
from autograd.tensor import _make

__all__ = ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
           "dropout3d"]

_SELU_SATURATION = 1.7580993408473766       # -SELU(-inf) = scale * alpha


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, feature=False, alpha=False, generator=None):
    """The shared body. Shapes: (N, C, *) for `feature`, any otherwise -> the same."""
    _check_p(p)
    if p == 0.0 or not training or input.numel() == 0:
        return input
    dt = input.dtype if input.dtype.kind == "f" else np.dtype(np.float32)
    if p == 1.0:
        return input * _make(np.zeros((), dt), None)
    if feature:
        if input.ndim < 2:
            raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, "
                               f"got shape {tuple(input.shape)}")
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    else:
        shape = tuple(input.shape)
    noise = _generator(generator).bernoulli(shape, 1.0 - p).astype(dt)
    if not alpha:
        return input * _make(noise / dt.type(1.0 - p), None)
    a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
    shift = (noise - dt.type(1)) * dt.type(_SELU_SATURATION * a) + dt.type(_SELU_SATURATION * a * p)
    return input * _make(noise * dt.type(a), None) + _make(shift, None)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (inverted
    dropout), so the expectation is unchanged; the identity when not training."""
    return _dropout(input, p, training, generator=generator)


def alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and an
    affine correction keeps the mean and variance (Klambauer et al., 2017)."""
    return _dropout(input, p, training, alpha=True, generator=generator)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (one draw per sample and channel).

    Shapes: (N, C, *) -> the same
    """
    return _dropout(input, p, training, feature=True, alpha=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels with probability p and scale the rest by 1 / (1 - p).

    Shapes: (N, C, L) or (C, L) -> the same
    """
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           f"input of shape {tuple(input.shape)}. Note that dropout1d exists to "
                           f"provide channel-wise dropout on inputs with 1 spatial dimension")
    return _unbatched(input, 3, p, training)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero whole channels (one draw per sample and channel) with probability p and scale the
    rest by 1 / (1 - p). A 3-D input is read as (N, C, L), as PyTorch still does (with its
    warning).

    Shapes: (N, C, H, W) -> the same
    """
    _check_p(p)
    if input.ndim not in (3, 4):
        _warn_dims("dropout2d", input.ndim, "2 spatial dimensions", "3D or 4D")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, "
                      "W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, feature=True, generator=generator)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (3-D feature maps) with probability p and scale the rest by
    1 / (1 - p).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> the same
    """
    _check_p(p)
    if input.ndim not in (4, 5):
        _warn_dims("dropout3d", input.ndim, "3 spatial dimensions", "4D or 5D")
    return _unbatched(input, 5, p, training)


def _unbatched(input, batched_ndim, p, training):
    """Feature dropout on input that may lack its batch dimension."""
    if not training or p == 0.0:
        return input
    if input.ndim == batched_ndim:
        return _dropout(input, p, training, feature=True)
    return _dropout(input.unsqueeze(0), p, training, feature=True).squeeze(0)


def _warn_dims(name, ndim, spatial, accepted):
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will "
                  f"result in an error in a future release. To retain the behavior and silence "
                  f"this warning, please use dropout instead. Note that {name} exists to provide "
                  f"channel-wise dropout on inputs with {spatial}, a channel dimension, and an "
                  f"optional batch dimension (i.e. {accepted} inputs).", stacklevel=3)
