"""Devices as PyTorch scripts name them: everything here runs on the CPU.

`device("cpu")` is a string subclass, so it compares equal to `"cpu"` and every `.to(...)` that
takes a device string takes it too; a `device("cuda")` can be made (as in PyTorch without a
GPU) but moving anything to it raises. `cuda` and `backends` hold what device-agnostic scripts
query: `cuda.is_available()` is False, seeding CUDA does nothing, and `backends.cudnn` flags are
plain attributes that change nothing.
"""
import types

__all__ = ["device", "cuda", "backends"]


class device(str):
    """A device name: `device("cpu")`, `device("cuda", 0)`, `device("cuda:0")`."""

    def __new__(cls, type, index=None):
        if isinstance(type, device):
            return type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a device string such as 'cpu', got "
                            f"{type.__class__.__name__}")
        name = type if index is None else f"{type}:{index}"
        kind = name.split(":")[0]
        if kind not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of "
                               f"device string: {name}")
        return super().__new__(cls, name)

    @property
    def type(self):
        return self.split(":")[0]

    @property
    def index(self):
        parts = self.split(":")
        return int(parts[1]) if len(parts) > 1 else None

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None
                                               else ")")


def _nothing(*args, **kwargs):
    return None


cuda = types.SimpleNamespace(
    is_available=lambda: False, device_count=lambda: 0, manual_seed=_nothing,
    manual_seed_all=_nothing, synchronize=_nothing, empty_cache=_nothing)

backends = types.SimpleNamespace(
    cudnn=types.SimpleNamespace(benchmark=False, deterministic=False, enabled=True,
                                is_available=lambda: False),
    mps=types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False))
