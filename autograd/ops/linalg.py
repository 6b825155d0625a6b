"""Linear algebra: matmul (with PyTorch's 1-D and batch rules), mm, bmm, dot, outer, einsum."""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, promote, unbroadcast


class MatMul(Op):
    """z = a @ b.   ga = g @ b^T,  gb = a^T @ g   (1-D operands promoted, batch dims summed).

    Shapes: a: (*, n, k)  b: (*, k, m)  ->  (*, n, m); a 1-D `a` is (k,), a 1-D `b` is (k,).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        a_shape, b_shape = a.shape, b.shape
        if len(a_shape) == 1:
            a = a.reshape((1,) + a_shape)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if len(b_shape) > 1 else \
                g.reshape((1,))
        if len(b_shape) == 1:
            b = b.reshape(b_shape + (1,))
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if na:
            ga = unbroadcast(g @ b.swapaxes(-1, -2), a.shape).reshape(a_shape)
        if nb:
            gb = unbroadcast(a.swapaxes(-1, -2) @ g, b.shape).reshape(b_shape)
        return ga, gb


def _check_matmul(a, b, op):
    sa, sb = a.shape, b.shape
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(f"{op}: both arguments need at least 1 dimension, got shapes "
                           f"{tuple(sa)} and {tuple(sb)}")
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        raise RuntimeError(f"{op}: shapes {tuple(sa)} and {tuple(sb)} cannot be multiplied "
                           f"({ka} != {kb})")
    if len(sa) > 2 and len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise RuntimeError(f"{op}: batch dimensions of shapes {tuple(sa)} and {tuple(sb)} "
                               f"do not broadcast") from None


def matmul(input, other):
    """Matrix product with PyTorch's rules: 1-D x 1-D is a dot product, 2-D x 1-D a
    matrix-vector product, and leading batch dims broadcast."""
    a, b = promote(input, other)
    _check_matmul(a, b, "matmul")
    return MatMul.apply(a, b)


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)}")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)}")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)}")
    return matmul(input, mat2)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a matrix and a vector, got shapes {tuple(input.shape)} "
                           f"and {tuple(vec.shape)}")
    return matmul(input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           f"tensors")
    if input.shape != other.shape:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensor [{input.shape[0]}] "
                           f"and src [{other.shape[0]}] to have the same number of elements")
    return matmul(input, other)


inner = dot


def outer(input, vec2):
    """outer(a, b)[i, j] = a[i] * b[j]."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got shapes {tuple(input.shape)} and "
                           f"{tuple(vec2.shape)}")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


# ---------------------------------------------------------------------- einsum
class Einsum(Op):
    """z = einsum(spec, *xs).   gx_k = einsum of g with the other operands, producing x_k's
    subscripts; indices that only x_k had were summed, so their gradient is broadcast back."""

    @staticmethod
    def forward(ctx, *xs, inputs, output):
        ctx.subs = (inputs, output)
        ctx.save_for_backward(*xs)
        return np.einsum(",".join(inputs) + "->" + output, *xs)

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        inputs, output = ctx.subs
        grads = []
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            sub_k = inputs[k]
            others = [inputs[j] for j in range(len(xs)) if j != k]
            available = set(output).union(*others) if others else set(output)
            kept = "".join(c for c in dict.fromkeys(sub_k) if c in available)
            spec = ",".join([output] + others) + "->" + kept
            gk = _einsum(spec, g, *[xs[j] for j in range(len(xs)) if j != k])
            grads.append(_expand_subscripts(gk, kept, sub_k, xs[k].shape))
        return tuple(grads)


def _expand_subscripts(g, kept, target, shape):
    """Lay out `g` (subscripts `kept`, in g's order) as an operand with subscripts `target` and
    `shape`: transpose to target's order, sum dims the operand had as size 1 (broadcast), put
    back dims the operand summed on its own, and spread repeated subscripts onto diagonals."""
    unique = "".join(dict.fromkeys(target))
    first = {c: target.index(c) for c in unique}
    order = [kept.index(c) for c in unique if c in kept]
    if order != sorted(order):
        g = _transpose(g, order)
    present = [c for c in unique if c in kept]
    view = tuple(g.shape[present.index(c)] if c in kept else 1 for c in unique)
    if g.shape != view:
        g = g.reshape(view)
    axes = tuple(i for i, c in enumerate(unique) if shape[first[c]] == 1 and view[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    g = _broadcast(g, tuple(shape[first[c]] for c in unique))
    if unique == target:
        return g
    # NOTE: a subscript repeated in one operand reads its diagonal; the gradient goes back onto
    # that diagonal: multiply by an identity for each repeat, as an einsum.
    letters = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   if c not in target)
    seen, full, eyes, specs = set(), [], [], []
    for c in target:
        if c in seen:
            fresh = next(letters)
            full.append(fresh)
            specs.append(c + fresh)
            eyes.append(np.eye(shape[first[c]], dtype=g.dtype))
        else:
            seen.add(c)
            full.append(c)
    return _einsum(",".join([unique] + specs) + "->" + "".join(full), g, *eyes)


_transpose = dual(lambda t, order: t.permute(order), np.transpose)
_broadcast = dual(lambda t, shape: t.expand(shape) if t.shape != shape else t, np.broadcast_to)


def _einsum_tensor(spec, *operands):
    return einsum(spec, *operands)


def _einsum_array(spec, *operands):
    return np.einsum(spec, *operands)


def _einsum(spec, *operands):
    if any(isinstance(o, Tensor) for o in operands):
        from ..creation import as_tensor
        return einsum(spec, *(o if isinstance(o, Tensor) else as_tensor(o) for o in operands))
    return np.einsum(spec, *operands)


def einsum(equation, *operands):
    """Einstein summation, e.g. `einsum('bij,bjk->bik', a, b)`. Subscripts are letters; an
    explicit `->output` is optional; repeated indices within one operand (diagonals) are not
    differentiable."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "..." in eq:
        eq = _expand_ellipsis(eq, operands)
    if "->" in eq:
        lhs, output = eq.split("->")
    else:
        lhs = eq
        letters = lhs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum(): {len(inputs)} subscript groups in {equation!r} but "
                         f"{len(operands)} operands")
    sizes = {}
    for sub, op in zip(inputs, operands):
        if len(sub) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(sub)}) "
                               f"does not match the number of dimensions ({op.ndim}) for operand "
                               f"of shape {tuple(op.shape)}")
        for c, n in zip(sub, op.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand of shape "
                                   f"{tuple(op.shape)} which does not broadcast with previously "
                                   f"seen size {sizes[c]}")
    if len(operands) > 1:
        dt = operands[0].dtype
        if any(o.dtype != dt for o in operands):
            from .. import dtypes
            dt = dtypes.result_type(*(o._data for o in operands))
            operands = tuple(o.to(dt) for o in operands)
    return Einsum.apply(*operands, inputs=tuple(inputs), output=output)


def _expand_ellipsis(eq, operands):
    """Replace '...' with explicit letters for the broadcast dims it stands for."""
    lhs, arrow, output = eq.partition("->")
    groups = lhs.split(",")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    n_ell = max((op.ndim - (len(g) - 3) for g, op in zip(groups, operands) if "..." in g),
                default=0)
    ell = "".join(spare[:n_ell])
    out_groups = []
    for g, op in zip(groups, operands):
        if "..." in g:
            k = op.ndim - (len(g) - 3)
            g = g.replace("...", ell[n_ell - k:])
        out_groups.append(g)
    if arrow:
        output = output.replace("...", ell)
    else:
        letters = "".join(out_groups)
        output = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                      and c not in ell))
    return ",".join(out_groups) + "->" + output


def tensordot(a, b, dims=2):
    letters = "abcdefghijklmnopqrstuvwxyz"
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = [list(np.atleast_1d(d)) for d in dims]
    sa = list(letters[:a.ndim])
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [c for j, c in enumerate(sb)
                                                          if j not in db]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)
