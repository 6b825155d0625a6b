"""The global random generator: `manual_seed`, `seed`, `Generator`, state save and restore.

Every random op (`rand`, `randn`, dropout masks, init schemes, DataLoader shuffling) draws from
`default_generator` unless given a `generator=`, so one `manual_seed` makes a run repeatable.

The generator is PyTorch's CPU generator: a 32-bit Mersenne Twister (MT19937) seeded with the
low 32 bits of the seed, and the samplers below turn its words into numbers the way PyTorch's
CPU kernels do (which words, how many bits, in which order and precision). So after the same
`manual_seed`, `rand`, `randn`, `randint`, `randperm`, `bernoulli`, `multinomial`, dropout
masks, the `nn.init` schemes, layer initialisation and DataLoader shuffling give PyTorch's
numbers (`randn` of 16 or more float32 values to within an ulp: PyTorch's vectorised log, sin
and cos round differently). Samplers with no PyTorch counterpart here (gamma, Poisson, ...)
draw from `Generator.rng`, a NumPy generator on the same Mersenne Twister.
"""
import math
import threading

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator"]

_MASK32 = np.uint64(0xFFFFFFFF)
_STATE_BYTES = 5056          # PyTorch's CPU generator state: see `Generator.get_state`
_LEGACY_STATE_BYTES = 80     # the PCG64 state older versions saved
_N = 624                     # MT19937 state words


def _locked(method):
    """Run a sampler under the generator's lock: each call draws one contiguous block of the
    stream even when threads share the generator."""
    def locked(self, *args):
        with self._lock:
            return method(self, *args)
    locked.__name__, locked.__doc__ = method.__name__, method.__doc__
    return locked


def _fresh_seed():
    return int(np.random.SeedSequence().entropy) % (2 ** 64)


class Generator:
    """A seeded source of random numbers, PyTorch's CPU generator (MT19937).

    Example:
        >>> g = Generator().manual_seed(0)
        >>> autograd.randn(3, generator=g)
    """

    def __init__(self, device="cpu"):
        self._lock = threading.RLock()
        self._bits = np.random.MT19937()
        self.rng = np.random.Generator(self._bits)
        self.manual_seed(_fresh_seed())

    @property
    def device(self):
        from .device import device
        return device("cpu")

    # ------------------------------------------------------------------ seeding and state
    @_locked
    def manual_seed(self, seed):
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise RuntimeError(f"Overflow when unpacking long: seed must be within the range "
                               f"[-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff], got {seed}")
        self._seed = seed % 2 ** 64
        key = np.random.RandomState(self._seed & 0xFFFFFFFF).get_state()[1]
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}
        self._next_normal = None        # Box-Muller's second value, kept for the next draw
        return self

    def seed(self):
        return self.manual_seed(_fresh_seed())._seed

    def initial_seed(self):
        return self._seed

    @_locked
    def get_state(self):
        """The state as 5,056 uint8 values in PyTorch's layout (so states move between them):
        seed, words left, seeded flag, next index, the 624 words, the cached normal value."""
        from .tensor import _make
        st = self._bits.state["state"]
        pos = int(st["pos"])
        raw = bytearray(_STATE_BYTES)
        view = memoryview(raw)
        view[0:8] = self._seed.to_bytes(8, "little")
        view[8:12] = (1 if pos >= _N else _N + 1 - pos).to_bytes(4, "little")
        view[12:16] = (1).to_bytes(4, "little")
        view[16:24] = (pos % _N).to_bytes(8, "little")
        view[24:24 + 8 * _N] = np.asarray(st["key"], np.uint64).tobytes()
        if self._next_normal is not None:
            view[5024:5032] = np.float64(self._next_normal).tobytes()
            view[5040:5044] = (1).to_bytes(4, "little")
        return _make(np.frombuffer(bytes(raw), dtype=np.uint8).copy(), None)

    @_locked
    def set_state(self, new_state):
        arr = np.asarray(new_state._data if hasattr(new_state, "_data") else new_state)
        if arr.dtype == np.uint8 and arr.size == _LEGACY_STATE_BYTES:
            return self._set_legacy_state(arr)
        if arr.dtype != np.uint8 or arr.size != _STATE_BYTES:
            raise RuntimeError(f"set_state: expected a uint8 tensor of {_STATE_BYTES} values (a "
                               f"CPU generator state), got dtype {arr.dtype} with {arr.size} "
                               f"values")
        raw = arr.tobytes()
        left = int.from_bytes(raw[8:12], "little")
        words = np.frombuffer(raw[24:24 + 8 * _N], np.uint64)
        if left < 1 or left > _N + 1 or np.any(words > _MASK32):
            raise RuntimeError("set_state: the state is corrupt (words left out of range or a "
                               "state word wider than 32 bits)")
        self._seed = int.from_bytes(raw[0:8], "little")
        pos = _N if left == 1 else _N + 1 - left
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": words.astype(np.uint32), "pos": pos}}
        valid = int.from_bytes(raw[5040:5044], "little")
        self._next_normal = float(np.frombuffer(raw[5024:5032], np.float64)[0]) if valid else None
        return self

    def _set_legacy_state(self, arr):
        """An 80-byte state from versions before the generator became PyTorch's (a PCG64
        stream): that stream cannot continue here, so the generator restarts from a seed taken
        from the state's bytes (different states, different streams) and says so."""
        import hashlib
        import warnings
        warnings.warn("set_state: this generator state was saved by an older version (80 bytes, "
                      "a PCG64 stream) and cannot be continued; the generator is reseeded from "
                      "it, so random draws after this point differ from the original run's",
                      RuntimeWarning, stacklevel=3)
        digest = hashlib.sha256(arr.tobytes()).digest()
        return self.manual_seed(int.from_bytes(digest[:8], "little"))

    # ------------------------------------------------------------------ raw words
    def _words32(self, n):
        """n MT19937 outputs (uint64 holding 32 bits each): PyTorch's `random()`."""
        return self._bits.random_raw(n)

    def _words64(self, n):
        """n 64-bit values, each two words high first: PyTorch's `random64()`."""
        raw = self._bits.random_raw(2 * n)
        return (raw[0::2] << np.uint64(32)) | raw[1::2]

    def _unit(self, n, dtype):
        """n uniforms on [0, 1) with the dtype's mantissa bits (float64: 53 bits of a 64-bit
        draw; float32: 24 bits of a word; float16: 11), exact in float64."""
        dtype = np.dtype(dtype)
        if dtype == np.float64:
            return (self._words64(n) & np.uint64(2 ** 53 - 1)).astype(np.float64) * 2.0 ** -53
        digits = 11 if dtype == np.float16 else 24
        return (self._words32(n) & np.uint64(2 ** digits - 1)).astype(np.float64) \
            * 2.0 ** -digits

    # ------------------------------------------------------------------ samplers
    @_locked
    def uniform(self, shape, low, high, dtype):
        """`uniform_(low, high)`: x * (high - low) + low, with low, high in the dtype and the
        product-sum rounded once (float64 is exact for the 24-bit products)."""
        dtype = np.dtype(dtype)
        x = self._unit(_numel(shape), dtype)
        if dtype == np.float64:
            out = x * (float(high) - float(low)) + float(low)
        else:
            lo, hi = dtype.type(low), dtype.type(high)
            out = x * np.float64(hi - lo) + np.float64(lo)
        return out.astype(dtype, copy=False).reshape(shape)

    @_locked
    def normal(self, shape, mean, std, dtype):
        """`normal_(mean, std)`: Box-Muller. 16 or more values fill uniforms and transform them
        16 at a time (the first 8 against the last 8; a ragged tail redoes the last 16 with
        fresh uniforms); fewer draw pairs of float64 uniforms one value at a time, keeping the
        second value of each pair for the next draw."""
        dtype = np.dtype(dtype)
        n = _numel(shape)
        if n >= 16:
            work = np.float64 if dtype == np.float64 else np.float32
            data = self._unit(n, work).astype(work)
            _box_muller_16(data[:n - n % 16].reshape(-1, 2, 8), mean, std, work)
            if n % 16:
                data[n - 16:] = self._unit(16, work)
                _box_muller_16(data[n - 16:].reshape(1, 2, 8), mean, std, work)
            return data.astype(dtype, copy=False).reshape(shape)
        return (self._serial_normal(n) * std + mean).astype(dtype).reshape(shape)

    def _serial_normal(self, n):
        """n standard normals one at a time (float64): pairs of float64 uniforms, the second
        value of each pair kept for the next draw (also across calls)."""
        out = np.empty(n, np.float64)
        for i in range(n):
            if self._next_normal is not None:
                value, self._next_normal = self._next_normal, None
            else:
                u1, u2 = self._unit(2, np.float64)
                radius = math.sqrt(-2.0 * math.log1p(-u2))
                theta = 2.0 * math.pi * u1
                self._next_normal = radius * math.sin(theta)
                value = radius * math.cos(theta)
            out[i] = value
        return out

    @_locked
    def log_normal(self, shape, mean, std):
        """`log_normal_(mean, std)`: exp of one-at-a-time normals (float64 values)."""
        return np.exp(self._serial_normal(_numel(shape)) * std + mean).reshape(shape)

    @_locked
    def cauchy(self, shape, median, sigma):
        """`cauchy_(median, sigma)`: median + sigma tan(pi (u - 1/2)), float64 uniforms."""
        u = self._unit(_numel(shape), np.float64)
        return (median + sigma * np.tan(math.pi * (u - 0.5))).reshape(shape)

    @_locked
    def geometric(self, shape, p):
        """`geometric_(p)`: ceil(log(u) / log(1 - p)), float64 uniforms."""
        u = self._unit(_numel(shape), np.float64)
        return np.ceil(np.log(u) / math.log1p(-p)).reshape(shape)

    @_locked
    def integers(self, shape, low, high):
        """`random_(low, high)`: (word % (high - low)) + low, with a 64-bit draw when the range
        is 2**28 or more (as PyTorch 2.13 draws). int64 values."""
        span = int(high) - int(low)
        n = _numel(shape)
        words = self._words32(n) if span < 2 ** 28 else self._words64(n)
        return ((words % np.uint64(span)).astype(np.int64) + int(low)).reshape(shape)

    @_locked
    def full_range(self, shape, dtype):
        """`random_()` without bounds: [0, 2**digits] for floats (mantissa digits), [0, max]
        for integers; int64 and float64 use 64-bit draws."""
        dtype = np.dtype(dtype)
        n = _numel(shape)
        wide = dtype in (np.dtype(np.int64), np.dtype(np.float64))
        words = self._words64(n) if wide else self._words32(n)
        if dtype.kind == "f":
            span = 2 ** (np.finfo(dtype).nmant + 1) + 1
        elif dtype.kind == "b":
            span = 2
        else:
            span = int(np.iinfo(dtype).max) + 1
        return (words % np.uint64(span)).astype(dtype).reshape(shape)

    @_locked
    def permutation(self, n):
        """`randperm(n)`: Fisher-Yates forward, swapping i with i + word % (n - i)."""
        n = int(n)
        if n <= 1:
            return np.arange(n, dtype=np.int64)
        wide = n >= (2 ** 32 - 1) // 20
        words = self._words64(n - 1) if wide else self._words32(n - 1)
        offsets = (words % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        perm = list(range(n))
        for i, z in enumerate(offsets):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)

    @_locked
    def bernoulli(self, shape, p):
        """`bernoulli_(p)` with a number p: a float64 uniform below p. Boolean mask."""
        return (self._unit(_numel(shape), np.float64) < p).reshape(shape)

    @_locked
    def bernoulli_tensor(self, probs):
        """`bernoulli(probs)`: a uniform of the probabilities' precision below each one."""
        probs = np.asarray(probs)
        unit = np.float64 if probs.dtype == np.float64 else np.float32
        return self._unit(probs.size, unit).reshape(probs.shape) < probs

    @_locked
    def exponential(self, shape, lambd):
        """`exponential_(lambd)`: -log(1 - u) / lambd from float64 uniforms (float64 values)."""
        u = self._unit(_numel(shape), np.float64)
        return (-np.log1p(-u) / lambd).reshape(shape)

    @_locked
    def multinomial(self, probs, num_samples, replacement):
        """`multinomial`: rows of non-negative weights (n_rows, k) -> (n_rows, num_samples).

        Without replacement, or for one sample, PyTorch's exponential race: the top
        `num_samples` of weight / Exp(1). With replacement, a float64 uniform per sample found
        in the row's normalised cumulative sum (first index whose sum reaches it)."""
        if not replacement or num_samples == 1:
            q = self.exponential(probs.shape, 1.0).astype(probs.dtype)
            keys = probs / q
            if num_samples == 1:
                return np.argmax(keys, axis=-1)[:, None]
            return np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
        out = np.empty((probs.shape[0], num_samples), np.int64)
        for i, row in enumerate(probs.astype(np.float64)):
            cdf = np.cumsum(row)
            cdf /= cdf[-1]
            cdf[-1] = 1.0
            out[i] = np.searchsorted(cdf, self._unit(num_samples, np.float64), side="left")
        return out


def _numel(shape):
    return int(np.prod(shape, dtype=np.int64))


def _box_muller_16(blocks, mean, std, work):
    """In place over (n_blocks, 2, 8) uniforms: the first 8 become r cos(theta), the last 8
    r sin(theta), with r from the first and theta from the second (PyTorch's `normal_fill`)."""
    u1 = work(1) - blocks[:, 0]
    theta = work(2.0 * math.pi) * blocks[:, 1]
    radius = np.sqrt(work(-2) * np.log(u1))
    blocks[:, 0] = radius * np.cos(theta) * work(std) + work(mean)
    blocks[:, 1] = radius * np.sin(theta) * work(std) + work(mean)


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


def _generator(generator=None):
    return generator or default_generator


def _rng(generator=None):
    return (generator or default_generator).rng
