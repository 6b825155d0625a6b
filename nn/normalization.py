"""Normalisation layers: BatchNorm1d/2d/3d, LayerNorm, RMSNorm, GroupNorm.

Each calls a fused forward/backward node (autograd/ops/norm.py) through `nn.functional`.
"""
import numbers


import autograd
from autograd import versions

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "RMSNorm", "GroupNorm"]


def _affine_parameters(module, affine, bias, shape, dtype):
    """`module.weight` (ones) and `module.bias` (zeros) of `shape` when `affine` (bias only with
    `bias`), registered as None otherwise."""
    module.register_parameter(
        "weight", Parameter(autograd.ones(*shape, dtype=dtype)) if affine else None)
    module.register_parameter(
        "bias", Parameter(autograd.zeros(*shape, dtype=dtype)) if affine and bias else None)


def _reset_affine(module):
    """Weight back to ones and bias to zeros, where they exist."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    """Per-channel batch normalisation with running statistics (PyTorch's _BatchNorm)."""

    _expected_dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, (num_features,), dtype)
        if track_running_stats:
            self.register_buffer("running_mean", autograd.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", autograd.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", autograd.tensor(0, dtype=autograd.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0
            for b in (self.running_mean, self.running_var, self.num_batches_tracked):
                versions.bump(b, "reset_running_stats")

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"{type(self).__name__}: expected {dims} input (got {input.ndim}D "
                             f"input of shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input with "
                             f"{self.num_features} channels in dim 1, got input of shape "
                             f"{tuple(input.shape)}")

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            versions.bump(self.num_batches_tracked, "add_")
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch_stats = self.training or (self.running_mean is None and
                                            self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input: per channel, batch statistics in
    training (biased variance to normalise, unbiased for the running estimate), running
    statistics in eval. momentum=None keeps a cumulative average.

    Shapes: input: (N, C) or (N, C, L)  ->  same

    Example:
        >>> bn = nn.BatchNorm1d(16)
        >>> y = bn(autograd.randn(8, 16))      # training: normalised with the batch stats
        >>> bn.eval(); y = bn(x)               # eval: running_mean / running_var
    """

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) input.   Shapes: (N, C, H, W) -> same"""

    _expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation over (N, C, D, H, W) input.   Shapes: (N, C, D, H, W) -> same"""

    _expected_dims = (5,)


def _normalized_shape(shape):
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    return tuple(int(s) for s in shape)


class LayerNorm(Module):
    """Normalises over the trailing `normalized_shape` dims of each sample (biased variance),
    then applies the elementwise weight (ones) and bias (zeros).

    Shapes: input: (*, *normalized_shape)  ->  same

    Example:
        >>> ln = nn.LayerNorm(64)
        >>> ln(autograd.randn(8, 10, 64)).shape
        (8, 10, 64)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """x / sqrt(mean(x**2) + eps) * weight over the trailing dims (Zhang & Sennrich, 2019);
    eps=None means the dtype's machine epsilon.

    Shapes: input: (*, *normalized_shape)  ->  same
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.register_parameter("weight", Parameter(
            autograd.ones(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None)

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Normalises groups of num_channels / num_groups channels (and all spatial positions) per
    sample, then a per-channel affine.

    Shapes: input: (N, C, *)  ->  same
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, (num_channels,), dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"{self!r}: expected input of shape (N, {self.num_channels}, *), "
                             f"got {tuple(input.shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


