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
