"""The global random generator: `manual_seed`, `seed`, `Generator`, state save and restore.

Every random op (`rand`, `randn`, dropout masks, init schemes, DataLoader shuffling) draws from
`default_generator` unless given a `generator=`, so one `manual_seed` makes a run repeatable.
"""
import threading

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator"]


class Generator:
    """A seeded source of random numbers (a NumPy PCG64 underneath).

    Example:
        >>> g = Generator().manual_seed(0)
        >>> autograd.randn(3, generator=g)
    """

    def __init__(self, device="cpu"):
        self._lock = threading.Lock()
        self.manual_seed(np.random.SeedSequence().entropy % (2 ** 63))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        self._seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        return self.manual_seed(np.random.SeedSequence().entropy % (2 ** 63))._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor-compatible array (PyTorch returns bytes)."""
        from .tensor import _make
        state = self.rng.bit_generator.state
        words = [state["state"]["state"], state["state"]["inc"], state["has_uint32"],
                 state["uinteger"], self._seed]
        raw = b"".join(int(w).to_bytes(16, "little") for w in words)
        return _make(np.frombuffer(raw, dtype=np.uint8).copy(), None)

    def set_state(self, new_state):
        arr = np.asarray(new_state._data if hasattr(new_state, "_data") else new_state,
                         dtype=np.uint8)
        if arr.size != 80:
            raise ValueError(f"a generator state has 80 bytes, got {arr.size}")
        raw = arr.tobytes()
        words = [int.from_bytes(raw[i:i + 16], "little") for i in range(0, 80, 16)]
        self._seed = words[4]
        self.rng = np.random.Generator(np.random.PCG64())
        self.rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": words[0], "inc": words[1]},
            "has_uint32": words[2], "uinteger": words[3]}
        return self


default_generator = Generator()
default_generator.manual_seed(0x5EED)


def manual_seed(seed):
    """Seed the global generator; returns it, as PyTorch does."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator=None):
    return (generator or default_generator).rng
