"""Custom `Function`s shared by the autograd tests."""
from autograd import Function


class Cube(Function):
    """y = x ** 3 built from recorded ops in forward; gx = 3 x^2 g (differentiable again)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x * x * g
