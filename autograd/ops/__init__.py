"""Built-in ops, one module per family: elementwise, reduce, shape, index, linalg, nn."""
