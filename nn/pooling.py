"""Adaptive pooling and max unpooling layers (the arithmetic is in `nn._functional_pooling`)."""
from . import conv as _conv
from . import functional as F
from .module import Module

__all__ = ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MaxUnpool1d",
           "MaxUnpool2d"]


class _AdaptivePool(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """The mean of each of `output_size` windows [floor(i L / out), ceil((i + 1) L / out)).

    Shapes: (N, C, L) or (C, L) -> (N, C, output_size) or (C, output_size)
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """The largest value of each adaptive window (and its index along L when
    `return_indices`).   Shapes: (N, C, L) or (C, L) -> (N, C, output_size)"""

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """The largest value of each adaptive window (and its flat index into H * W when
    `return_indices`); `None` in output_size keeps that dim.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, oh, ow) or (C, oh, ow)

    Example:
        >>> pool = nn.AdaptiveMaxPool2d((3, 3), return_indices=True)
        >>> y, idx = pool(autograd.randn(1, 4, 7, 10))   # y: (1, 4, 3, 3)
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class _MaxUnpool(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        tup = (lambda v: (v,) * self._dims if isinstance(v, int) else tuple(v))
        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride if stride is not None else kernel_size)
        self.padding = tup(padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool):
    """The inverse of `MaxPool1d(return_indices=True)`: values at their indices, zeros elsewhere.
    Shapes: (N, C, L) -> (N, C, (L - 1) stride - 2 padding + kernel_size)"""

    _dims = 1

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class MaxUnpool2d(_MaxUnpool):
    """The inverse of `MaxPool2d(return_indices=True)`: values at their flat indices, zeros
    elsewhere.

    Shapes: (N, C, H, W) -> (N, C, (H - 1) stride - 2 padding + kH, ...)

    Example:
        >>> y, idx = nn.MaxPool2d(2, return_indices=True)(x)
        >>> nn.MaxUnpool2d(2)(y, idx, output_size=x.shape)
    """

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


__all__ += ["LPPool1d", "LPPool2d"]


class _LPPool(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPool):
    """Power-average pooling (sum of x^p over each window)^(1/p).
    Shapes: (N, C, L) or (C, L) -> (N, C, OL) or (C, OL)

    Example:
        >>> pool = nn.LPPool1d(2, 3, stride=2)
        >>> pool(autograd.randn(4, 16, 50)).shape   # (4, 16, 24)
    """

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPool):
    """Power-average pooling (sum of x^p over each window)^(1/p).
    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW)"""

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


__all__ += ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "MaxUnpool3d"]


class MaxPool3d(_conv.MaxPool2d):
    """The largest value of each window (and its flat index into D * H * W when
    `return_indices`).   Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW)"""

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool3d(_conv.AvgPool2d):
    """The mean of each window (zero padding counted unless `count_include_pad=False`).
    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW)"""

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptivePool):
    """The mean of each adaptive window; `None` in output_size keeps that dim.
    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, od, oh, ow)"""

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """The largest value of each adaptive window (and its flat index into D * H * W when
    `return_indices`).   Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, od, oh, ow)"""

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class MaxUnpool3d(_MaxUnpool):
    """The inverse of `MaxPool3d(return_indices=True)`: values at their flat indices, zeros
    elsewhere.   Shapes: (N, C, D, H, W) -> (N, C, (D - 1) stride - 2 padding + kD, ...)"""

    _dims = 3

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)
