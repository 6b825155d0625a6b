"""`skip_init`: a module whose parameters and buffers are left uninitialised."""
import inspect

import numpy as np

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiate `module_cls(*args, **kwargs)` with uninitialised (np.empty) parameters and
    buffers, as `torch.nn.utils.skip_init`, for when a custom initialisation follows.

    Like PyTorch it requires a constructor that takes `device`. PyTorch skips the work by
    building on the meta device; here the constructor runs as usual and its values are then
    discarded, so the result is the same but nothing is saved.

    Example:
        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> nn.init.orthogonal_(m.weight)
    """
    from ..module import Module
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    module = module_cls(*args, **kwargs)
    for m in module.modules():
        for store in (m._parameters, m._buffers):
            for t in store.values():
                if t is not None:
                    t._data = np.empty_like(t._data)
    return module
