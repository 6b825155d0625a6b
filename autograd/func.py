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
import numpy as np

from . import grad_mode
from .engine import grad as _autograd_grad
from .tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "functional_call"]

_depth = 0  # how many transforms are currently running a user function


# ---------------------------------------------------------------------- pytrees
def _flatten(tree):
    """(leaves, rebuild) for nested tuples/lists/dicts (namedtuples too); other objects are leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(x) for x in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(flat, parts=parts, kind=type(tree)):
            items, i = [], 0
            for sub_leaves, sub_rebuild in parts:
                items.append(sub_rebuild(flat[i:i + len(sub_leaves)]))
                i += len(sub_leaves)
            if kind is tuple or kind is list:
                return kind(items)
            return kind(*items) if hasattr(kind, "_fields") else kind(items)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda flat, kind=type(tree): kind(zip(keys, rebuild_values(flat)))
    return [tree], lambda flat: flat[0]


def _tree_map(fn, tree):
    leaves, rebuild = _flatten(tree)
    return rebuild([fn(x) for x in leaves])


def _detach_tree(tree):
    return _tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, tree)


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
    from .creation import zeros
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
    from .creation import as_tensor
    from .ops.shape import stack
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


# ---------------------------------------------------------------------- vmap
def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map `func` over a batch dimension: `vmap(f)(xs)[i] == f(xs[i])`.

    NOTE: this is a loop, not a batching transform: `func` runs once per batch element on the
    inputs sliced along their `in_dims` (`None` leaves an input unmapped; a pytree prefix of the
    arguments may give a dim per leaf), and the outputs (a pytree of Tensors) are stacked along
    `out_dims`. It is differentiable and nests (`vmap(vmap(f))`, `vmap(grad(f))` gives per-sample
    gradients). randomness='same' replays the random state for every element; 'error' cannot
    detect random ops and behaves like 'different'.
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. "
                         f"(got {chunk_size})")

    def wrapper(*args, **kwargs):
        api = f"vmap({getattr(func, '__name__', 'f')}, in_dims={in_dims}, ...)(<inputs>)"
        leaves, dims, rebuild = _mapped_leaves(args, in_dims, api)
        sizes = [t.shape[d] for t, d in zip(leaves, dims) if d is not None]
        if not sizes:
            raise ValueError(f"{api}: at least one input must be mapped over (got all "
                             f"in_dims = None)")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        if sizes[0] == 0:  # run once on zeros to learn the output shapes, keep none of it
            from .creation import zeros
            probe = [t if d is None else zeros(tuple(t.shape[:d] + t.shape[d + 1:]),
                                               dtype=t.dtype) for t, d in zip(leaves, dims)]
            return _stack_outputs([func(*rebuild(probe), **kwargs)], out_dims, empty=True)
        from .random import get_rng_state, set_rng_state
        state = get_rng_state() if randomness == "same" else None
        results = []
        for i in range(sizes[0]):
            if state is not None:
                set_rng_state(state)
            sliced = [t if d is None else t.select(d, i) for t, d in zip(leaves, dims)]
            results.append(func(*rebuild(sliced), **kwargs))
        return _stack_outputs(results, out_dims)
    return wrapper


def _mapped_leaves(args, in_dims, api):
    """Flatten args and give each leaf its in_dim (normalized to >= 0, or None)."""
    if isinstance(in_dims, int):
        spec = tuple(in_dims for _ in args)
    elif isinstance(in_dims, tuple):
        if len(in_dims) != len(args):
            raise ValueError(f"{api}: in_dims is not compatible with the structure of `inputs`. "
                             f"in_dims has structure of length {len(in_dims)} but inputs has "
                             f"{len(args)} positional arguments")
        spec = in_dims
    else:
        raise ValueError(f"{api}: expected `in_dims` to be int or a (potentially nested) tuple "
                         f"matching the structure of inputs, got: {type(in_dims)}.")
    leaves, dims = [], []
    for arg, d in zip(args, spec):
        arg_leaves, _ = _flatten(arg)
        if isinstance(d, (int, type(None))):
            arg_dims = [d] * len(arg_leaves)
        else:
            d_leaves, _ = _flatten(d)
            if len(d_leaves) != len(arg_leaves):
                raise ValueError(f"{api}: in_dims is not compatible with the structure of "
                                 f"`inputs`: {d!r} does not match an argument with "
                                 f"{len(arg_leaves)} leaves")
            arg_dims = d_leaves
        for leaf, dim in zip(arg_leaves, arg_dims):
            if dim is not None and not isinstance(dim, int):
                raise ValueError(f"{api}: in_dims must be int or None, got {dim!r}")
            if dim is not None and not isinstance(leaf, Tensor):
                raise ValueError(f"{api}: Got in_dim={dim} for an input but the input is of "
                                 f"type {type(leaf).__name__}. We cannot vmap over non-Tensor "
                                 f"arguments, please use None as the respective in_dim")
            if dim is not None and not -leaf.dim() <= dim < max(leaf.dim(), 1) or (
                    dim is not None and leaf.dim() == 0):
                raise ValueError(f"{api}: Got in_dim={dim} for some input, but that input is a "
                                 f"Tensor of dimensionality {leaf.dim()} so expected in_dim to "
                                 f"satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}.")
            leaves.append(leaf)
            dims.append(None if dim is None else dim % leaf.dim())
    _, rebuild = _flatten(tuple(args))
    return leaves, dims, rebuild


def _stack_outputs(results, out_dims, empty=False):
    from .ops.shape import stack
    flat = [_flatten(r) for r in results]
    rebuild = flat[0][1]
    n = len(flat[0][0])
    if isinstance(out_dims, (int, type(None))):
        dims = [out_dims] * n
    else:
        dims, _ = _flatten(out_dims)
        if len(dims) != n:
            raise ValueError(f"vmap: out_dims is not compatible with the structure of "
                             f"`outputs`: {len(dims)} out_dims for {n} outputs")
    stacked = []
    for j, d in enumerate(dims):
        column = [f[0][j] for f in flat]
        if not all(isinstance(c, Tensor) for c in column):
            bad = next(c for c in column if not isinstance(c, Tensor))
            raise ValueError(f"vmap: `f` must return only Tensors, got type {type(bad)}. Did you "
                             f"mean to set out_dims= to None for output?")
        if d is None:
            stacked.append(column[0])
            continue
        rank = column[0].dim() + 1
        if not -rank <= d < rank:
            raise IndexError(f"vmap: out_dim={d} is out of range for an output of "
                             f"dimensionality {rank - 1} (expected {-rank} <= out_dim < {rank})")
        out = stack(column, dim=d)
        stacked.append(out.narrow(d % rank, 0, 0) if empty else out)
    return rebuild(stacked)


# ---------------------------------------------------------------------- functional_call
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """`module(*args, **kwargs)` with some parameters/buffers replaced (by dotted name) by the
    given tensors for the duration of the call, restored afterwards even if the call raises.

    `parameter_and_buffer_dicts` is a dict or a sequence of dicts (a name in two of them is a
    ValueError). With `tie_weights`, a tensor registered under several names (tied weights) is
    replaced under all of them when one is given. With `strict`, missing or unexpected names
    raise RuntimeError. Works on any object with nn.Module's `_parameters`/`_buffers` dicts.
    """
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        dicts = (dicts,)
    elif not (isinstance(dicts, (tuple, list)) and all(isinstance(d, dict) for d in dicts)):
        raise ValueError(f"Expected all elements of parameter_and_buffer_dicts to be "
                         f"dictionaries, got {type(dicts)}")
    new = {}
    for d in dicts:
        for k, v in d.items():
            if k in new:
                raise ValueError(f"{k!r} appeared in multiple dictionaries; behavior of "
                                 f"functional call is ambiguous")
            new[k] = v
    new = _with_tied(module, new) if tie_weights else new
    if strict:
        known = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        known |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(known - set(new)), sorted(set(new) - known)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n"
                               f"\tUnexpected key(s): {unexpected}.\n\tMissing key(s): {missing}.")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    saved = []
    try:
        for name, value in new.items():
            saved.append(_swap(module, name, value))
        return module(*args, **(kwargs or {}))
    finally:
        for owner, attr, store, old in reversed(saved):
            if store is not None:
                store[attr] = old
            elif old is _MISSING:
                delattr(owner, attr)
            else:
                object.__setattr__(owner, attr, old)


_MISSING = object()


def _with_tied(module, new):
    """Extend `new` so every name sharing a tensor with a given name gets the same value."""
    by_id = {}
    for named in (module.named_parameters(remove_duplicate=False),
                  module.named_buffers(remove_duplicate=False)):
        for name, t in named:
            by_id.setdefault(id(t), []).append(name)
    out = dict(new)
    for names in by_id.values():
        given = [n for n in names if n in new]
        if len(names) < 2 or not given:
            continue
        first = new[given[0]]
        for n in given[1:]:
            if new[n] is not first:
                raise ValueError(f"functional_call got multiple values for keys {given}, which "
                                 f"are tied. Consider using tie_weights=False")
        for n in names:
            out[n] = first
    return out


def _swap(module, name, value):
    """Put `value` at dotted `name`; return (owner, attr, store dict or None, old value)."""
    *path, attr = name.split(".")
    owner = module
    for part in path:
        owner = getattr(owner, part)
    for store_name in ("_parameters", "_buffers"):
        store = owner.__dict__.get(store_name)
        if store is not None and attr in store:
            old = store[attr]
            store[attr] = value
            return owner, attr, store, old
    old = owner.__dict__.get(attr, _MISSING)
    object.__setattr__(owner, attr, value)
    return owner, attr, None, old
