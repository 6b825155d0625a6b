"""`Optimizer`: parameter groups, lazy per-parameter state, `step`, `zero_grad`, state dicts.

Every algorithm is written in three layers, as in PyTorch's Python side:

1. the class (in its family's file) validates hyperparameters, fills the groups from its
   defaults and says which state a parameter needs (`_init_state`) and how one parameter is
   updated (`_update`);
2. a pure update function over NumPy arrays (`adam_update`, `sgd_update`, ...) that tests and
   users can call directly; it updates the parameter and its state arrays in place;
3. the in-place array work inside it, written with `out=` so no avoidable temporary is made.

State is kept as NumPy arrays (and Python ints for step counters) keyed by the parameter
tensor; `state_dict()` converts it to PyTorch's structure with Tensors, copied.
"""
from collections import defaultdict
from copy import deepcopy

import numpy as np

import autograd
from autograd import versions
from autograd.tensor import Tensor, _make

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyperparameter that has no default and must be given per group."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

# State entries kept as Python ints inside the optimizer and exported as float32 0-dim tensors,
# as PyTorch does for `step`.
_STEP_KEYS = ("step",)
# Scalar state kept in its own dtype on load (PyTorch casts it to the parameter dtype, which
# would make a resumed float64 run drift from an uninterrupted one).
_KEEP_DTYPE_KEYS = ("mu_product",)

_BLOCK = 1 << 16  # elements per block of block-wise updates (256 KiB of float32)


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of `(name, Tensor)` pairs, or of dicts each holding a
            `"params"` entry and hyperparameters that override `defaults` for that group.
        defaults: the hyperparameters every group starts from.

    Subclasses define `_validate(hp)` (raise `ValueError` naming the bad value),
    `_init_state(param, state, group)` (fill a fresh state dict with arrays; optimizers whose
    state starts empty leave it out) and
    `_update(param, grad, state, group)` (update the arrays in place).
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._validate(self.defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._scratch_buffers = {}
        self._scratch_views = {}  # (shape, dtype) -> view of the flat buffer
        self._block_buffers = {}
        if isinstance(params, Tensor):
            raise TypeError(f"params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got a Tensor of shape {tuple(params.shape)}")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ hooks for subclasses
    def _validate(self, hp):
        """Raise `ValueError` naming the bad value; `hp` may lack keys (a group's overrides)."""
        _check_nonneg(hp, "lr", "learning rate")

    def _init_state(self, param, state, group):
        """Fill the empty `state` of `param` before its first update (default: nothing)."""

    def _update(self, param, grad, state, group):
        raise NotImplementedError

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with `"params"` and optional hyperparameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        names = None
        if params and all(isinstance(p, tuple) and len(p) == 2 for p in params):
            names = [n for n, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf and not p.retains_grad:
                raise ValueError(f"can't optimize a non-leaf Tensor (shape {tuple(p.shape)}, "
                                 f"grad_fn={p.grad_fn.name()})")
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            dup = next(i for i, x in enumerate(ids) if ids.index(x) != i)
            raise ValueError(f"parameter {dup} (shape {tuple(params[dup].shape)}) appears more "
                             f"than once in its parameter group")
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        elif "param_names" in group:
            group["param_names"] = list(group["param_names"])
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        self._validate(group)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None by default, as in PyTorch)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g = p._grad = g.detach()
                    g._requires_grad = False
                    g._data.fill(0)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns `closure()`'s loss if given.

        The closure re-evaluates the model and returns the loss; it runs with grad mode on.
        """
        loss = None
        if closure is not None:
            with autograd.enable_grad():
                loss = closure()
        op_name = type(self).__name__ + ".step"
        with autograd.no_grad():
            for group in self.param_groups:
                params = [p for p in group["params"] if p._grad is not None]
                # NOTE: an in-place write like any other: a graph that saved one of these
                # parameters before the step refuses to backward through the old value
                versions.bump_all([p._data for p in params], op_name)
                self._update_group(group, params)
        return loss

    def _update_group(self, group, params):
        """Update `params` (those of `group` that have a gradient); subclasses may override
        this to handle a whole group at once."""
        states, update = self.state, self._update
        stateful = type(self)._init_state is not Optimizer._init_state
        for p in params:
            state = states[p]
            if stateful and not state:
                self._init_state(p, state, group)
            update(p._data, p._grad._data, state, group)

    def _scratch(self, like):
        """A work buffer shaped like `like`: a view of one flat array per dtype, grown to the
        largest parameter, so a step allocates nothing (never part of the state)."""
        key = (like.shape, like.dtype)
        view = self._scratch_views.get(key)
        if view is not None:
            return view
        flat = self._scratch_buffers.get(like.dtype)
        if flat is None or flat.size < like.size:
            flat = self._scratch_buffers[like.dtype] = np.empty(like.size, like.dtype)
            self._scratch_views.clear()  # the old views would keep the smaller buffer alive
        view = self._scratch_views[key] = flat[:like.size].reshape(like.shape)
        return view

    def _block_buffer(self, dtype):
        """A small 1-D work buffer for updates done block by block (never part of the state)."""
        block = self._block_buffers.get(dtype)
        if block is None:
            block = self._block_buffers[dtype] = np.empty(_BLOCK, dtype)
        return block

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """PyTorch's structure: `{'state': {index: {...}}, 'param_groups': [{..., 'params':
        [indices]}]}`, arrays exported as copied Tensors, step counters as float32 0-dim tensors.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _copy_value(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = {k: _export(k, v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a `state_dict()`: groups must match in number and sizes; arrays are copied and
        cast to each parameter's dtype (step counters excepted)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups: "
                             f"{len(saved_groups)} saved, {len(self.param_groups)} in the "
                             f"optimizer")
        for i, (g, s) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that doesn't "
                                 f"match the size of optimizer's group: group {i} has "
                                 f"{len(s['params'])} saved parameters, the optimizer "
                                 f"{len(g['params'])}")
        id_map = {}
        for g, s in zip(self.param_groups, saved_groups):
            for p, key in zip(g["params"], s["params"]):
                id_map[int(key)] = p
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        new_state = defaultdict(dict)
        for key, values in saved_state.items():
            if key not in id_map:
                continue
            p = id_map[key]
            new_state[p] = {k: _import(k, v, p._data) for k, v in values.items()}
        new_groups = []
        for g, s in zip(self.param_groups, saved_groups):
            new = {k: _copy_value(v) for k, v in s.items() if k != "params"}
            if isinstance(new.get("betas"), list):
                new["betas"] = tuple(new["betas"])
            if isinstance(new.get("eps"), list):
                new["eps"] = tuple(new["eps"])
            new["params"] = g["params"]
            new_groups.append(new)
        self.state = new_state
        self.param_groups = new_groups

    # ------------------------------------------------------------------ misc
    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._scratch_buffers = {}
        self._scratch_views = {}  # (shape, dtype) -> view of the flat buffer
        self._block_buffers = {}


# ---------------------------------------------------------------------- validation helpers
def _check_nonneg(hp, key, label):
    """`hp[key] >= 0` (when present), else `ValueError("Invalid <label>: <value>")`."""
    if key in hp and hp[key] is not required:
        v = hp[key]
        if not 0.0 <= v:
            raise ValueError(f"Invalid {label}: {v}")


def _check_betas(hp, key="betas"):
    if key in hp:
        betas = hp[key]
        if len(betas) != 2:
            raise ValueError(f"Invalid betas {betas}: expected a pair (beta1, beta2)")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {b} (must be in [0, 1))")


def _check_range(hp, key, lo, hi, what=None):
    if key in hp:
        v = hp[key]
        if not lo <= v <= hi:
            raise ValueError(f"Invalid {what or key} value: {v} (must be in [{lo}, {hi}])")


# ---------------------------------------------------------------------- state conversion
def _copy_value(v):
    if isinstance(v, Tensor):
        return _make(v._data.copy(), None)
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, (list, dict)):
        return deepcopy(v)
    return v


def _export(key, value):
    """An internal state value as PyTorch exposes it: a copied Tensor, or a float32 0-dim
    tensor for step counters."""
    if key in _STEP_KEYS:
        return _make(np.array(float(value), dtype=np.float32), None)
    if isinstance(value, (np.ndarray, np.generic)):
        return _make(np.array(value, copy=True), None)
    if isinstance(value, Tensor):
        return _make(value._data.copy(), None)
    if isinstance(value, (list, tuple)):
        return type(value)(_export(None, v) for v in value)
    return value


def _import(key, value, like):
    """The inverse of `_export`: arrays copied and cast to the parameter's dtype."""
    if isinstance(value, Tensor):
        value = value._data
    if key in _STEP_KEYS:
        return int(round(float(np.asarray(value))))
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.array(value, copy=True)
        if arr.dtype.kind == "f" and like.dtype.kind == "f" and key not in _KEEP_DTYPE_KEYS:
            arr = arr.astype(like.dtype, copy=False)
        return arr
    if isinstance(value, (list, tuple)):
        return list(_import(None, v, like) for v in value)
    return deepcopy(value)


def _buffer(scratch, like):
    """`scratch` (checked) or a new array shaped like `like`."""
    if scratch is None:
        return np.empty_like(like)
    if scratch.shape != like.shape or scratch.dtype != like.dtype:
        raise ValueError(f"scratch buffer of shape {scratch.shape} and dtype {scratch.dtype} "
                         f"does not match the parameter ({like.shape}, {like.dtype})")
    return scratch


def _effective_grad(param, grad, weight_decay, maximize):
    """The gradient an update uses: `-grad` under `maximize`, plus `weight_decay * param`
    (L2, added to the gradient as PyTorch does). A new array only when one of them applies, so
    `p.grad` is never modified. (Results go through `out=` so 0-dim inputs give 0-dim arrays,
    not NumPy scalars.)"""
    if weight_decay == 0:
        return np.negative(grad, out=np.empty_like(grad)) if maximize else grad
    g = np.multiply(param, weight_decay, out=np.empty_like(param))
    if maximize:
        g -= grad
    else:
        g += grad
    return g
