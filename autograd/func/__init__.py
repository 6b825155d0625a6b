"""`torch.func`: composable function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap,
functional_call) built on the reverse-mode engine.

There are no "levels" as in functorch: a transform runs `func` on fresh copies of the inputs
that require grad (clones of the caller's tensors when they already do, so the graph reaches
back to them) and asks `autograd.grad` for the derivatives. Nesting works by building the graph
of a derivative (`create_graph=True`) whenever an outer transform is running (`_depth > 0`) or
the inputs already require grad, so `grad(grad(f))(x)` is the second derivative and the result of
a top-level `grad` can itself be backpropagated when its inputs require grad. Tensors a function
closes over are not tracked at top level (their graph is kept only under an outer transform).
"""

from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from .vmap import vmap
from .functional_call import functional_call

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "functional_call"]
