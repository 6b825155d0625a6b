"""Which module call created each drawn node: the clusters of the picture.

A module records, for each call, the pair `(start, end)` of `autograd.function._seq` values it
drew before and after running (`module._call_ranges`); an op node with `start < node._seq < end`
was created during that call. Calls nest, so the ranges form a tree: each call is a cluster, the
clusters of inner calls sit inside it, and a node belongs to the innermost call containing it.
All of it is sorting and sweeps, no recursion.
"""

# (first attribute, second attribute) pairs that say what a layer maps from and to.
_ARROW_ATTRS = (("in_features", "out_features"), ("in_channels", "out_channels"),
                ("num_embeddings", "embedding_dim"), ("input_size", "hidden_size"))


class Call:
    """One recorded call of a module: a cluster candidate."""

    __slots__ = ("start", "end", "name", "module", "parent", "depth", "used", "number")

    def __init__(self, start, end, name, module):
        self.start, self.end, self.name, self.module = start, end, name, module
        self.parent = None
        self.depth = 0
        self.used = False
        self.number = 0


def module_calls(module):
    """Every recorded call of `module` and its submodules, as a forest sorted by start."""
    calls = []
    for name, m in module.named_modules():
        for start, end in list(getattr(m, "_call_ranges", None) or ()):
            calls.append(Call(start, end, name, m))
    calls.sort(key=lambda c: (c.start, -c.end))
    open_calls = []
    for c in calls:
        while open_calls and open_calls[-1].end <= c.start:
            open_calls.pop()
        if open_calls:
            c.parent = open_calls[-1]
            c.depth = c.parent.depth + 1
        open_calls.append(c)
    return calls


def innermost(calls, seqs):
    """For each sequence number in `seqs`, the innermost call whose range contains it (or None)."""
    result = [None] * len(seqs)
    j = 0
    open_calls = []
    for k in sorted(range(len(seqs)), key=seqs.__getitem__):
        s = seqs[k]
        while j < len(calls) and calls[j].start < s:
            while open_calls and open_calls[-1].end <= calls[j].start:
                open_calls.pop()
            open_calls.append(calls[j])
            j += 1
        while open_calls and open_calls[-1].end <= s:
            open_calls.pop()
        result[k] = open_calls[-1] if open_calls else None
    return result


def common_call(a, b):
    """The innermost call containing both `a` and `b` (either may be None: top level)."""
    seen = set()
    while a is not None:
        seen.add(id(a))
        a = a.parent
    while b is not None and id(b) not in seen:
        b = b.parent
    return b


def mark_used(calls, direct):
    """Mark the calls holding a drawn node, and their ancestors; number repeated calls."""
    for c in direct:
        while c is not None and not c.used:
            c.used = True
            c = c.parent
    per_module = {}
    for c in calls:
        if c.used:
            per_module.setdefault(id(c.module), []).append(c)
    for group in per_module.values():
        if len(group) > 1:
            for k, c in enumerate(group, 1):
                c.number = k
    return per_module


def call_label(call, prefix):
    """`net.0: Linear(784 → 256)`, with ` (call 2)` when the module ran more than once."""
    name = qualified(call.name, prefix)
    text = module_summary(call.module)
    label = f"{name}: {text}" if name else text
    if call.number:
        label += f" (call {call.number})"
    return label


def qualified(name, prefix):
    if prefix:
        return f"{prefix}.{name}" if name else prefix
    return name


def module_summary(module):
    """`Linear(784 → 256)`, else `Type(extra_repr)` when short, else `Type`."""
    kind = type(module).__name__
    for a, b in _ARROW_ATTRS:
        va, vb = getattr(module, a, None), getattr(module, b, None)
        if isinstance(va, int) and isinstance(vb, int):
            return f"{kind}({va} → {vb})"
    extra = getattr(module, "extra_repr", None)
    extra = extra() if callable(extra) else ""
    if extra and len(extra) <= 40 and "\n" not in extra:
        return f"{kind}({extra})"
    return kind
