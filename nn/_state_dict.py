"""A module's saved state: `state_dict` and `load_state_dict`, with PyTorch's four hooks
(state-dict pre and post hooks, load pre and post hooks).

Loading copies every value only once all of them have been checked, so a shape mismatch or a
bad value changes nothing; missing and unexpected keys are also checked first unless a load
post hook is registered (it may forgive them after the load, as in PyTorch).
"""
import collections

import numpy as np

from autograd import versions
from autograd.tensor import Tensor

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__repr__ = lambda self: (
    "<All keys matched successfully>" if not self.missing_keys and not self.unexpected_keys
    else f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
         f"unexpected_keys={self.unexpected_keys})")

_LOADABLE = (Tensor, np.ndarray, np.generic, int, float, list)


def hooks(module, kind):
    """The hooks of `kind` registered on `module` (a dict created on first registration)."""
    return module.__dict__.get(kind) or {}


def state_dict(module, destination, prefix, keep_vars):
    """`module`'s parameters and persistent buffers, then its children's, under dotted names."""
    for hook in hooks(module, "_state_dict_pre_hooks").values():
        hook(module, prefix, keep_vars)
    for name, p in module._parameters.items():
        if p is not None:
            destination[prefix + name] = p if keep_vars else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent_buffers_set:
            destination[prefix + name] = b if keep_vars else b.detach()
    for name, child in module._modules.items():
        if child is not None:
            state_dict(child, destination, prefix + name + ".", keep_vars)
    for hook in hooks(module, "_state_dict_hooks").values():
        replaced = hook(module, destination, prefix, {})
        if replaced is not None:
            destination = replaced
    return destination


def load_state_dict(module, state_dict_in, strict, assign):
    """Copy `state_dict_in` into `module` (see `Module.load_state_dict`)."""
    if not isinstance(state_dict_in, collections.abc.Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict_in)}.")
    values = collections.OrderedDict(state_dict_in)  # (pre hooks may rename or drop keys)
    errors = []
    post_hooks = []
    for prefix, m in _prefixed_modules(module):
        for hook in list(hooks(m, "_load_state_dict_pre_hooks").values()):   # may remove itself
            hook(m, values, prefix, {}, strict, [], [], errors)
        post_hooks += [(m, h) for h in hooks(m, "_load_state_dict_post_hooks").values()]
    own = state_dict(module, collections.OrderedDict(), "", True)
    keys = IncompatibleKeys([k for k in own if k not in values],
                            [k for k in values if k not in own])
    updates = []
    for key, target in own.items():
        if key not in values:
            continue
        value = values[key]
        if not isinstance(value, _LOADABLE):
            errors.append(f'While copying the parameter named "{key}", expected an array or '
                          f'Tensor from checkpoint but received {type(value).__name__}')
            continue
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if arr.shape != target._data.shape:
            errors.append(f"size mismatch for {key}: copying a param with shape "
                          f"{tuple(arr.shape)} from checkpoint, the shape in current model is "
                          f"{tuple(target._data.shape)}.")
            continue
        updates.append((target, arr))
    if strict and not post_hooks:
        errors = _key_errors(keys) + errors
    if errors:
        _raise(module, errors)
    for target, arr in updates:
        if assign:
            target._data = np.array(arr, copy=True)
        else:
            np.copyto(target._data, arr, casting="unsafe")
        versions.bump(target, "load_state_dict")
    for m, hook in post_hooks:
        hook(m, keys)
    if strict and post_hooks and _key_errors(keys):
        _raise(module, _key_errors(keys))
    return keys


def _prefixed_modules(module, prefix=""):
    yield prefix, module
    for name, child in module._modules.items():
        if child is not None:
            yield from _prefixed_modules(child, prefix + name + ".")


def _key_errors(keys):
    errors = []
    if keys.missing_keys:
        errors.append("Missing key(s) in state_dict: " +
                      ", ".join(f'"{k}"' for k in keys.missing_keys) + ". ")
    if keys.unexpected_keys:
        errors.append("Unexpected key(s) in state_dict: " +
                      ", ".join(f'"{k}"' for k in keys.unexpected_keys) + ". ")
    return errors


def _raise(module, errors):
    raise RuntimeError(f"Error(s) in loading state_dict for {module._get_name()}:\n\t" +
                       "\n\t".join(errors))
