"""Write a custom `autograd.Function`, property-test it, and watch the test catch a planted bug.

    python examples/gradcheck_custom_op.py [--examples 100]

The op is `logaddexp(a, b) = log(exp(a) + exp(b))` with NumPy broadcasting, computed as
`max(a, b) + log1p(exp(-|a - b|))` so that it never overflows. Its backward is two lines:
`ga = g * sigmoid(a - b)` and `gb = g * sigmoid(b - a)`, each summed back to its input's shape.

The script runs three Hypothesis properties, each over many random shapes and values:

1. the values equal `np.logaddexp` (also at magnitudes of 1e3, where the naive formula
   overflows);
2. the gradients of `LogAddExp` equal central finite differences in float64, first and second
   order (`gradcheck` and `gradgradcheck` on inputs drawn from `autograd.testing.strategies`);
3. the same property on `BuggyLogAddExp`, whose backward has a one-character slip (`a - b`
   where `b - a` belongs). The property fails, Hypothesis shrinks the input to a minimal
   example, and the message names the input, the element and both values.

`main()` returns a dict saying what passed and the message the planted bug produced.
"""
import argparse

import numpy as np
from hypothesis import given, settings, strategies as st

import autograd
from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.testing import strategies as ts


def sum_to_shape(g, shape):
    """Sum the broadcast gradient `g` back down to `shape` (the shape of the input it is for).

    Shapes: g: broadcast(shape, other)  ->  shape
    """
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(dim=tuple(range(extra)))
    dims = tuple(d for d, n in enumerate(shape) if n == 1 and g.shape[d] != 1)
    if dims:
        g = g.sum(dim=dims, keepdim=True)
    return g


class LogAddExp(autograd.Function):
    """out = log(exp(a) + exp(b)) = max(a, b) + log1p(exp(-|a - b|)).

    Gradients: ga = g * sigmoid(a - b), gb = g * sigmoid(b - a) (the softmax weights of a and b).
    Shapes: a: (*A)  b: (*B)  ->  broadcast(A, B)
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        # NOTE: the shifted form; log(exp(a) + exp(b)) overflows to inf once a > ~88 in float32.
        return autograd.maximum(a, b) + autograd.log1p(autograd.exp(-(a - b).abs()))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = sum_to_shape(g * autograd.sigmoid(a - b), a.shape) if ctx.needs_input_grad[0] else None
        gb = sum_to_shape(g * autograd.sigmoid(b - a), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class BuggyLogAddExp(LogAddExp):
    """LogAddExp with a planted bug: b's gradient uses sigmoid(a - b) instead of sigmoid(b - a).

    Right only where a == b, so a test at a single hand-picked point (say a = b = 0) passes.
    """

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = sum_to_shape(g * autograd.sigmoid(a - b), a.shape) if ctx.needs_input_grad[0] else None
        gb = sum_to_shape(g * autograd.sigmoid(a - b), b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb


def logaddexp(a, b):
    """The public function: `LogAddExp.apply(a, b)`."""
    return LogAddExp.apply(a, b)


# ---------------------------------------------------------------------------------- strategies
# One pair of broadcastable shapes per example, shared by both arguments' strategies.
_SHAPES = st.shared(ts.broadcastable_shapes(2), key="logaddexp-shapes")
_DOMAIN = ts.Domain(-4.0, 4.0)
A_ARRAYS = _SHAPES.flatmap(lambda s: ts.float_arrays(s[0], _DOMAIN))
B_ARRAYS = _SHAPES.flatmap(lambda s: ts.float_arrays(s[1], _DOMAIN))
# Values only: wide magnitudes, where a naive log(exp(a) + exp(b)) would overflow.
_WIDE = ts.Domain(-1000.0, 1000.0)
A_WIDE = _SHAPES.flatmap(lambda s: ts.float_arrays(s[0], _WIDE))
B_WIDE = _SHAPES.flatmap(lambda s: ts.float_arrays(s[1], _WIDE))


def check_values(examples):
    """Property 1: logaddexp equals np.logaddexp on broadcast float64 inputs (wide range too)."""
    @settings(max_examples=examples, database=None, deadline=None)
    @given(st.one_of(st.tuples(A_ARRAYS, B_ARRAYS), st.tuples(A_WIDE, B_WIDE)))
    def values_match_numpy(pair):
        a, b = pair
        out = logaddexp(autograd.tensor(a), autograd.tensor(b))
        expected = np.logaddexp(a, b)
        assert out.shape == expected.shape, f"shape {out.shape}, expected {expected.shape}"
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)

    values_match_numpy()


def check_gradients(op, examples, double_backward=True):
    """Property 2: the gradients of `op` match central finite differences (float64), for
    every drawn pair of broadcastable shapes and values; second order too."""
    @settings(max_examples=examples, database=None, deadline=None)
    @given(A_ARRAYS, B_ARRAYS)
    def gradients_match_finite_differences(a, b):
        inputs = (autograd.tensor(a, requires_grad=True), autograd.tensor(b, requires_grad=True))
        gradcheck(op.apply, inputs)
        if double_backward:
            gradgradcheck(op.apply, inputs)

    gradients_match_finite_differences()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100,
                        help="Hypothesis examples per property (default 100)")
    args = parser.parse_args(argv)

    check_values(args.examples)
    print(f"values:    logaddexp == np.logaddexp on {args.examples} random broadcast pairs: ok")
    check_gradients(LogAddExp, args.examples)
    print(f"gradients: LogAddExp matches finite differences (first and second order) on "
          f"{args.examples} random broadcast pairs: ok")

    single_point = (autograd.tensor(0.0, dtype=autograd.float64, requires_grad=True),
                    autograd.tensor(0.0, dtype=autograd.float64, requires_grad=True))
    passes_at_zero = gradcheck(BuggyLogAddExp.apply, single_point)
    print(f"planted bug: gradcheck at the single point a = b = 0 passes: {passes_at_zero}")
    try:
        check_gradients(BuggyLogAddExp, args.examples, double_backward=False)
    except Exception as e:  # noqa: BLE001 (Hypothesis re-raises the shrunk failure as is)
        # Hypothesis attaches the shrunk input as a note ("Falsifying example: ...").
        notes = [n for n in getattr(e, "__notes__", ()) if "Falsifying" in n]
        message = "\n".join([f"{type(e).__name__}: {e}", *notes])
        print("planted bug: the property test caught it; the shrunk failure reads:")
        print("    " + message.replace("\n", "\n    "))
        caught = True
    else:
        message, caught = "", False
        print("planted bug: NOT caught (this should not happen)")
    return {"values_ok": True, "gradients_ok": True, "bug_passes_single_point": passes_at_zero,
            "bug_caught": caught, "bug_message": message}


if __name__ == "__main__":
    result = main()
    raise SystemExit(0 if result["bug_caught"] else 1)
