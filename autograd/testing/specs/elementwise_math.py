"""Registry entries: more elementwise math (inverse and hyperbolic trigonometry, special
functions, nan-ignoring max/min, copysign, float_power, addcmul/addcdiv).

The references use NumPy and the `math` module only, never the code under test; erfinv's is a
bisection on math.erf.
"""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from autograd.ops.special import I1
from ..registry import OpSpec, register
from ..strategies import Domain

FAMILY = "elementwise"
NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), gap=0.3)
INSIDE_UNIT = Domain(-0.9, 0.9)
# Disjoint fractional windows: arguments drawn from them are never within 0.1 of each other.
LOW, HIGH = Domain(-3.0, 3.0, window=(0.05, 0.45)), Domain(-3.0, 3.0, window=(0.55, 0.95))

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _erfinv_scalar(x):
    lo, hi = -7.0, 7.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if math.erf(mid) < x else (lo, mid)
    return 0.5 * (lo + hi)


_erfinv = np.vectorize(_erfinv_scalar, otypes=[np.float64])


def _i1(x):
    return sum((x / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1))
               for k in range(40))


def _unary(name, fn, ref, domain=Domain(), covers=None, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,),
                    covers=covers if covers is not None else (name.capitalize(),), **kw))


def _binary(name, fn, ref, domains, covers, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=domains, covers=covers, **kw))


def _scalar(values):
    return lambda shapes: st.fixed_dictionaries({"s": values})


# ---------------------------------------------------------------------- trigonometry
_unary("asin", autograd.asin, np.arcsin, INSIDE_UNIT, public=("asin", "arcsin"))
_unary("acos", autograd.acos, np.arccos, INSIDE_UNIT, public=("acos", "arccos"))
_unary("atan", autograd.atan, np.arctan, public=("atan", "arctan"))
_unary("sinh", autograd.sinh, np.sinh)
_unary("cosh", autograd.cosh, np.cosh)
_unary("asinh", autograd.asinh, np.arcsinh, public=("asinh", "arcsinh"))
_unary("acosh", autograd.acosh, np.arccosh, Domain(1.1, 5.0), public=("acosh", "arccosh"))
_unary("atanh", autograd.atanh, np.arctanh, INSIDE_UNIT, public=("atanh", "arctanh"))
_unary("deg2rad", autograd.deg2rad, np.deg2rad, covers=("Mul",))
_unary("rad2deg", autograd.rad2deg, np.rad2deg, covers=("Mul",))
# atan2 jumps by 2 pi across a == 0 with b < 0: a stays clear of 0.
_binary("atan2", autograd.atan2, np.arctan2, (NONZERO, Domain()), ("Atan2",),
        public=("atan2", "arctan2"))
_binary("hypot", autograd.hypot, np.hypot, (NONZERO, Domain()), ("Hypot",))
register(OpSpec("atan2_scalar_other", lambda x, s: autograd.atan2(x, s),
                lambda x, s: np.arctan2(x, s), FAMILY, domains=(NONZERO,),
                kwargs=_scalar(st.floats(-2.0, 2.0)), covers=("Atan2",), public=()))
register(OpSpec("hypot_scalar_input", lambda x, s: autograd.hypot(s, x),
                lambda x, s: np.hypot(s, x), FAMILY, domains=(NONZERO,),
                kwargs=_scalar(st.floats(-2.0, 2.0)), covers=("Hypot",), public=()))

# ---------------------------------------------------------------------- special functions
_unary("erfc", autograd.erfc, _erfc)
_unary("erfinv", autograd.erfinv, _erfinv, INSIDE_UNIT)
_unary("logit", autograd.logit, lambda x: np.log(x / (1.0 - x)), Domain(0.05, 0.95))
register(OpSpec("logit_eps", lambda x: autograd.logit(x, eps=0.2),
                lambda x: np.log(np.clip(x, 0.2, 0.8) / (1.0 - np.clip(x, 0.2, 0.8))), FAMILY,
                domains=(Domain(0.02, 0.98, avoid=(0.2, 0.8), gap=0.05),), covers=("Logit",),
                public=(), notes="flat (zero gradient) outside [eps, 1 - eps]"))
# exact zeros now and then: the gradient switches to a series near 0
_unary("sinc", autograd.sinc, np.sinc, Domain(-3.0, 3.0, include=(0.0,)))
_unary("nan_to_num", autograd.nan_to_num, np.nan_to_num, covers=("NanToNum",),
       notes="finite inputs only here (finite differences cannot see nan or inf); the "
             "replacements are compared with PyTorch in tests/autograd/test_math_vs_torch.py")
_unary("i0", autograd.i0, np.i0, Domain(-5.0, 5.0), covers=("I0",))
_unary("i1", I1.apply, _i1, Domain(-5.0, 5.0, include=(0.0,)), public=(),
       notes="I1 is not public: it is i0's derivative, an op so that i0 has double backward")
_binary("xlogy", autograd.xlogy, lambda x, y: x * np.log(y),
        (Domain(-3.0, 3.0, include=(0.0,)), Domain(0.1, 5.0)), ("Xlogy",))
register(OpSpec("xlogy_scalar_input", lambda y, s: autograd.xlogy(s, y),
                lambda y, s: s * np.log(y), FAMILY, domains=(Domain(0.1, 5.0),),
                kwargs=_scalar(st.sampled_from([0.0, 0.5, -2.0, 3])), covers=("Xlogy",),
                public=()))
_binary("logaddexp", autograd.logaddexp, np.logaddexp, (Domain(-5.0, 5.0), Domain(-5.0, 5.0)),
        ("LogAddExp",))
_binary("logaddexp2", autograd.logaddexp2, np.logaddexp2,
        (Domain(-5.0, 5.0), Domain(-5.0, 5.0)), ("LogAddExp2",))

# ---------------------------------------------------------------------- max, min, sign, power
_binary("fmax", autograd.fmax, np.fmax, (LOW, HIGH), ("Fmax",),
        notes="disjoint windows keep the arguments from tying")
_binary("fmin", autograd.fmin, np.fmin, (HIGH, LOW), ("Fmin",),
        notes="disjoint windows keep the arguments from tying")
_binary("copysign", autograd.copysign, np.copysign, (NONZERO, NONZERO), ("Copysign",))
register(OpSpec("copysign_scalar_other", lambda x, s: autograd.copysign(x, s),
                lambda x, s: np.copysign(x, s), FAMILY, domains=(NONZERO,),
                kwargs=_scalar(st.sampled_from([-1.0, 2.0, -0.0, 0.0, 3])),
                covers=("Copysign",), public=()))
_binary("float_power", autograd.float_power, np.power, (Domain(0.5, 2.5), Domain(-2.0, 2.0)),
        ("Pow",), float32=False,
        notes="the result is float64 for any input dtype, so the float32 value test is off "
              "(dtypes are checked in tests/autograd/test_math_vs_torch.py)")

# ---------------------------------------------------------------------- addcmul, addcdiv
_VALUES = st.sampled_from([1, 0.5, -2.0])
register(OpSpec("addcmul", lambda x, a, b, value: autograd.addcmul(x, a, b, value=value),
                lambda x, a, b, value: x + value * a * b, FAMILY,
                domains=(Domain(), Domain(), Domain()),
                kwargs=lambda shapes: st.fixed_dictionaries({"value": _VALUES}),
                covers=("Add", "Mul"), public=("addcmul",)))
register(OpSpec("addcdiv", lambda x, a, b, value: autograd.addcdiv(x, a, b, value=value),
                lambda x, a, b, value: x + value * a / b, FAMILY,
                domains=(Domain(), Domain(), NONZERO),
                kwargs=lambda shapes: st.fixed_dictionaries({"value": _VALUES}),
                covers=("Add", "Div"), public=("addcdiv",)))
