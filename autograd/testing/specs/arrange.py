"""Registry entries: diagonals (diagonal, diag_embed, diag, trace, fill_diagonal_, tril_, triu_)
and arrangements (cross, kron, block_diag, meshgrid, cartesian_prod, rot90, diff, dstack,
column_stack)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain, shapes

FAMILY = "shape"
_SIDE = st.integers(1, 3)


def _reg(name, fn, ref, setup, arity=1, domain=Domain(), **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,) * arity, setup=setup, **kw))


# ---------------------------------------------------------------------- diagonals
@st.composite
def _diagonal_setup(draw):
    shape = draw(shapes(min_dims=2, max_dims=4, min_side=0 if draw(st.integers(0, 5)) == 0
                        else 1))
    nd = len(shape)
    d1, d2 = draw(st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % nd != ds[1] % nd))
    return (shape,), {"offset": draw(st.integers(-3, 3)), "dim1": d1, "dim2": d2}


_reg("diagonal", lambda x, **kw: autograd.diagonal(x, **kw),
     lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1 % x.ndim, dim2 % x.ndim),
     _diagonal_setup(), covers=("Diagonal",))


def _diag_embed_ref(x, offset, dim1, dim2):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n))
    for i in range(x.shape[-1]):
        r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
        out[..., r, c] = x[..., i]
    nd = x.ndim + 1
    return np.moveaxis(out, (-2, -1), (dim1 % nd, dim2 % nd))


@st.composite
def _diag_embed_setup(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    nd = len(shape) + 1
    d1, d2 = draw(st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % nd != ds[1] % nd))
    return (shape,), {"offset": draw(st.integers(-2, 2)), "dim1": d1, "dim2": d2}


_reg("diag_embed", lambda x, **kw: autograd.diag_embed(x, **kw), _diag_embed_ref,
     _diag_embed_setup(), covers=("DiagEmbed",))
_reg("diag", lambda x, diagonal: autograd.diag(x, diagonal),
     lambda x, diagonal: np.diag(x, diagonal),
     st.tuples(st.sampled_from([(3,), (1,), (0,)]), st.integers(-2, 2)).map(
         lambda s: ((s[0],), {"diagonal": s[1]})), covers=("DiagEmbed",))
_reg("diag_of_matrix", lambda x, diagonal: autograd.diag(x, diagonal),
     lambda x, diagonal: np.diag(x, diagonal),
     st.tuples(st.sampled_from([(2, 3), (3, 3), (3, 1), (0, 2)]), st.integers(-2, 2)).map(
         lambda s: ((s[0],), {"diagonal": s[1]})), covers=("Diagonal",), public=())
_reg("trace", autograd.trace, np.trace,
     st.tuples(_SIDE, _SIDE).map(lambda s: ((s,), {})), covers=("Diagonal", "Sum"))


def _fill_ref(x, value, wrap):
    y = x.copy()
    if y.ndim == 2:
        np.fill_diagonal(y, value, wrap=wrap)
    else:
        y[(np.arange(y.shape[0]),) * y.ndim] = value
    return y


_reg("fill_diagonal_", lambda x, value, wrap: (x + 0.0).fill_diagonal_(value, wrap),
     _fill_ref, st.tuples(st.sampled_from([(3, 3), (2, 3), (7, 3), (2, 2, 2), (1, 1)]),
                          st.sampled_from([0.0, -1.5]), st.booleans()).map(
         lambda s: ((s[0],), {"value": s[1], "wrap": s[2]})),
     covers=("Where",), public=())
for _name, _np in (("tril_", np.tril), ("triu_", np.triu)):
    _reg(_name, (lambda n: lambda x, k: getattr(x + 0.0, n)(k))(_name),
         (lambda f: lambda x, k: f(x, k))(_np),
         st.tuples(shapes(min_dims=2, max_dims=3), st.integers(-2, 2)).map(
             lambda s: ((s[0],), {"k": s[1]})),
         covers=("Tril",) if _name == "tril_" else ("Triu",), public=())


# ---------------------------------------------------------------------- products
@st.composite
def _cross_setup(draw):
    nd = draw(st.integers(1, 3))
    shape = [draw(_SIDE) for _ in range(nd)]
    d = draw(st.integers(-nd, nd - 1))
    shape[d] = 3
    other = list(shape)
    if nd > 1 and draw(st.booleans()):  # broadcast one of the other dims
        k = next(i for i in range(nd) if i != d % nd)
        other[k] = 1
    return (tuple(shape), tuple(other)), {"dim": d}


_reg("cross", lambda a, b, dim: autograd.cross(a, b, dim),
     lambda a, b, dim: np.cross(a, b, axis=dim), _cross_setup(), arity=2,
     covers=("Roll", "Mul", "Sub"))
_reg("linalg_cross", lambda a, b, dim: autograd.linalg.cross(a, b, dim=dim),
     lambda a, b, dim: np.cross(a, b, axis=dim), _cross_setup(), arity=2,
     covers=("Roll",), public=())
_reg("kron", autograd.kron, np.kron,
     st.tuples(shapes(max_dims=3), shapes(max_dims=3)).map(lambda s: (s, {})), arity=2,
     covers=("Mul", "Reshape"))


def _block_diag_ref(*xs):
    blocks = [x.reshape(1, -1) if x.ndim < 2 else x for x in xs]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


_reg("block_diag", autograd.block_diag, _block_diag_ref,
     st.tuples(shapes(max_dims=2), shapes(max_dims=2), shapes(max_dims=2)).map(
         lambda s: (s, {})), arity=3, covers=("Pad", "Cat"))


# ---------------------------------------------------------------------- grids
def _vectors(n):
    return st.tuples(*[st.integers(0, 3).map(lambda k: (k,)) for _ in range(n)])


_reg("meshgrid", lambda a, b, c, indexing: autograd.meshgrid(a, b, c, indexing=indexing),
     lambda a, b, c, indexing: tuple(np.meshgrid(a, b, c, indexing=indexing)),
     st.tuples(_vectors(3), st.sampled_from(["ij", "xy"])).map(
         lambda s: (s[0], {"indexing": s[1]})), arity=3, covers=("Expand", "Reshape"))
_reg("meshgrid_two", lambda a, b, indexing: autograd.meshgrid(a, b, indexing=indexing),
     lambda a, b, indexing: tuple(np.meshgrid(a, b, indexing=indexing)),
     st.tuples(_vectors(2), st.sampled_from(["ij", "xy"])).map(
         lambda s: (s[0], {"indexing": s[1]})), arity=2, covers=("Expand",), public=())


def _cartesian_ref(*xs):
    grids = np.meshgrid(*xs, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], 1)


_reg("cartesian_prod", autograd.cartesian_prod, _cartesian_ref,
     _vectors(2).map(lambda s: (s, {})), arity=2, covers=("Stack",),
     public=("cartesian_prod", "cartesian_product"))


# ---------------------------------------------------------------------- rotations and steps
@st.composite
def _rot90_setup(draw):
    shape = draw(shapes(min_dims=2, max_dims=3))
    nd = len(shape)
    dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % nd != ds[1] % nd))
    return (shape,), {"k": draw(st.integers(-5, 5)), "dims": dims}


_reg("rot90", lambda x, k, dims: autograd.rot90(x, k, dims),
     lambda x, k, dims: np.rot90(x, k, [d % x.ndim for d in dims]), _rot90_setup(),
     covers=("Flip",))


@st.composite
def _diff_setup(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    nd = len(shape)
    d = draw(st.integers(-nd, nd - 1))
    kw = {"n": draw(st.integers(0, 3)), "dim": d}
    extra = []
    for name in ("prepend", "append"):
        if draw(st.booleans()):
            s = list(shape)
            s[d] = draw(st.integers(1, 2))
            extra.append(tuple(s))
            kw[name] = True
    return (shape,) + tuple(extra), kw


def _diff_call(np_style):
    def fn(x, *extra, n, dim, prepend=False, append=False):
        extra = list(extra)
        pre = extra.pop(0) if prepend else None
        app = extra.pop(0) if append else None
        if np_style:
            kw = {k: v for k, v in (("prepend", pre), ("append", app)) if v is not None}
            return np.diff(x, n, axis=dim, **kw)
        return autograd.diff(x, n, dim, pre, app)
    return fn


for _arity in (1, 2, 3):
    _reg(f"diff_{_arity}", _diff_call(False), _diff_call(True),
         _diff_setup().filter(lambda s, a=_arity: len(s[0]) == a), arity=_arity,
         covers=("Sub",) if _arity == 1 else ("Sub", "Cat"),
         public=("diff",) if _arity == 1 else ())


def _stack_setup(rank):
    base = st.tuples(_SIDE, _SIDE)
    return base.flatmap(lambda mn: st.tuples(*[st.sampled_from(rank(mn)) for _ in range(3)])
                        ).map(lambda s: (s, {}))


def _dstack_ref(*xs):
    return np.dstack(xs)


_reg("dstack", lambda *xs: autograd.dstack(xs), _dstack_ref,
     _stack_setup(lambda mn: [(mn[0], mn[1]), (mn[0], mn[1], 2)]), arity=3,
     covers=("Cat",))
_reg("dstack_vectors", lambda *xs: autograd.dstack(xs), _dstack_ref,
     st.tuples(_SIDE).map(lambda n: (((n[0],), (n[0],), (1, n[0])), {})), arity=3,
     covers=("Cat", "Reshape"), public=())
_reg("column_stack", lambda *xs: autograd.column_stack(xs),
     lambda *xs: np.column_stack(xs),
     _SIDE.flatmap(lambda n: st.tuples(*[st.sampled_from([(n,), (n, 1), (n, 2)])
                                         for _ in range(3)])).map(lambda s: (s, {})),
     arity=3, covers=("Cat",))


# ---------------------------------------------------------------------- at-least-n-d, rows
def _any_rank(max_dims=4):
    return shapes(min_dims=0, max_dims=max_dims).map(lambda s: ((s,), {}))


_reg("atleast_1d", autograd.atleast_1d, np.atleast_1d, _any_rank(), covers=("Reshape",))
_reg("atleast_2d", autograd.atleast_2d, np.atleast_2d, _any_rank(), covers=("Reshape",))
_reg("atleast_3d", autograd.atleast_3d, np.atleast_3d, _any_rank(), covers=("Reshape",))
_reg("row_stack", lambda *xs: autograd.row_stack(xs), lambda *xs: np.vstack(xs),
     _SIDE.flatmap(lambda n: st.tuples(*[st.sampled_from([(n,), (1, n), (2, n)])
                                         for _ in range(3)])).map(lambda s: (s, {})),
     arity=3, covers=("Cat",))


# ---------------------------------------------------------------------- selections
def _combinations_ref(x, r, with_replacement):
    n = x.shape[0]
    rows = []

    def extend(prefix, start):  # (indices in increasing order; repeats when with_replacement)
        if len(prefix) == r:
            rows.append(prefix)
            return
        for i in range(start, n):
            extend(prefix + [i], i if with_replacement else i + 1)
    extend([], 0)
    return x[np.array(rows, dtype=np.int64)].reshape(-1, r) if rows else np.zeros((0, r))


_reg("combinations", lambda x, **kw: autograd.combinations(x, **kw), _combinations_ref,
     st.tuples(st.integers(0, 5), st.integers(1, 3), st.booleans()).map(
         lambda a: (((a[0],),), {"r": a[1], "with_replacement": a[2]})),
     covers=("GetItem",))


def _vander_ref(x, N, increasing):
    return np.vander(x, N, increasing=increasing)


_reg("vander", lambda x, **kw: autograd.vander(x, **kw), _vander_ref,
     st.tuples(st.integers(2, 4), st.one_of(st.none(), st.integers(2, 5)), st.booleans()).map(
         lambda a: (((a[0],),), {"N": a[1], "increasing": a[2]})),
     covers=("Mul", "Stack"), notes="N >= 2: with fewer columns the result is constant and, "
                                    "as in PyTorch, carries no gradient")
