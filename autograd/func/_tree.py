"""Pytrees for the function transforms: nested tuples, lists, dicts and namedtuples of
Tensors, flattened to leaves and rebuilt."""
from ..tensor import Tensor


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

