"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd and hessian on the reverse-mode engine (see
the package docstring for how they nest)."""
import numpy as np

from .. import grad_mode
from ..engine import grad as _autograd_grad
from ..tensor import Tensor
from ._tree import _detach_tree, _flatten

_depth = 0  # how many transforms are currently running a user function


# ---------------------------------------------------------------------- shared machinery
def _normalize_argnums(argnums, nargs, api):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(a, int) for a in nums):
        raise RuntimeError(f"{api}: argnums must be int or a non-empty Tuple[int, ...], "
                           f"got {argnums!r}")
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"{api}: Got argnums={a}, but only {nargs} positional inputs")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{api}: argnums must be unique, got {argnums!r}")
    return single, tuple(out)


def _track(t, keep_graph):
    """A fresh tensor standing for `t` that requires grad; connected to `t` if `keep_graph`."""
    if keep_graph and t.requires_grad:
        return t.clone()
    return t.detach().requires_grad_(True)


def _needs_graph(leaves):
    """Whether derivatives must be differentiable themselves (see the module docstring)."""
    if not grad_mode.is_grad_enabled():
        return False
    return _depth > 0 or any(isinstance(t, Tensor) and t.requires_grad for t in leaves)


def _call(func, args, kwargs):
    global _depth
    _depth += 1
    try:
        with grad_mode.enable_grad():
            return func(*args, **kwargs)
    finally:
        _depth -= 1


def _split_aux(out, has_aux, api):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           f"if has_aux is True")
    return out


def _grads(outputs, inputs, grad_outputs, create_graph):
    """d(outputs)/d(inputs) with zeros for inputs the outputs do not reach."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        got = [None] * len(inputs)
    else:
        got = _autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [g if g is not None else _zeros_like(x) for g, x in zip(got, inputs)]


def _zeros_like(t):
    from ..creation import zeros
    return zeros(tuple(t.shape), dtype=t.dtype)


def _traced_call(func, args, kwargs, argnums, api):
    """Run func with the tensors in args[argnums] replaced by tracked copies.

    Returns (out, tracked leaves per argnum, rebuild per argnum, create_graph)."""
    args = list(args)
    flat_per_arg, rebuilds, tracked = [], [], []
    leaves_all = []
    for a in argnums:
        leaves, rebuild = _flatten(args[a])
        leaves_all += leaves
        flat_per_arg.append(leaves)
        rebuilds.append(rebuild)
    create_graph = _needs_graph(leaves_all)
    for a, leaves, rebuild in zip(argnums, flat_per_arg, rebuilds):
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"{api}: expected the differentiated arguments to be Tensors "
                                   f"(or pytrees of Tensors), got {type(leaf).__name__}")
        new = [_track(t, create_graph) for t in leaves]
        tracked.append(new)
        args[a] = rebuild(new)
    out = _call(func, args, kwargs)
    return out, tracked, rebuilds, create_graph


# ---------------------------------------------------------------------- grad
def grad_and_value(func, argnums=0, has_aux=False):
    """Like `grad`, but the returned function gives `(gradient, value)`, or
    `(gradient, (value, aux))` when has_aux (as torch.func)."""
    def wrapper(*args, **kwargs):
        api = "grad_and_value(f)(*args)"
        single, nums = _normalize_argnums(argnums, len(args), api)
        out, tracked, rebuilds, create_graph = _traced_call(func, args, kwargs, nums, api)
        out, aux = _split_aux(out, has_aux, api)
        if not isinstance(out, Tensor):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(out)}")
        if out.dim() != 0:
            raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor "
                               f"with {out.dim()} dims (shape {tuple(out.shape)}). Maybe you "
                               f"wanted to use the vjp or jacrev APIs instead?")
        flat = [t for leaves in tracked for t in leaves]
        g = _grads([out], flat, [None], create_graph)
        per_arg, i = [], 0
        for leaves, rebuild in zip(tracked, rebuilds):
            per_arg.append(rebuild(g[i:i + len(leaves)]))
            i += len(leaves)
        result = per_arg[0] if single else tuple(per_arg)
        if not create_graph:
            out, aux = out.detach(), _detach_tree(aux)
        return (result, (out, aux)) if has_aux else (result, out)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient transform: `grad(f)(x)` is df/dx for a `f` returning a 0-dim Tensor.

    `argnums` (int or tuple of ints) picks the positional arguments to differentiate; each may
    be a Tensor or a pytree (nested tuple/list/dict) of Tensors, and its gradient has the same
    structure (a tuple of them for a tuple argnums). With `has_aux=True`, `f` returns
    `(output, aux)` and the result is `(gradient, aux)`. Inputs `f` does not use get zeros.
    Composes: `grad(grad(f))(x)` is the second derivative.
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, (value) = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


# ---------------------------------------------------------------------- vjp / jvp
def vjp(func, *primals, has_aux=False):
    """`(func(*primals), vjp_fn)` (plus aux); `vjp_fn(cotangents)` returns a tuple with one
    vector-Jacobian product `v^T J_i` per primal, shaped like that primal (pytrees allowed).
    `cotangents` must have the structure and shapes of the output."""
    api = "vjp(f, *primals)"
    out, tracked, rebuilds, create_graph = _traced_call(func, primals, {}, tuple(range(len(primals))), api)
    out, aux = _split_aux(out, has_aux, api)
    out_leaves, _ = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: Expected f to be a function that has only Tensor "
                               f"outputs, got {type(o)}")
    flat = [t for leaves in tracked for t in leaves]

    def vjp_fn(cotangents):
        cots, _ = _flatten(cotangents)
        if len(cots) != len(out_leaves):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as "
                               f"pytree structure of outputs to the function: got "
                               f"{len(cots)} cotangents for {len(out_leaves)} outputs")
        for c, o in zip(cots, out_leaves):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: cotangent has shape {tuple(c.shape)} "
                                   f"but the output has shape {tuple(o.shape)}")
        g = _grads(out_leaves, flat, cots, create_graph or _needs_graph(cots))
        res, i = [], 0
        for leaves, rebuild in zip(tracked, rebuilds):
            res.append(rebuild(g[i:i + len(leaves)]))
            i += len(leaves)
        return tuple(res)

    shown = out if create_graph else _detach_tree(out)
    if has_aux:
        return shown, vjp_fn, (aux if create_graph else _detach_tree(aux))
    return shown, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """`(func(*primals), J @ tangents)`: the Jacobian-vector product, computed in reverse mode
    by the double-vjp trick (u -> J^T u is linear, so differentiating it w.r.t. u against the
    tangents gives J t). `primals` and `tangents` are tuples of matching structure."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to "
                           f"call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError(f"{api}: Expected tangents to be a tuple.")
    p_leaves, _ = _flatten(primals)
    t_leaves, _ = _flatten(tangents)
    if len(p_leaves) != len(t_leaves):
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           f"structure, got {len(p_leaves)} and {len(t_leaves)} tensors")
    for p, t in zip(p_leaves, t_leaves):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"{api}: Expected primals and tangents to have the same shape, "
                               f"got {tuple(p.shape)} and {tuple(t.shape)}")
    out, tracked, _, create_graph = _traced_call(func, primals, {}, tuple(range(len(primals))), api)
    out, aux = _split_aux(out, has_aux, api)
    out_leaves, rebuild_out = _flatten(out)
    flat = [t for leaves in tracked for t in leaves]
    with grad_mode.enable_grad():
        dummies = [_zeros_like(o).requires_grad_(True) for o in out_leaves]
        back = _grads(out_leaves, flat, dummies, True)
        res = _grads(back, dummies, t_leaves, create_graph or _needs_graph(t_leaves))
    if not create_graph:
        out, aux = _detach_tree(out), _detach_tree(aux)
        res = [r.detach() for r in res]
    result = (out, rebuild_out(res))
    return result + (aux,) if has_aux else result


# ---------------------------------------------------------------------- Jacobians
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian by reverse mode: one vjp per output element, stacked. For an output of
    shape O and an input of shape I the block has shape O + I; outputs and inputs may be
    pytrees (the result nests output structure outside input structure), a tuple argnums gives
    a tuple per output. `chunk_size` is accepted for compatibility (rows are done one by one)."""
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    def wrapper(*args, **kwargs):
        api = "jacrev(f, argnums)(*args)"
        single, nums = _normalize_argnums(argnums, len(args), api)
        out, tracked, rebuilds, create_graph = _traced_call(func, args, kwargs, nums, api)
        out, aux = _split_aux(out, has_aux, api)
        out_leaves, rebuild_out = _flatten(out)
        flat = [t for leaves in tracked for t in leaves]
        blocks = [_jacobian_rows(o, flat, create_graph) for o in out_leaves]
        per_out = []
        for row in blocks:
            per_arg, i = [], 0
            for leaves, rebuild in zip(tracked, rebuilds):
                per_arg.append(rebuild(row[i:i + len(leaves)]))
                i += len(leaves)
            per_out.append(per_arg[0] if single else tuple(per_arg))
        result = rebuild_out(per_out)
        if has_aux:
            return result, (aux if create_graph else _detach_tree(aux))
        return result
    return wrapper


def _jacobian_rows(o, inputs, create_graph):
    """[d o / d x for x in inputs], each of shape o.shape + x.shape."""
    from ..creation import as_tensor
    from ..ops.shape import stack
    if not isinstance(o, Tensor):
        raise RuntimeError(f"jacrev: Expected f to return Tensors, got {type(o)}")
    n = o.numel()
    rows = [[] for _ in inputs]
    for k in range(n):
        seed = np.zeros(n, dtype=o.detach().numpy().dtype)
        seed[k] = 1
        seed = as_tensor(seed.reshape(tuple(o.shape)))
        for r, g in zip(rows, _grads([o], inputs, [seed], create_graph)):
            r.append(g)
    out = []
    for r, x in zip(rows, inputs):
        if n == 0:
            block = _zeros_like(x).reshape(0, *x.shape)
        else:
            block = stack(r) if create_graph else stack([g.detach() for g in r])
        out.append(block.reshape(*o.shape, *x.shape))
    return out


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian with forward-mode's signature and result (shape O + I per block). There is
    no forward mode here, so it is computed exactly like `jacrev` (same values)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of a scalar function: `jacfwd(jacrev(func, argnums), argnums)`, shape I + I."""
    return jacfwd(jacrev(func, argnums), argnums)
