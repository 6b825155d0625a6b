"""N-D convolution (2-D and 3-D) over (N, C, *spatial) arrays, as im2col views and matrix
products.

A strided view of the padded input gives every window at once. The convolution copies the
windows of a channels-last copy of the input into columns (each window row is then a run of
contiguous channels, several times faster to gather than from NCHW) and takes one matrix product
per group; its input gradient adds the column gradients back, one strided slice addition per
kernel offset. The columns are rebuilt in backward instead of being saved, so a node keeps only
its input and weight. Pooling reads the (N, C, *spatial) windows directly.

These nodes give first derivatives; differentiating their backward again raises.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor

__all__ = ["conv2d", "conv3d", "conv_transpose2d", "conv_transpose3d"]


def _ntuple(value, name, op, minimum, dims):
    tup = (value,) * dims if isinstance(value, (int, np.integer)) else tuple(value)
    if len(tup) != dims or not all(isinstance(v, (int, np.integer)) and v >= minimum
                                   for v in tup):
        kind = "a pair" if dims == 2 else f"a tuple of {dims}"
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or {kind} of them, got "
                         f"{value!r}")
    return tuple(int(v) for v in tup)


def _pair(value, name, op, minimum):
    return _ntuple(value, name, op, minimum, 2)


def _out_size(size, pad, kernel, stride, dilation):
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _windows(xp, kernel, stride, dilation, out_sizes):
    """The read-only view (N, C, *out_sizes, *kernel) of every window of the padded input."""
    spatial = xp.strides[2:]
    return np.lib.stride_tricks.as_strided(
        xp, xp.shape[:2] + tuple(out_sizes) + tuple(kernel),
        xp.strides[:2] + tuple(s * t for s, t in zip(spatial, stride))
        + tuple(s * d for s, d in zip(spatial, dilation)),
        writeable=False)


def _pad(x, pads, value=0.0):
    if not any(any(p) for p in pads):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(pads), constant_values=value)


def _padded_zeros(shape, pads, dtype, channels_last=False):
    """Zeros for the (N, C, *spatial) `shape` padded by `pads` ((before, after) per spatial
    dim), as an N, C, *spatial array (a view of channels-last memory when asked)."""
    n, c = shape[:2]
    sizes = tuple(s + sum(p) for s, p in zip(shape[2:], pads))
    if channels_last:
        return np.moveaxis(np.zeros((n,) + sizes + (c,), dtype), -1, 1)
    return np.zeros((n, c) + sizes, dtype)


def _unpad(gxp, pads, shape):
    return gxp[(slice(None), slice(None))
               + tuple(slice(p[0], p[0] + s) for p, s in zip(pads, shape[2:]))]


def _add_windows(gxp, gwin, stride, dilation):
    """gxp[window positions] += gwin, for gwin of shape (N, C, *out, *kernel) (col2im): one
    strided slice addition per kernel offset."""
    nd = len(stride)
    out, kernel = gwin.shape[2:2 + nd], gwin.shape[2 + nd:]
    for offset in np.ndindex(*kernel):
        at = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                   for i, d, s, o in zip(offset, dilation, stride, out))
        gxp[(slice(None), slice(None)) + at] += gwin[(Ellipsis,) + offset]


def _first_order_only(g, op):
    if isinstance(g, Tensor):
        raise RuntimeError(f"{op} does not support double backward (create_graph=True)")


# ---------------------------------------------------------------------- convolution
def _flat_kernel(weight, k, og):
    """Group k of the weight (O, C / groups, *kernel) as (og, prod(kernel) * C / groups), in the
    (kernel..., channel) order of the columns."""
    return np.moveaxis(weight[k * og:(k + 1) * og], 1, -1).reshape(og, -1)


def _correlate(x, weight, stride, pads, dilation, groups, out_sizes):
    """The cross-correlation of x (N, C, *S) with weight (O, C / groups, *kernel):
    (N, O, *out_sizes), one matrix product of the columns per group."""
    kernel = weight.shape[2:]
    n, o = x.shape[0], weight.shape[0]
    og = o // groups
    out = np.empty((n,) + tuple(out_sizes) + (o,), np.result_type(x, weight))
    for k, cols in _group_columns(x, pads, kernel, stride, dilation, out_sizes, groups):
        out[..., k * og:(k + 1) * og] = (cols @ _flat_kernel(weight, k, og).T).reshape(
            (n,) + tuple(out_sizes) + (og,))
    return np.moveaxis(out, -1, 1)


def _correlate_input_grad(g, weight, shape, stride, pads, dilation, groups):
    """The adjoint of `_correlate` in x: col2im of g (N, O, *out) times the weight, for an
    input of `shape` (N, C, *S)."""
    n, o, out = g.shape[0], g.shape[1], g.shape[2:]
    cg, og = shape[1] // groups, o // groups
    kernel = weight.shape[2:]
    gm = np.moveaxis(g, 1, -1).reshape(-1, o)
    # channels-last memory seen as (N, C, *S) views, like the columns
    gxp = _padded_zeros(shape, pads, np.result_type(g, weight), channels_last=True)
    for k in range(groups):
        gcols = (gm[:, k * og:(k + 1) * og] @ _flat_kernel(weight, k, og)).reshape(
            (n,) + out + kernel + (cg,))
        _add_windows(gxp[:, k * cg:(k + 1) * cg], np.moveaxis(gcols, -1, 1), stride, dilation)
    return np.ascontiguousarray(_unpad(gxp, pads, shape))


def _correlate_weight_grad(x, g, kernel, stride, pads, dilation, groups):
    """The adjoint of `_correlate` in the weight: columns of x times g, (O, C / groups, *kernel)."""
    o, out = g.shape[1], g.shape[2:]
    cg, og = x.shape[1] // groups, o // groups
    gm = np.moveaxis(g, 1, -1).reshape(-1, o)
    gw = np.empty((o, cg) + tuple(kernel), np.result_type(x, g))
    for k, cols in _group_columns(x, pads, kernel, stride, dilation, out, groups):
        gwk = (gm[:, k * og:(k + 1) * og].T @ cols).reshape((og,) + tuple(kernel) + (cg,))
        gw[k * og:(k + 1) * og] = np.moveaxis(gwk, -1, 1)
    return gw


def _channel_sum(g):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


def _per_channel(bias, nd):
    return bias.reshape((-1,) + (1,) * nd)


class Conv2d(Op):
    """z[n, o] = sum over c and kernel offsets of x_pad[n, c, window] * w[o, c, offset] + b[o],
    per group.   gw = columns^T g,  gx = col2im(g w),  gb = sum of g over (n, *spatial).

    Shapes: x: (N, C, *S)  weight: (O, C / groups, *kernel)  bias: (O,)  ->  (N, O, *OS), for
    any number of spatial dims (Conv3d is the same node under its own name).
    `options` is (stride, pads, dilation, groups) with pads ((before, after) per spatial dim).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, options):
        stride, pads, dilation, groups = options
        ctx.options = options
        ctx.save_for_backward(x, weight)
        out_sizes = tuple(_out_size(n, sum(p), k, s, d) for n, p, k, s, d in
                          zip(x.shape[2:], pads, weight.shape[2:], stride, dilation))
        out = _correlate(x, weight, stride, pads, dilation, groups, out_sizes)
        if bias is not None:
            out += _per_channel(bias, len(out_sizes))
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, f"conv{g.ndim - 2}d")
        x, weight = ctx.saved_tensors
        stride, pads, dilation, groups = ctx.options
        nx, nw, nb = ctx.needs_input_grad[:3]
        gw = _correlate_weight_grad(x, g, weight.shape[2:], stride, pads, dilation,
                                    groups) if nw else None
        gx = _correlate_input_grad(g, weight, x.shape, stride, pads, dilation,
                                   groups) if nx else None
        gb = _channel_sum(g) if nb else None
        return gx, gw, gb, None


class Conv3d(Conv2d):
    """The 3-D convolution node: Conv2d's arithmetic on (N, C, D, H, W)."""


class ConvTranspose2d(Op):
    """The adjoint of Conv2d in its input: z = col2im(x w) + b, i.e. each input pixel adds
    x[n, c] * w[c, o] at its strided window of the output (cropped by the padding).
    gx = conv(g, w),  gw = conv's weight gradient with the roles of x and g swapped,
    gb = sum of g over (n, *spatial).

    Shapes: x: (N, C, *S)  weight: (C, O / groups, *kernel)  bias: (O,)  ->  (N, O, *OS), for any
    number of spatial dims (ConvTranspose3d is the same node under its own name).
    `options` is (stride, pads, dilation, groups, out_shape).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, options):
        stride, pads, dilation, groups, out_shape = options
        ctx.options = options
        ctx.save_for_backward(x, weight)
        out = _correlate_input_grad(x, weight, out_shape, stride, pads, dilation, groups)
        if bias is not None:
            out += _per_channel(bias, len(stride))
        return out

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, f"conv_transpose{g.ndim - 2}d")
        x, weight = ctx.saved_tensors
        stride, pads, dilation, groups, _ = ctx.options
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = np.ascontiguousarray(_correlate(g, weight, stride, pads, dilation, groups,
                                             x.shape[2:])) if nx else None
        gw = _correlate_weight_grad(g, x, weight.shape[2:], stride, pads, dilation,
                                    groups) if nw else None
        gb = _channel_sum(g) if nb else None
        return gx, gw, gb, None


class ConvTranspose3d(ConvTranspose2d):
    """The 3-D transposed convolution node: ConvTranspose2d's arithmetic on (N, C, D, H, W)."""


def _group_columns(x, pads, kernel, stride, dilation, out_sizes, groups):
    """(group, columns (N * prod(out), prod(kernel) * C / groups)) per group, from a
    channels-last copy of the padded input so each window row copies contiguous channel
    runs."""
    padded = _padded_zeros(x.shape, pads, x.dtype, channels_last=True)
    _unpad(padded, pads, x.shape)[...] = x
    xh = np.moveaxis(padded, 1, -1)  # the channels-last memory itself
    spatial, s_c = xh.strides[1:-1], xh.strides[-1]
    cg = x.shape[1] // groups
    n = x.shape[0]
    for k in range(groups):
        part = xh[..., k * cg:(k + 1) * cg]
        win = np.lib.stride_tricks.as_strided(
            part, (n,) + tuple(out_sizes) + tuple(kernel) + (cg,),
            (xh.strides[0],) + tuple(s * t for s, t in zip(spatial, stride))
            + tuple(s * d for s, d in zip(spatial, dilation)) + (s_c,),
            writeable=False)
        yield k, win.reshape(n * int(np.prod(out_sizes)), -1)


def _conv_pads(padding, kernel, dilation, stride, op):
    """((before, after) per spatial dim) from an int, a tuple, 'valid' or 'same'."""
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple of {nd}, "
                         f"got {padding!r}")
    return tuple((p, p) for p in _ntuple(padding, "padding", op, 0, nd))


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    op = f"conv{nd}d"
    if input.ndim == nd + 1:
        return _convnd(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups,
                       nd).squeeze(0)
    if input.ndim != nd + 2 or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 2}-D input (N, C, *spatial) and a "
                           f"{nd + 2}-D weight, got input of shape {tuple(input.shape)} and "
                           f"weight of shape {tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    c, o = input.shape[1], weight.shape[0]
    if c % groups or o % groups or weight.shape[1] * groups != c:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} has {c} channels, "
                           f"but weight of shape {tuple(weight.shape)} with groups={groups} "
                           f"expects {weight.shape[1] * groups} (and {o} output channels "
                           f"divisible by groups)")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{op}: bias of shape {tuple(bias.shape)} does not match the {o} "
                           f"output channels")
    stride = _ntuple(stride, "stride", op, 1, nd)
    dilation = _ntuple(dilation, "dilation", op, 1, nd)
    kernel = tuple(weight.shape[2:])
    pads = _conv_pads(padding, kernel, dilation, stride, op)
    for size, pad, k, d in zip(input.shape[2:], pads, kernel, dilation):
        if size + sum(pad) < d * (k - 1) + 1:
            raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} padded by "
                               f"{pads} is smaller than the dilated kernel {kernel} "
                               f"(dilation {dilation})")
    if input.dtype != weight.dtype:
        raise TypeError(f"{op}: input dtype {input.dtype} and weight dtype {weight.dtype} "
                        f"differ")
    node = Conv3d if nd == 3 else Conv2d
    return node.apply(input, weight, bias, (stride, pads, dilation, int(groups)))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as `torch.nn.functional.conv2d`.

    Shapes: input: (N, C, H, W) or (C, H, W)  weight: (O, C / groups, kh, kw)  bias: (O,)
    ->  (N, O, OH, OW) (or (O, OH, OW)), OH = (H + pads - dilation (kh - 1) - 1) // stride + 1.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation, as `torch.nn.functional.conv3d`.

    Shapes: input: (N, C, D, H, W) or (C, D, H, W)  weight: (O, C / groups, kd, kh, kw)
    bias: (O,)  ->  (N, O, OD, OH, OW), each size (S + pads - dilation (k - 1) - 1) // stride + 1.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      nd):
    op = f"conv_transpose{nd}d"
    if input.ndim == nd + 1:
        return _conv_transposend(input.unsqueeze(0), weight, bias, stride, padding,
                                 output_padding, groups, dilation, nd).squeeze(0)
    if input.ndim != nd + 2 or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 2}-D input (N, C, *spatial) and a "
                           f"{nd + 2}-D weight, got input of shape {tuple(input.shape)} and "
                           f"weight of shape {tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    c = input.shape[1]
    if weight.shape[0] != c or c % groups:
        raise RuntimeError(f"{op}: weight of shape {tuple(weight.shape)} expects input of shape "
                           f"{tuple(input.shape)} to have {weight.shape[0]} channels (divisible "
                           f"by groups={groups}), but got {c} channels instead")
    o = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{op}: bias of shape {tuple(bias.shape)} does not match the {o} "
                           f"output channels")
    stride = _ntuple(stride, "stride", op, 1, nd)
    padding = _ntuple(padding, "padding", op, 0, nd)
    output_padding = _ntuple(output_padding, "output_padding", op, 0, nd)
    dilation = _ntuple(dilation, "dilation", op, 1, nd)
    if any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding {output_padding}, stride {stride} "
                           f"and dilation {dilation}")
    out_sizes = tuple((n - 1) * s - 2 * p + d * (k - 1) + q + 1 for n, s, p, d, k, q in
                      zip(input.shape[2:], stride, padding, dilation, weight.shape[2:],
                          output_padding))
    if min(out_sizes) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} with weight of shape "
                           f"{tuple(weight.shape)} and padding {padding} gives output size "
                           f"{out_sizes}, which is too small")
    if input.dtype != weight.dtype:
        raise TypeError(f"{op}: input dtype {input.dtype} and weight dtype {weight.dtype} "
                        f"differ")
    pads = tuple((p, p) for p in padding)
    options = (stride, pads, dilation, int(groups), (input.shape[0], o) + out_sizes)
    node = ConvTranspose3d if nd == 3 else ConvTranspose2d
    return node.apply(input, weight, bias, options)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution (the gradient of conv2d in its input), as
    `torch.nn.functional.conv_transpose2d`; note PyTorch's argument order (groups before
    dilation).

    Shapes: input: (N, C, H, W) or (C, H, W)  weight: (C, O / groups, kh, kw)  bias: (O,)
    ->  (N, O, OH, OW), OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1
    """
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution (the gradient of conv3d in its input), as
    `torch.nn.functional.conv_transpose3d` (groups before dilation, as there).

    Shapes: input: (N, C, D, H, W) or (C, D, H, W)  weight: (C, O / groups, kd, kh, kw)
    bias: (O,)  ->  (N, O, OD, OH, OW), each (S - 1) stride - 2 padding + dilation (k - 1)
    + output_padding + 1
    """
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3)
