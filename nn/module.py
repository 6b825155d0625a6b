"""`Module`: the base of every layer, with registration, traversal, state dicts and hooks.

Assigning a `Parameter`, a `Module` or a registered buffer to an attribute records it in the
ordered dicts `_parameters`, `_modules`, `_buffers`, so traversal, `state_dict` keys and `repr`
follow assignment order, as in PyTorch.

`__call__` is on the hot path of every training step: with no hooks registered it costs two
ticks of the graph's sequence counter (kept in `_call_ranges` so a graph renderer can tell
which nodes a call created) and the call to `forward`.
"""
import collections
import copy

import numpy as np

from autograd import dtypes, function as _function, grad_mode
from autograd.tensor import RemovableHandle, Tensor, _make

from . import _state_dict
from ._hooks import _BackwardHookState
from .parameter import Buffer, Parameter, _Uninitialized

__all__ = ["Module"]

_IncompatibleKeys = _state_dict.IncompatibleKeys


class Module:
    """Base class of all layers: subclass it, assign parameters and submodules in `__init__`,
    and write `forward`.

    Example:
        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(4, 2)
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
    """

    training = True
    _call_ranges = None  # deque of (start, end) graph sequence numbers, created on first call
    _version = 1

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments; "
                            f"Module.__init__ takes none")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = {}
        d["_forward_pre_hooks_with_kwargs"] = set()
        d["_forward_hooks"] = {}
        d["_forward_hooks_with_kwargs"] = set()
        d["_backward_hooks"] = {}
        d["_backward_pre_hooks"] = {}

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  f'"forward" function')

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        seq = _function._seq
        start = next(seq)
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks \
                or self._backward_pre_hooks:
            result = self._call_with_hooks(args, kwargs)
        else:
            result = self.forward(*args, **kwargs)
        end = next(seq)
        ranges = self._call_ranges
        if ranges is None:
            ranges = self.__dict__["_call_ranges"] = collections.deque(maxlen=64)
        ranges.append((start, end))
        return result

    def _call_with_hooks(self, args, kwargs):
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in self._forward_pre_hooks_with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r!r}")
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        state = None
        if (self._backward_hooks or self._backward_pre_hooks) and grad_mode.is_grad_enabled():
            state = _BackwardHookState(self)
            args = state.wrap_inputs(args)
        result = self.forward(*args, **kwargs)
        for hid, hook in list(self._forward_hooks.items()):
            if hid in self._forward_hooks_with_kwargs:
                r = hook(self, args, kwargs, result)
            else:
                r = hook(self, args, result)
            if r is not None:
                result = r
        if state is not None:
            result = state.wrap_outputs(result)
        return result

    # ------------------------------------------------------------------ hooks
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args)` (or `hook(module, args, kwargs)` with `with_kwargs`) runs before
        `forward`; a non-None result replaces the arguments. Returns a removable handle."""
        handle = _add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """`hook(module, args, output)` (or `hook(module, args, kwargs, output)`) runs after
        `forward`; a non-None result replaces the output. Returns a removable handle."""
        handle = _add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """`hook(module, grad_input, grad_output)` runs when the gradients with respect to the
        module's tensor inputs are computed; a non-None result (a tuple) replaces grad_input.
        Entries are None for inputs that need no gradient."""
        return _add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """`hook(module, grad_output)` runs when the gradients with respect to the module's
        outputs are known; a non-None result (a tuple) replaces grad_output."""
        return _add_hook(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        raise RuntimeError("register_backward_hook is deprecated in PyTorch and not provided; "
                           "use register_full_backward_hook")

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, d["_buffers"], d["_modules"], d["_non_persistent_buffers_set"])
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(nn.Parameter or None expected)")
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(name, d, params, d["_buffers"], d["_non_persistent_buffers_set"])
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (nn.Module or None expected)")
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer):
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            _remove_from(name, d, params, modules)
            self.register_buffer(name, value, persistent=value.persistent)
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f"(Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Written out flat: every `self.weight` in a forward lands here.
        d = self.__dict__
        store = d.get("_parameters")
        if store is not None and name in store:
            return store[name]
        store = d.get("_buffers")
        if store is not None and name in store:
            return store[name]
        store = d.get("_modules")
        if store is not None and name in store:
            return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d.get(key, ()):
                del d[key][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__())
        keys += list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')

    def register_parameter(self, name, param):
        """Add `param` (a Parameter or None) under `name`."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if hasattr(type(self), name) or (name in self.__dict__ and
                                         name not in self._parameters):
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly.")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor (or None) that is part of the module's state but not trained, such as
        BatchNorm's running mean. Non-persistent buffers stay out of `state_dict`."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if hasattr(type(self), name) or (name in self.__dict__ and name not in self._buffers):
            raise KeyError(f"attribute '{name}' already exists")
        if name in self._parameters or name in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(Tensor or None required)")
        if isinstance(tensor, (Buffer, Parameter)):
            tensor = _make(tensor._data, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module (or None) under `name`."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        if hasattr(type(self), name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        mod = self
        if target == "":
            return mod
        for item in target.split("."):
            if item not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return mod._buffers[name]

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, each module once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, store, prefix, recurse, remove_duplicate):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, value in mod.__dict__[store].items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, parameter) pairs; a parameter shared by two modules is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes and flags
    def train(self, mode=True):
        """Set training mode on this module and all descendants; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for p in self.parameters():
            g = p._grad
            if g is None:
                continue
            if set_to_none:
                p._grad = None
            elif g.grad_fn is not None:
                p._grad = _make(np.zeros_like(g._data), None)
            else:
                g._data.fill(0)

    def apply(self, fn):
        """Call `fn(module)` on every descendant (children first) and on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype
    def _apply_to_tensors(self, convert):
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is None:
                        continue
                    new = convert(t._data)
                    if new is not t._data:
                        t._data = new
                    if t._grad is not None:
                        g = convert(t._grad._data)
                        if g is not t._grad._data:
                            t._grad = _make(g, None)
        return self

    def to(self, *args, dtype=None, **kwargs):
        """`to(dtype)`, `to('cpu')` or `to(tensor)`: cast floating parameters and buffers in
        place (the Parameter objects stay the same, so optimizers keep working)."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str) or a is None:
                if a not in (None, "cpu") and not str(a).startswith("cpu"):
                    raise RuntimeError(f"device {a!r} is not available: modules live on the cpu")
            else:
                dtype = a
        dev = kwargs.pop("device", None)
        if dev not in (None, "cpu"):
            raise RuntimeError(f"device {dev!r} is not available: modules live on the cpu")
        if dtype is None:
            return self
        dt = dtypes.as_dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got "
                            f"desired dtype={dt}")
        return self._apply_to_tensors(
            lambda a: a.astype(dt) if a.dtype.kind == "f" and a.dtype != dt else a)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise RuntimeError("CUDA is not available: tapegrad runs on the cpu")

    def type(self, dst_type):
        return self.to(dst_type)

    # ------------------------------------------------------------------ state dict
    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted names to parameters and persistent buffers (detached,
        sharing memory with the module unless `keep_vars`)."""
        if destination is None:
            destination = collections.OrderedDict()
        return _state_dict.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from `state_dict` into this module's parameters and buffers.

        Values are copied (cast to each tensor's dtype), never aliased. With `strict`, missing
        and unexpected keys raise; shape mismatches always raise, naming every offending key,
        and nothing is modified when an error is raised (unless a load post hook is registered:
        it sees the missing and unexpected keys after the load and may forgive them). Returns
        `(missing_keys, unexpected_keys)`.
        """
        return _state_dict.load_state_dict(self, state_dict, strict, assign)

    def register_state_dict_pre_hook(self, hook):
        """`hook(module, prefix, keep_vars)` before this module's entries are collected."""
        return self._register("_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook):
        """`hook(module, state_dict, prefix, local_metadata)` after they are collected."""
        return self._register("_state_dict_hooks", hook)

    def _register_state_dict_hook(self, hook):
        """As `register_state_dict_post_hook`, and a returned dict replaces the state dict."""
        return self._register("_state_dict_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook):
        """`hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)` before loading; it may edit `state_dict` (a copy) and
        append to `error_msgs`."""
        return self._register("_load_state_dict_pre_hooks", hook)

    def register_load_state_dict_post_hook(self, hook):
        """`hook(module, incompatible_keys)` after loading; it may remove entries from
        `incompatible_keys.missing_keys` / `.unexpected_keys` to forgive them."""
        return self._register("_load_state_dict_post_hooks", hook)

    def _register(self, kind, hook):
        store = self.__dict__.get(kind)
        if store is None:
            store = self.__dict__[kind] = {}
        return RemovableHandle(store, hook)

    def share_memory(self):
        """This module (one process: nothing to share)."""
        return self

    def compile(self, *args, **kwargs):
        """Nothing to do: modules run eagerly (PyTorch compiles in place and returns None)."""

    # ------------------------------------------------------------------ copying
    def __deepcopy__(self, memo):
        """Deep copy with fresh arrays for every parameter, buffer and gradient."""
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is not None and id(t) not in memo:
                        memo[id(t)] = _copy_tensor(t, memo)
        new = object.__new__(type(self))
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            if k == "_call_ranges":
                continue
            new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    # ------------------------------------------------------------------ printing
    def extra_repr(self):
        """The text inside this module's parentheses in `repr`; override in layers."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(m), 2)
                       for key, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += "\n  " + "\n  ".join(lines) + "\n"
        return s + ")"

    # ------------------------------------------------------------------ graph rendering
    def draw(self, example_input, path=None, **options):
        """Render the graph of one call on `example_input`, grouped by submodule (needs the
        graphviz package)."""
        from autograd.viz import draw_module
        return draw_module(self, example_input, path=path, **options)


# ---------------------------------------------------------------------- helpers
def _add_hook(hooks, hook, prepend):
    handle = RemovableHandle(hooks, hook)
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks[handle.id] = hook
        hooks.update((k, v) for k, v in items if k != handle.id)
    return handle


def _remove_from(name, *stores):
    for s in stores:
        if s is None:
            continue
        if isinstance(s, set):
            s.discard(name)
        elif name in s:
            del s[name]


def _addindent(s, n):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


def _copy_tensor(t, memo):
    if isinstance(t, _Uninitialized):          # a lazy module's placeholder: nothing to copy
        return type(t)(requires_grad=t._requires_grad, dtype=t._data.dtype)
    cls = Parameter if isinstance(t, Parameter) else Tensor
    if cls is Parameter:
        new = Parameter(t._data.copy(), t._requires_grad)
    else:
        new = _make(t._data.copy(), None)
        new._requires_grad = t._requires_grad and t.grad_fn is None
    if t._grad is not None:
        new._grad = _make(t._grad._data.copy(), None)
    return new
