"""`import autograd.nn`, `import autograd.optim.lr_scheduler`, `from autograd.autograd import
Function`: the module paths a PyTorch script has after `torch` is replaced by `autograd`.

`nn` and `optim` are this project's top-level packages (`autograd` never imports them), so these
paths do not exist as files. A finder placed first on `sys.meta_path` answers for them (and
only them): each aliased name resolves to the real module object (one module, never a second
copy), so classes compare equal whichever path imported them. `autograd.autograd` is this package itself, as
`torch.autograd` holds `grad`, `Function` and `functional`.
"""
import importlib
import importlib.abc
import importlib.util
import sys

# aliased prefix -> the real module name it stands for
_ROOTS = {"autograd.nn": "nn", "autograd.optim": "optim", "autograd.autograd": "autograd"}


def real_name(fullname):
    """The real module an aliased `fullname` stands for, or None if it is not an alias."""
    for alias, real in _ROOTS.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias):]
    return None


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if real_name(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module(real_name(spec.name))
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        # The real module ran when it was imported under its own name; the import system has
        # just set its __spec__ to the alias's, so it gets its own back.
        module.__spec__ = module.__spec__.loader_state


def install():
    """Put the finder first on `sys.meta_path`: it must answer before the path finder, which
    would otherwise load `autograd.nn.functional` a second time from nn's directory."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
