"""`Conv1d`/`Conv2d` and the pooling layers (the arithmetic is in `autograd.ops.conv`; the 1-D
forms run as 2-D ones on a height-1 image)."""

import autograd

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
           "AdaptiveAvgPool2d"]


class _ConvNd(Module):
    """The layer behind Conv1d and Conv2d: sizes as tuples of `_dims` ints, PyTorch's default
    init (kaiming-uniform with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""

    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if padding_mode != "zeros":
            raise NotImplementedError(f"{name}: padding_mode={padding_mode!r} is not supported "
                                      f"(only 'zeros')")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        sizes = (lambda v: (v,) * self._dims if isinstance(v, int) else tuple(v))
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation = sizes(kernel_size), sizes(stride), \
            sizes(dilation)
        self.padding = padding if isinstance(padding, str) else sizes(padding)
        self.groups, self.padding_mode = groups, padding_mode
        self.weight = Parameter(autograd.empty(out_channels, in_channels // groups,
                                               *self.kernel_size, dtype=dtype))
        self.register_parameter(
            "bias", Parameter(autograd.empty(out_channels, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        init._default_layer_init(self.weight, self.bias)

    def forward(self, input):
        return self._conv(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)

    def extra_repr(self):
        ones, zeros = (1,) * self._dims, (0,) * self._dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding not in (zeros, "valid"):
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """1-D cross-correlation with a learned (out, in / groups, k) kernel, as `torch.nn.Conv1d`.

    Shapes: input: (N, in_channels, L) or (in_channels, L)  ->  (N, out_channels, OL)
    """

    _dims = 1
    _conv = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-D cross-correlation with a learned (out, in / groups, kh, kw) kernel, as
    `torch.nn.Conv2d`.

    Shapes: input: (N, in_channels, H, W) or (in_channels, H, W)  ->  (N, out_channels, OH, OW)
    """

    _dims = 2
    _conv = staticmethod(F.conv2d)


class MaxPool2d(Module):
    """The largest value of each window.   Shapes: (N, C, H, W) -> (N, C, OH, OW)"""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each window (zero padding counted).   Shapes: (N, C, H, W) -> (N, C, OH, OW)"""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(MaxPool2d):
    """The largest value of each window.   Shapes: (N, C, L) or (C, L) -> (N, C, OL)"""

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool1d(AvgPool2d):
    """The mean of each window (zero padding counted).   Shapes: (N, C, L) -> (N, C, OL)"""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        one = (lambda v: (v,) if isinstance(v, int) else tuple(v))  # PyTorch keeps 1-tuples
        super().__init__(one(kernel_size), one(stride or kernel_size), one(padding), ceil_mode,
                         count_include_pad)

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """The mean of each adaptive window [floor(i H / oh), ceil((i + 1) H / oh)) x (same for W);
    `None` in output_size keeps that dim.   Shapes: (N, C, H, W) -> (N, C, oh, ow)"""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
