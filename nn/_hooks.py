"""Full backward hooks: the gradients with respect to a module call's inputs and outputs.

Like PyTorch's BackwardHook: the call's tensor inputs and outputs each pass through an identity
node. The output identity runs first in the backward pass and records grad_output; the input
identity runs once the input gradients are complete and hands (grad_input, grad_output) to the
module's hooks, whose results may replace the gradients.
"""
from autograd.function import Function
from autograd.tensor import Tensor

class _BackwardHookState:
    """One module call's backward hooks: identity nodes on the inputs and outputs.

    The identity on the outputs runs first in the backward pass and records grad_output; the
    one on the inputs runs once the input gradients are complete and calls the hooks with
    (grad_input, grad_output), as PyTorch's BackwardHook does.
    """

    def __init__(self, module):
        self.module = module
        self.grad_outputs = None
        self.n_inputs = 0
        self.inputs_tracked = False

    def wrap_inputs(self, args):
        pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(pos)
        if not any(args[i]._requires_grad for i in pos):
            return args
        self.inputs_tracked = True
        wrapped = _HookIdentity.apply(self, "in", *[args[i] for i in pos])
        args = list(args)
        for i, w in zip(pos, wrapped):
            args[i] = w
        return tuple(args)

    def wrap_outputs(self, result):
        if isinstance(result, Tensor):
            if not result._requires_grad:
                return result
            return _HookIdentity.apply(self, "out", result)[0]
        if isinstance(result, (tuple, list)):
            pos = [i for i, r in enumerate(result) if isinstance(r, Tensor) and r._requires_grad]
            if not pos:
                return result
            wrapped = _HookIdentity.apply(self, "out", *[result[i] for i in pos])
            out = list(result)
            for i, w in zip(pos, wrapped):
                out[i] = w
            if hasattr(result, "_fields"):
                return type(result)(*out)
            return tuple(out) if isinstance(result, tuple) else out
        return result

    def on_grads(self, kind, grads, needs):
        module = self.module
        if kind == "out":
            for hook in list(module._backward_pre_hooks.values()):
                r = hook(module, grads)
                if r is not None:
                    grads = _check_hook_result(r, len(grads), "backward pre-hook")
            self.grad_outputs = grads
            if not self.inputs_tracked:
                self._run_hooks((None,) * self.n_inputs)
            return grads
        grad_inputs = tuple(g if n else None for g, n in zip(grads, needs))
        return self._run_hooks(grad_inputs)

    def _run_hooks(self, grad_inputs):
        module = self.module
        for hook in list(module._backward_hooks.values()):
            r = hook(module, grad_inputs, self.grad_outputs)
            if r is not None:
                grad_inputs = _check_hook_result(r, len(grad_inputs), "backward hook")
        return grad_inputs


def _check_hook_result(r, n, what):
    if isinstance(r, Tensor):
        r = (r,)
    r = tuple(r)
    if len(r) != n:
        raise RuntimeError(f"{what} returned {len(r)} gradients but expected {n}")
    return r


class _HookIdentity(Function):
    """Identity on a group of tensors whose backward hands the gradients to a hook state."""

    @staticmethod
    def forward(ctx, state, kind, *tensors):
        ctx.state = state
        ctx.kind = kind
        return tuple(tensors)

    @staticmethod
    def backward(ctx, *grads):
        needs = ctx.needs_input_grad[2:]
        grads = ctx.state.on_grads(ctx.kind, grads, needs)
        return (None, None) + tuple(g if n else None for g, n in zip(grads, needs))
