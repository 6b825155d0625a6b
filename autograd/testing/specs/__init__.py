"""Registry entries, one module per op family. Importing a module registers its specs."""
import importlib

# Families whose ops live in modules that may not exist yet (fused ops added later).
_OPTIONAL = {"norm": "autograd.ops.norm", "losses": "autograd.ops.losses"}


def load_optional():
    """Register the specs of optional families whose op module exists."""
    for family, module in _OPTIONAL.items():
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        try:
            importlib.import_module(f"{__name__}.{family}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{family}":
                raise
