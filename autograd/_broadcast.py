"""Summing a gradient back to the shape of an input that NumPy broadcast.

Used by backward formulas and by the engine; it only calls methods that arrays and Tensors
share, so it serves first-order and recorded (create_graph) passes alike.
"""


def unbroadcast(g, shape):
    """Sum `g` down to `shape`, undoing NumPy broadcasting (works on arrays and Tensors).

    Shapes: g: broadcast(shape, other)  ->  shape
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead or g.shape != shape:
        g = g.reshape(shape)
    return g


def mismatch_error(shapes):
    """PyTorch's RuntimeError for shapes that do not broadcast, naming the first dimension
    (from the right) where two of them disagree, and the two shapes; None if `shapes` do
    broadcast."""
    shapes = [tuple(s) for s in shapes]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            for k in range(1, min(len(a), len(b)) + 1):
                if a[-k] != b[-k] and a[-k] != 1 and b[-k] != 1:
                    dim = max(len(a), len(b)) - k
                    return RuntimeError(f"The size of tensor a ({a[-k]}) must match the size of "
                                        f"tensor b ({b[-k]}) at non-singleton dimension {dim} "
                                        f"(shapes {a} and {b})")
    return None


def raise_if_unbroadcastable(err, arrays):
    """Turn NumPy's ValueError `err` for operands that do not broadcast into PyTorch's
    RuntimeError (other ValueErrors are left to the caller to re-raise)."""
    if "broadcast" in str(err):
        mismatch = mismatch_error([getattr(a, "shape", ()) for a in arrays])
        if mismatch is not None:
            raise mismatch from None
