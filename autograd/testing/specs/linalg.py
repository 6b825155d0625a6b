"""Registry entries: linear algebra (matmul with PyTorch's rules, mm, bmm, mv, dot, outer, einsum,
tensordot, addmm)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain, broadcastable_shapes

FAMILY = "linalg"
_SIDE = st.integers(1, 3)


def _reg(name, fn, ref, shapes, arity=2, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(Domain(),) * arity, shapes=shapes, **kw))


@st.composite
def _matmul_shapes(draw):
    """Every case of PyTorch's matmul: 1-D x 1-D, 2-D x 1-D, 1-D x 2-D, matrices, and batches
    with broadcast batch dims (against a 1-D operand too)."""
    n, k, m = draw(_SIDE), draw(_SIDE), draw(_SIDE)
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2, max_side=2))
    a = draw(st.sampled_from([(k,), (n, k), batch_a + (n, k)]))
    b = draw(st.sampled_from([(k,), (k, m), batch_b + (k, m)]))
    return a, b


_reg("matmul", autograd.matmul, np.matmul, _matmul_shapes(), covers=("MatMul",))
_reg("matmul_operator", lambda a, b: a @ b, np.matmul, _matmul_shapes(), covers=("MatMul",),
     public=())
_reg("mm", autograd.mm, np.matmul,
     st.tuples(_SIDE, _SIDE, _SIDE).map(lambda s: ((s[0], s[1]), (s[1], s[2]))),
     covers=("MatMul",))
_reg("bmm", autograd.bmm, np.matmul,
     st.tuples(_SIDE, _SIDE, _SIDE, _SIDE).map(lambda s: ((s[0], s[1], s[2]),
                                                          (s[0], s[2], s[3]))),
     covers=("MatMul",))
_reg("mv", autograd.mv, np.matmul, st.tuples(_SIDE, _SIDE).map(lambda s: ((s[0], s[1]), (s[1],))),
     covers=("MatMul",))
_reg("dot", autograd.dot, np.dot, _SIDE.map(lambda n: ((n,), (n,))), covers=("MatMul",),
     public=("dot", "inner"))
_reg("outer", autograd.outer, np.outer, st.tuples(_SIDE, _SIDE).map(lambda s: ((s[0],), (s[1],))),
     covers=("Mul", "Reshape"), public=("outer", "ger"))
_reg("addmm", autograd.addmm, lambda c, a, b: c + a @ b, arity=3,
     shapes=st.tuples(_SIDE, _SIDE, _SIDE, st.booleans()).map(
         lambda s: ((s[0], s[2]) if s[3] else (s[2],), (s[0], s[1]), (s[1], s[2]))),
     covers=("MatMul", "Add"))


# ---------------------------------------------------------------------- einsum
# (equation, shapes builder from sizes i, j, k, b): the contractions layers use, plus
# transposes, traces of products, sums and outer products.
_EQUATIONS = {
    "ij,jk->ik": lambda i, j, k, b: ((i, j), (j, k)),
    "bij,bjk->bik": lambda i, j, k, b: ((b, i, j), (b, j, k)),
    "ij,kj->ik": lambda i, j, k, b: ((i, j), (k, j)),
    "bi,ji->bj": lambda i, j, k, b: ((b, i), (j, i)),
    "i,i->": lambda i, j, k, b: ((i,), (i,)),
    "ij,j->i": lambda i, j, k, b: ((i, j), (j,)),
    "bi,bj->bij": lambda i, j, k, b: ((b, i), (b, j)),
    "ijk,k->ij": lambda i, j, k, b: ((i, j, k), (k,)),
    "ij,ij->i": lambda i, j, k, b: ((i, j), (i, j)),
    "ij,jk": lambda i, j, k, b: ((i, j), (j, k)),
    "ij,ji->": lambda i, j, k, b: ((i, j), (j, i)),
}


@st.composite
def _einsum_setup(draw):
    eq = draw(st.sampled_from(sorted(_EQUATIONS)))
    sizes = [draw(_SIDE) for _ in range(4)]
    return _EQUATIONS[eq](*sizes), {"equation": eq}


_reg("einsum", lambda a, b, equation: autograd.einsum(equation, a, b),
     lambda a, b, equation: np.einsum(equation, a, b), shapes=None, setup=_einsum_setup(),
     covers=("Einsum",))


@st.composite
def _einsum_unary_setup(draw):
    eq = draw(st.sampled_from(["ij->ji", "ij->", "ijk->kij", "ij->i", "ijk->jk"]))
    shape = tuple(draw(_SIDE) for _ in eq.split("->")[0])
    return (shape,), {"equation": eq}


_reg("einsum_one_operand", lambda a, equation: autograd.einsum(equation, a),
     lambda a, equation: np.einsum(equation, a), shapes=None, arity=1,
     setup=_einsum_unary_setup(), covers=("Einsum",), public=())


@st.composite
def _tensordot_setup(draw):
    i, j, k = draw(_SIDE), draw(_SIDE), draw(_SIDE)
    dims = draw(st.sampled_from([0, 1, 2, "pairs"]))
    if dims == 0:
        return ((i, j), (k,)), {"dims": 0}
    if dims == 1:
        return ((i, j), (j, k)), {"dims": 1}
    if dims == 2:
        return ((i, j, k), (j, k)), {"dims": 2}
    return ((i, j, k), (k, i)), {"dims": ([0, 2], [1, 0])}


_reg("tensordot", lambda a, b, dims: autograd.tensordot(a, b, dims),
     lambda a, b, dims: np.tensordot(a, b, dims), shapes=None, setup=_tensordot_setup(),
     covers=("Einsum",))
