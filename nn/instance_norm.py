"""InstanceNorm1d/2d and LocalResponseNorm (the arithmetic is in `nn._functional_misc`)."""
from . import functional as F
from .module import Module
from .normalization import _BatchNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "LocalResponseNorm"]


class _InstanceNorm(_BatchNorm):
    """Per-sample, per-channel normalisation over the spatial dims; PyTorch's defaults
    (affine=False, track_running_stats=False)."""

    _spatial = 1

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, input):
        name, dims = type(self).__name__, self._spatial
        if input.ndim not in (dims + 1, dims + 2):
            raise ValueError(f"{name}: expected {dims + 1}D (unbatched) or {dims + 2}D (batched) "
                             f"input, got input of shape {tuple(input.shape)}")
        if input.ndim == dims + 1:
            return self.forward(input.unsqueeze(0)).squeeze(0)
        if self.affine and input.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input's size at dim=1 to match num_features "
                             f"({self.num_features}), but got input of shape "
                             f"{tuple(input.shape)}")
        use_input_stats = self.training or not self.track_running_stats
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, use_input_stats, self.momentum or 0.0, self.eps)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input.   Shapes: -> the same"""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input (style transfer, GANs).

    Shapes: (N, C, H, W) -> the same

    Example:
        >>> norm = nn.InstanceNorm2d(3, affine=True)
        >>> y = norm(autograd.randn(2, 3, 8, 8))   # each (n, c) plane: mean 0, variance 1
    """

    _spatial = 2


class LocalResponseNorm(Module):
    """x / (k + alpha / size * sum of x^2 over `size` neighbouring channels) ** beta.

    Shapes: (N, C, *) -> the same
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
