"""Registry entries: elementwise ops (arithmetic with broadcasting and scalars, unary math)."""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain

FAMILY = "elementwise"
POSITIVE = Domain(0.1, 5.0)
NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), gap=0.5)
# Disjoint fractional windows: arguments drawn from them are never within 0.1 of each other.
LOW, HIGH = Domain(-3.0, 3.0, window=(0.05, 0.45)), Domain(-3.0, 3.0, window=(0.55, 0.95))

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _unary(name, fn, ref, domain=Domain(), covers=None, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,),
                    covers=covers if covers is not None else (name.capitalize(),), **kw))


def _scalar(values):
    return lambda shapes: st.fixed_dictionaries({"s": values})


# ---------------------------------------------------------------------- unary math
_unary("neg", autograd.neg, np.negative)
_unary("abs", autograd.abs, np.abs, kinks=(0.0,))
_unary("exp", autograd.exp, np.exp)
_unary("log", autograd.log, np.log, POSITIVE)
_unary("log1p", autograd.log1p, np.log1p, Domain(-0.8, 4.0))
_unary("expm1", autograd.expm1, np.expm1)
_unary("sqrt", autograd.sqrt, np.sqrt, POSITIVE)
_unary("rsqrt", autograd.rsqrt, lambda x: 1.0 / np.sqrt(x), POSITIVE)
_unary("sin", autograd.sin, np.sin)
_unary("cos", autograd.cos, np.cos)
_unary("tan", autograd.tan, np.tan, Domain(-1.2, 1.2))
_unary("tanh", autograd.tanh, np.tanh)
_unary("sigmoid", autograd.sigmoid, lambda x: 1.0 / (1.0 + np.exp(-x)), Domain(-6.0, 6.0))
_unary("relu", autograd.relu, lambda x: np.maximum(x, 0.0), kinks=(0.0,))
_unary("erf", autograd.erf, _erf, Domain(-2.5, 2.5))
_unary("square", autograd.square, np.square, covers=("Mul",))
_unary("reciprocal", autograd.reciprocal, lambda x: 1.0 / x, NONZERO, covers=("Div",))
_unary("log2", autograd.log2, np.log2, POSITIVE, covers=("Log", "Div"))
_unary("log10", autograd.log10, np.log10, POSITIVE, covers=("Log", "Div"))
_unary("exp2", autograd.exp2, np.exp2, covers=("Pow",))
_unary("clamp", lambda x: autograd.clamp(x, -1.0, 1.0), lambda x: np.clip(x, -1.0, 1.0),
       kinks=(-1.0, 1.0), covers=("ClampScalar",), public=("clamp", "clip"))
_unary("clamp_min", lambda x: autograd.clamp_min(x, -0.5), lambda x: np.maximum(x, -0.5),
       kinks=(-0.5,), covers=("ClampScalar",))
_unary("clamp_max", lambda x: autograd.clamp_max(x, 0.5), lambda x: np.minimum(x, 0.5),
       kinks=(0.5,), covers=("ClampScalar",))
_unary("pos", lambda x: +x, lambda x: x, covers=(), public=())

# step functions: gradient 0 away from their jumps (fractional parts kept in [0.1, 0.4))
_STEPPED = Domain(-3.0, 3.0, window=(0.1, 0.4))
_unary("floor", autograd.floor, np.floor, _STEPPED, covers=("Step",))
_unary("ceil", autograd.ceil, np.ceil, _STEPPED, covers=("Step",))
_unary("trunc", autograd.trunc, np.trunc, _STEPPED, covers=("Step",), public=("trunc", "fix"))
_unary("round", autograd.round, np.round, _STEPPED, covers=("Step",))
_unary("round_decimals", lambda x: autograd.round(x, decimals=1), lambda x: np.round(x, 1),
       Domain(-3.0, 3.0, window=(0.01, 0.04)), covers=("Step",), public=())
_unary("sign", autograd.sign, np.sign, NONZERO, covers=("Step",), public=("sign", "sgn"))
_unary("frac", autograd.frac, lambda x: x - np.trunc(x), _STEPPED, covers=("Step", "Sub"))

# ---------------------------------------------------------------------- binary, broadcasting
register(OpSpec("add", autograd.add, np.add, FAMILY, domains=(Domain(), Domain()),
                covers=("Add",)))
register(OpSpec("sub", autograd.sub, np.subtract, FAMILY, domains=(Domain(), Domain()),
                covers=("Sub",), public=("sub", "subtract")))
register(OpSpec("mul", autograd.mul, np.multiply, FAMILY, domains=(Domain(), Domain()),
                covers=("Mul",), public=("mul", "multiply")))
register(OpSpec("div", autograd.div, np.divide, FAMILY, domains=(Domain(), NONZERO),
                covers=("Div",), public=("div", "divide", "true_divide")))
register(OpSpec("pow", autograd.pow, np.power, FAMILY,
                domains=(Domain(0.5, 2.5), Domain(-2.0, 2.0)), covers=("Pow",)))
register(OpSpec("maximum", autograd.maximum, np.maximum, FAMILY, domains=(LOW, HIGH),
                covers=("Maximum",), notes="disjoint windows keep the arguments from tying"))
register(OpSpec("minimum", autograd.minimum, np.minimum, FAMILY, domains=(HIGH, LOW),
                covers=("Minimum",), notes="disjoint windows keep the arguments from tying"))
register(OpSpec("add_alpha", lambda a, b: autograd.add(a, b, alpha=2.5),
                lambda a, b: a + 2.5 * b, FAMILY, domains=(Domain(), Domain()),
                covers=("Add", "Mul")))
register(OpSpec("sub_alpha", lambda a, b: autograd.sub(a, b, alpha=-0.5),
                lambda a, b: a + 0.5 * b, FAMILY, domains=(Domain(), Domain()),
                covers=("Sub", "Mul")))
register(OpSpec("remainder", autograd.remainder, np.mod, FAMILY,
                domains=(Domain(-0.9, 0.9, avoid=(0.0,), gap=0.05), Domain(1.2, 2.0)),
                covers=("Remainder",), notes="|a| < b: floor(a / b) stays 0 or -1, away from "
                                             "the jumps"))
register(OpSpec("fmod", autograd.fmod, np.fmod, FAMILY,
                domains=(Domain(-0.9, 0.9), Domain(1.2, 2.0)), covers=("Fmod",)))
register(OpSpec("remainder_scalar", lambda x: autograd.remainder(x, 1.5),
                lambda x: np.mod(x, 1.5), FAMILY, domains=(_STEPPED,), covers=("Remainder",),
                public=()))
register(OpSpec("rsub", lambda a, b: autograd.rsub(a, b, alpha=1.5),
                lambda a, b: b - 1.5 * a, FAMILY, domains=(Domain(), Domain()),
                covers=("Sub", "Mul")))
register(OpSpec("clamp_tensor_bounds", lambda x, lo, hi: autograd.clamp(x, lo, hi),
                lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), FAMILY,
                domains=(Domain(window=(0.05, 0.3)), Domain(window=(0.4, 0.6)),
                         Domain(window=(0.7, 0.95))),
                covers=("Maximum", "Minimum"), public=()))
register(OpSpec("lerp", lambda a, b: autograd.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a),
                FAMILY, domains=(Domain(), Domain()), covers=("Add", "Mul", "Sub")))
register(OpSpec("lerp_tensor_weight", autograd.lerp, lambda a, b, w: a + w * (b - a), FAMILY,
                domains=(Domain(), Domain(), Domain(0.0, 1.0)), covers=("Add", "Mul", "Sub"),
                public=()))


def _where_kwargs(shapes):
    shape = np.broadcast_shapes(*shapes)
    from hypothesis.extra import numpy as hnp
    return st.fixed_dictionaries({"cond": hnp.arrays(np.bool_, shape)})


register(OpSpec("where", lambda a, b, cond: autograd.where(autograd.tensor(cond), a, b),
                lambda a, b, cond: np.where(cond, a, b), FAMILY, domains=(Domain(), Domain()),
                kwargs=_where_kwargs, covers=("Where",)))

# ---------------------------------------------------------------------- Python scalars
# Scalars on either side; in float32 the result must stay float32 (NEP 50 weak scalars).
_S = st.floats(-2.0, 2.0)
_S_NONZERO = st.one_of(st.floats(-2.0, -0.5), st.floats(0.5, 2.0))
for _name, _fn, _ref, _cov in (
        ("add_scalar", lambda x, s: x + s, lambda x, s: x + s, "Add"),
        ("radd_scalar", lambda x, s: s + x, lambda x, s: s + x, "Add"),
        ("sub_scalar", lambda x, s: x - s, lambda x, s: x - s, "Sub"),
        ("rsub_scalar", lambda x, s: s - x, lambda x, s: s - x, "Sub"),
        ("mul_scalar", lambda x, s: x * s, lambda x, s: x * s, "Mul"),
        ("rmul_scalar", lambda x, s: s * x, lambda x, s: s * x, "Mul")):
    register(OpSpec(_name, _fn, _ref, FAMILY, kwargs=_scalar(_S), covers=(_cov,)))
register(OpSpec("div_scalar", lambda x, s: x / s, lambda x, s: x / s, FAMILY,
                kwargs=_scalar(_S_NONZERO), covers=("Div",)))
register(OpSpec("rdiv_scalar", lambda x, s: s / x, lambda x, s: s / x, FAMILY,
                domains=(NONZERO,), kwargs=_scalar(_S), covers=("Div",)))
register(OpSpec("pow_scalar_exponent", lambda x, s: x ** s, lambda x, s: x ** s, FAMILY,
                domains=(Domain(0.5, 2.5),),
                kwargs=_scalar(st.sampled_from([-1.5, -1.0, 0.0, 0.5, 2.0, 3.0, 2, 3])),
                covers=("Pow",)))
register(OpSpec("pow_integer_exponent_any_sign", lambda x, s: x ** s, lambda x, s: x ** s,
                FAMILY, kwargs=_scalar(st.sampled_from([1, 2, 3, 2.0])), covers=("Pow",),
                notes="integer powers of negative bases are real and smooth"))
register(OpSpec("rpow_scalar_base", lambda x, s: s ** x, lambda x, s: s ** x, FAMILY,
                kwargs=_scalar(st.floats(0.5, 3.0)), covers=("Pow",)))
register(OpSpec("clone", autograd.clone, np.copy, FAMILY, covers=("Clone",)))
