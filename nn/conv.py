"""`Conv1d`/`Conv2d`/`Conv3d`, their transposes and the pooling layers (the arithmetic is in
`autograd.ops.conv`; the 1-D forms run as 2-D ones on a height-1 image; padding modes other
than zeros pad with `F.pad` first, as PyTorch does)."""

import autograd

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d",
           "AvgPool1d", "AvgPool2d",
           "AdaptiveAvgPool2d"]
__all__ += ["Conv3d", "ConvTranspose3d"]


class _ConvNd(Module):
    """The layer behind Conv1d and Conv2d: sizes as tuples of `_dims` ints, PyTorch's default
    init (kaiming-uniform with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""

    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        modes = ("zeros", "reflect", "replicate", "circular")
        if padding_mode not in modes:
            raise ValueError(f"{name}: padding_mode must be one of {modes}, but got "
                             f"padding_mode={padding_mode!r}")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                             f"('valid', 'same')")
        if padding == "same" and any(s != 1 for s in ((stride,) if isinstance(stride, int)
                                                      else tuple(stride))):
            raise ValueError(f"{name}: padding='same' is not supported for strided "
                             f"convolutions")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        sizes = (lambda v: (v,) * self._dims if isinstance(v, int) else tuple(v))
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation = sizes(kernel_size), sizes(stride), \
            sizes(dilation)
        self.padding = padding if isinstance(padding, str) else sizes(padding)
        self.groups, self.padding_mode = groups, padding_mode
        self.weight = Parameter(autograd.empty(*self._weight_channels(in_channels, out_channels,
                                                                      groups),
                                               *self.kernel_size, dtype=dtype))
        self.register_parameter(
            "bias", Parameter(autograd.empty(out_channels, dtype=dtype)) if bias else None)
        self.reset_parameters()

    @staticmethod
    def _weight_channels(in_channels, out_channels, groups):
        return out_channels, in_channels // groups

    def reset_parameters(self):
        init._default_layer_init(self.weight, self.bias)

    def _mode_pads(self):
        """F.pad's list (last dim first) for a non-zeros padding_mode, as PyTorch pads."""
        pads = []
        for k, d, p in reversed(list(zip(self.kernel_size, self.dilation,
                                          ((None,) * self._dims if isinstance(self.padding, str)
                                           else self.padding)))):
            if self.padding == "valid":
                before, after = 0, 0
            elif self.padding == "same":
                before = d * (k - 1) // 2
                after = d * (k - 1) - before
            else:
                before = after = p
            pads += [before, after]
        return pads

    def forward(self, input):
        if self.padding_mode != "zeros":
            return self._conv(F.pad(input, self._mode_pads(), mode=self.padding_mode),
                              self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)

    def extra_repr(self):
        ones, zeros = (1,) * self._dims, (0,) * self._dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", zeros) != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
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


class _ConvTransposeNd(_ConvNd):
    """The layer behind ConvTranspose1d/2d: weight (in, out / groups, *kernel), PyTorch's init
    (fan-in from the weight's dim 1, as PyTorch computes it), and `forward(input, output_size)`
    choosing the output padding that reaches `output_size`."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got "
                             f"{padding!r}")
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f'{type(self).__name__}, got {padding_mode!r}')
        self.output_padding = (output_padding,) * self._dims if isinstance(output_padding, int) \
            else tuple(output_padding)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    @staticmethod
    def _weight_channels(in_channels, out_channels, groups):
        return in_channels, out_channels // groups

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        sizes = tuple(output_size)[-self._dims:]
        if len(sizes) != self._dims:
            raise ValueError(f"{type(self).__name__}: output_size must have {self._dims} or "
                             f"{self._dims + 2} elements, got {tuple(output_size)}")
        pads = []
        for n, want, s, p, d, k in zip(input.shape[-self._dims:], sizes, self.stride,
                                       self.padding, self.dilation, self.kernel_size):
            least = (n - 1) * s - 2 * p + d * (k - 1) + 1
            if not least <= want < least + max(s, d):
                raise ValueError(f"{type(self).__name__}: requested an output size of {sizes}, "
                                 f"but valid sizes for input of shape {tuple(input.shape)} "
                                 f"range from {least} to {least + max(s, d) - 1} per dim")
            pads.append(want - least)
        return tuple(pads)

    def forward(self, input, output_size=None):
        return self._conv(input, self.weight, self.bias, self.stride, self.padding,
                          self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (the gradient of Conv1d in its input), weight
    (in, out / groups, k), as `torch.nn.ConvTranspose1d`.

    Shapes: (N, in_channels, L) or (in_channels, L)  ->  (N, out_channels, OL),
    OL = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1
    """

    _dims = 1
    _conv = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the gradient of Conv2d in its input), weight
    (in, out / groups, kh, kw), as `torch.nn.ConvTranspose2d`.

    Shapes: (N, in_channels, H, W) or (in_channels, H, W)  ->  (N, out_channels, OH, OW),
    OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1

    Example:
        >>> up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        >>> up(autograd.randn(1, 16, 5, 5)).shape      # (1, 8, 10, 10)
    """

    _dims = 2
    _conv = staticmethod(F.conv_transpose2d)


class Conv3d(_ConvNd):
    """3-D cross-correlation with a learned (out, in / groups, kd, kh, kw) kernel, as
    `torch.nn.Conv3d`.

    Shapes: input: (N, in_channels, D, H, W) or (in_channels, D, H, W)
    ->  (N, out_channels, OD, OH, OW)
    """

    _dims = 3
    _conv = staticmethod(F.conv3d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution (the gradient of Conv3d in its input), weight
    (in, out / groups, kd, kh, kw), as `torch.nn.ConvTranspose3d`.

    Shapes: (N, in_channels, D, H, W) or (in_channels, D, H, W)  ->  (N, out_channels, OD, OH,
    OW), each (S - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1
    """

    _dims = 3
    _conv = staticmethod(F.conv_transpose3d)


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
