"""vmap: a function mapped over a batch dimension, by looping."""
from ..tensor import Tensor
from ._tree import _flatten


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
            from ..creation import zeros
            probe = [t if d is None else zeros(tuple(t.shape[:d] + t.shape[d + 1:]),
                                               dtype=t.dtype) for t, d in zip(leaves, dims)]
            return _stack_outputs([func(*rebuild(probe), **kwargs)], out_dims, empty=True)
        from ..random import get_rng_state, set_rng_state
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
    from ..ops.shape import stack
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
