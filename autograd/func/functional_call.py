"""functional_call: a module called with some parameters and buffers swapped for given
tensors."""


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
