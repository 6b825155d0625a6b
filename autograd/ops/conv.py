"""2-D convolution and pooling over (N, C, H, W) arrays, as im2col views and matrix products.

A strided view of the padded input gives every window at once. The convolution copies the
windows of a channels-last copy of the input into columns (each window row is then a run of
contiguous channels, several times faster to gather than from NCHW) and takes one matrix product
per group; its input gradient adds the column gradients back, one kernel offset at a time
(kh * kw slice additions). The columns are rebuilt in backward instead of being saved, so a node
keeps only its input and weight. Pooling reads the NCHW windows directly.

These nodes give first derivatives; differentiating their backward again raises.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor

__all__ = ["conv2d", "conv_transpose2d"]


def _pair(value, name, op, minimum):
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum
                                 for v in pair):
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or a pair of them, got "
                         f"{value!r}")
    return int(pair[0]), int(pair[1])


def _out_size(size, pad, kernel, stride, dilation):
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _windows(xp, kernel, stride, dilation, out_hw):
    """The read-only view (N, C, OH, OW, kh, kw) of every window of the padded input."""
    n, c = xp.shape[:2]
    s_n, s_c, s_h, s_w = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp, (n, c) + out_hw + kernel,
        (s_n, s_c, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1]),
        writeable=False)


def _pad(x, pads, value=0.0):
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _padded_zeros(shape, pads, dtype, channels_last=False):
    """Zeros for the (N, C, H, W) `shape` padded by `pads`, as an NCHW array (a view of
    channels-last memory when asked)."""
    n, c, h, w = shape
    hw = (h + sum(pads[0]), w + sum(pads[1]))
    if channels_last:
        return np.zeros((n,) + hw + (c,), dtype).transpose(0, 3, 1, 2)
    return np.zeros((n, c) + hw, dtype)


def _unpad(gxp, pads, shape):
    (top, _), (left, _) = pads
    return gxp[:, :, top:top + shape[2], left:left + shape[3]]


def _add_windows(gxp, gwin, stride, dilation):
    """gxp[window positions] += gwin, for gwin of shape (N, C, OH, OW, kh, kw) (col2im)."""
    oh, ow, kh, kw = gwin.shape[2:]
    for i in range(kh):
        rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (oh - 1) + 1, stride[0])
        for j in range(kw):
            cols = slice(j * dilation[1], j * dilation[1] + stride[1] * (ow - 1) + 1, stride[1])
            gxp[:, :, rows, cols] += gwin[:, :, :, :, i, j]


def _first_order_only(g, op):
    if isinstance(g, Tensor):
        raise RuntimeError(f"{op} does not support double backward (create_graph=True)")


# ---------------------------------------------------------------------- convolution
def _correlate(x, weight, stride, pads, dilation, groups, out_hw):
    """The cross-correlation of x (N, C, H, W) with weight (O, C / groups, kh, kw): (N, O, *out_hw),
    one matrix product of the columns per group."""
    kernel = weight.shape[2:]
    n, o = x.shape[0], weight.shape[0]
    og = o // groups
    out = np.empty((n,) + tuple(out_hw) + (o,), np.result_type(x, weight))
    for k, cols in _group_columns(x, pads, kernel, stride, dilation, out_hw, groups):
        w = weight[k * og:(k + 1) * og].transpose(0, 2, 3, 1).reshape(og, -1)
        out[..., k * og:(k + 1) * og] = (cols @ w.T).reshape(n, *out_hw, og)
    return out.transpose(0, 3, 1, 2)


def _correlate_input_grad(g, weight, shape, stride, pads, dilation, groups):
    """The adjoint of `_correlate` in x: col2im of g (N, O, OH, OW) times the weight, for an
    input of `shape` (N, C, H, W)."""
    n, o, oh, ow = g.shape
    cg, og = shape[1] // groups, o // groups
    kernel = weight.shape[2:]
    gm = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    # channels-last memory seen as NCHW views, like the columns
    gxp = _padded_zeros(shape, pads, np.result_type(g, weight), channels_last=True)
    for k in range(groups):
        w = weight[k * og:(k + 1) * og].transpose(0, 2, 3, 1).reshape(og, -1)
        gcols = (gm[:, k * og:(k + 1) * og] @ w).reshape(n, oh, ow, *kernel, cg)
        _add_windows(gxp[:, k * cg:(k + 1) * cg], gcols.transpose(0, 5, 1, 2, 3, 4),
                     stride, dilation)
    return np.ascontiguousarray(_unpad(gxp, pads, shape))


def _correlate_weight_grad(x, g, kernel, stride, pads, dilation, groups):
    """The adjoint of `_correlate` in the weight: columns of x times g, (O, C / groups, *kernel)."""
    n, o, oh, ow = g.shape
    cg, og = x.shape[1] // groups, o // groups
    gm = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    gw = np.empty((o, cg) + tuple(kernel), np.result_type(x, g))
    for k, cols in _group_columns(x, pads, kernel, stride, dilation, (oh, ow), groups):
        gwk = (gm[:, k * og:(k + 1) * og].T @ cols).reshape(og, *kernel, cg)
        gw[k * og:(k + 1) * og] = gwk.transpose(0, 3, 1, 2)
    return gw


class Conv2d(Op):
    """z[n, o] = sum over c, i, j of x_pad[n, c, window] * w[o, c, i, j] + b[o], per group.
    gw = columns^T g,  gx = col2im(g w),  gb = sum of g over (n, h, w).

    Shapes: x: (N, C, H, W)  weight: (O, C / groups, kh, kw)  bias: (O,)  ->  (N, O, OH, OW)
    `options` is (stride, pads, dilation, groups) with pads ((top, bottom), (left, right)).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, options):
        stride, pads, dilation, groups = options
        ctx.options = options
        ctx.save_for_backward(x, weight)
        kernel = weight.shape[2:]
        out_hw = (_out_size(x.shape[2], sum(pads[0]), kernel[0], stride[0], dilation[0]),
                  _out_size(x.shape[3], sum(pads[1]), kernel[1], stride[1], dilation[1]))
        out = _correlate(x, weight, stride, pads, dilation, groups, out_hw)
        if bias is not None:
            out += bias[:, None, None]
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "conv2d")
        x, weight = ctx.saved_tensors
        stride, pads, dilation, groups = ctx.options
        nx, nw, nb = ctx.needs_input_grad[:3]
        gw = _correlate_weight_grad(x, g, weight.shape[2:], stride, pads, dilation,
                                    groups) if nw else None
        gx = _correlate_input_grad(g, weight, x.shape, stride, pads, dilation,
                                   groups) if nx else None
        gb = g.sum(axis=(0, 2, 3)) if nb else None
        return gx, gw, gb, None


class ConvTranspose2d(Op):
    """The adjoint of Conv2d in its input: z = col2im(x w) + b, i.e. each input pixel adds
    x[n, c] * w[c, o] at its strided window of the output (cropped by the padding).
    gx = conv2d(g, w),  gw = conv2d's weight gradient with the roles of x and g swapped,
    gb = sum of g over (n, h, w).

    Shapes: x: (N, C, H, W)  weight: (C, O / groups, kh, kw)  bias: (O,)  ->  (N, O, OH, OW)
    `options` is (stride, pads, dilation, groups, out_shape).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, options):
        stride, pads, dilation, groups, out_shape = options
        ctx.options = options
        ctx.save_for_backward(x, weight)
        out = _correlate_input_grad(x, weight, out_shape, stride, pads, dilation, groups)
        if bias is not None:
            out += bias[:, None, None]
        return out

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "conv_transpose2d")
        x, weight = ctx.saved_tensors
        stride, pads, dilation, groups, _ = ctx.options
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = np.ascontiguousarray(_correlate(g, weight, stride, pads, dilation, groups,
                                             x.shape[2:])) if nx else None
        gw = _correlate_weight_grad(g, x, weight.shape[2:], stride, pads, dilation,
                                    groups) if nw else None
        gb = g.sum(axis=(0, 2, 3)) if nb else None
        return gx, gw, gb, None


def _group_columns(x, pads, kernel, stride, dilation, out_hw, groups):
    """(group, columns (N*OH*OW, kh*kw*C/groups)) per group, from a channels-last copy of the
    padded input so each window row copies contiguous channel runs."""
    padded = _padded_zeros(x.shape, pads, x.dtype, channels_last=True)
    _unpad(padded, pads, x.shape)[...] = x
    xh = padded.transpose(0, 2, 3, 1)  # the channels-last memory itself
    s_n, s_h, s_w, s_c = xh.strides
    cg = x.shape[1] // groups
    n = x.shape[0]
    for k in range(groups):
        part = xh[..., k * cg:(k + 1) * cg]
        win = np.lib.stride_tricks.as_strided(
            part, (n,) + out_hw + kernel + (cg,),
            (s_n, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1], s_c),
            writeable=False)
        yield k, win.reshape(n * out_hw[0] * out_hw[1], -1)


def _conv_pads(padding, kernel, dilation, stride):
    """((top, bottom), (left, right)) from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("conv2d: padding='same' is not supported for strided "
                                 "convolutions")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        raise ValueError(f"conv2d: padding must be 'valid', 'same', an int or a pair, got "
                         f"{padding!r}")
    ph, pw = _pair(padding, "padding", "conv2d", 0)
    return (ph, ph), (pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as `torch.nn.functional.conv2d`.

    Shapes: input: (N, C, H, W) or (C, H, W)  weight: (O, C / groups, kh, kw)  bias: (O,)
    ->  (N, O, OH, OW) (or (O, OH, OW)), OH = (H + pads - dilation (kh - 1) - 1) // stride + 1.
    """
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation,
                      groups).squeeze(0)
    if input.ndim != 4 or weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D input (N, C, H, W) and a 4-D weight, got "
                           f"input of shape {tuple(input.shape)} and weight of shape "
                           f"{tuple(weight.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    c, o = input.shape[1], weight.shape[0]
    if c % groups or o % groups or weight.shape[1] * groups != c:
        raise RuntimeError(f"conv2d: input of shape {tuple(input.shape)} has {c} channels, "
                           f"but weight of shape {tuple(weight.shape)} with groups={groups} "
                           f"expects {weight.shape[1] * groups} (and {o} output channels "
                           f"divisible by groups)")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"conv2d: bias of shape {tuple(bias.shape)} does not match the {o} "
                           f"output channels")
    stride = _pair(stride, "stride", "conv2d", 1)
    dilation = _pair(dilation, "dilation", "conv2d", 1)
    kernel = tuple(weight.shape[2:])
    pads = _conv_pads(padding, kernel, dilation, stride)
    for size, pad, k, d in zip(input.shape[2:], pads, kernel, dilation):
        if size + sum(pad) < d * (k - 1) + 1:
            raise RuntimeError(f"conv2d: input of shape {tuple(input.shape)} padded by "
                               f"{pads} is smaller than the dilated kernel "
                               f"{tuple(weight.shape[2:])} (dilation {dilation})")
    if input.dtype != weight.dtype:
        raise TypeError(f"conv2d: input dtype {input.dtype} and weight dtype {weight.dtype} "
                        f"differ")
    return Conv2d.apply(input, weight, bias, (stride, pads, dilation, int(groups)))


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution (the gradient of conv2d in its input), as
    `torch.nn.functional.conv_transpose2d`; note PyTorch's argument order (groups before
    dilation).

    Shapes: input: (N, C, H, W) or (C, H, W)  weight: (C, O / groups, kh, kw)  bias: (O,)
    ->  (N, O, OH, OW), OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1
    """
    op = "conv_transpose2d"
    if input.ndim == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding,
                                output_padding, groups, dilation).squeeze(0)
    if input.ndim != 4 or weight.ndim != 4:
        raise RuntimeError(f"{op}: expected a 4-D input (N, C, H, W) and a 4-D weight, got "
                           f"input of shape {tuple(input.shape)} and weight of shape "
                           f"{tuple(weight.shape)}")
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
    stride = _pair(stride, "stride", op, 1)
    padding = _pair(padding, "padding", op, 0)
    output_padding = _pair(output_padding, "output_padding", op, 0)
    dilation = _pair(dilation, "dilation", op, 1)
    if any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding {output_padding}, stride {stride} "
                           f"and dilation {dilation}")
    out_hw = tuple((n - 1) * s - 2 * p + d * (k - 1) + q + 1 for n, s, p, d, k, q in
                   zip(input.shape[2:], stride, padding, dilation, weight.shape[2:],
                       output_padding))
    if min(out_hw) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} with weight of shape "
                           f"{tuple(weight.shape)} and padding {padding} gives output size "
                           f"{out_hw}, which is too small")
    if input.dtype != weight.dtype:
        raise TypeError(f"{op}: input dtype {input.dtype} and weight dtype {weight.dtype} "
                        f"differ")
    pads = tuple((p, p) for p in padding)
    options = (stride, pads, dilation, int(groups), (input.shape[0], o) + out_hw)
    return ConvTranspose2d.apply(input, weight, bias, options)
