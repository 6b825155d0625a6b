"""Built-in ops, one module per family: elementwise, reduce, shape, index, sort, linalg, nn,
conv, norm, losses."""
