"""Data sets: an IDX (MNIST-format) reader, `MNIST`, an optional verified download, and
scikit-learn's 8x8 digits.

Nothing here touches the network unless `download` is called (or `MNIST(download=True)`), and
no path is built in: every loader takes the directory to read.

Example:
    >>> test = MNIST("data/mnist", train=False)              # t10k-*-ubyte[.gz] in data/mnist
    >>> image, label = test[0]                                 # (1, 28, 28) float32 in [0, 1], 7
    >>> digits = load_digits_dataset(flatten=True)            # TensorDataset: (64,), label
"""
import errno
import gzip
import hashlib
import math
import os
import secrets
import shutil
import struct
import zlib

import numpy as np

from . import dtypes
from .data import Dataset, TensorDataset
from .tensor import _make

__all__ = ["load_idx", "MNIST", "download", "load_digits_dataset", "file_md5", "MNIST_URL",
           "MNIST_FILES", "MNIST_MD5"]

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

# IDX type codes (the third byte of the magic number); data is big-endian
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CHUNK = 1 << 20


# ---------------------------------------------------------------------------------- IDX
def _not_found(path, what="file"):
    directory = os.path.dirname(os.path.abspath(path))
    return FileNotFoundError(errno.ENOENT, f"{what} {os.path.basename(path)!r} not found "
                                           f"(searched {directory})", path)


def _read_exactly(fh, n):
    """Up to `n` bytes (fewer only at end of file), without trusting `n` for allocation."""
    buf = bytearray()
    while len(buf) < n:
        chunk = fh.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def load_idx(path, dtype=None, ndim=None):
    """Read an IDX file (MNIST's format), plain or gzip-compressed, into a NumPy array.

    The magic number (two zero bytes, a type code, the number of dimensions) and the declared
    dimensions are checked against the file before the data is read. `dtype` and `ndim`, when
    given, are what the caller expects (MNIST images are uint8 with 3 dimensions, labels uint8
    with 1); anything else raises.

    Returns:
        A writable array in native byte order, shape as declared in the file.

    Raises:
        FileNotFoundError: no such file (the message names it and the directory searched).
        ValueError: a bad magic number, an unexpected type or rank, a truncated, overlong or
            corrupt (gzip) file; the message names the file and the expected and actual sizes.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise _not_found(path, "IDX file")
    compressed = path.endswith(".gz")
    try:
        with (gzip.open(path, "rb") if compressed else open(path, "rb")) as fh:
            return _read_idx(fh, path, compressed, dtype, ndim)
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path}: corrupt or truncated {'gzip ' if compressed else ''}file "
                         f"({type(exc).__name__}: {exc})") from exc


def _read_idx(fh, path, compressed, want_dtype, want_ndim):
    where = "decompressed data" if compressed else "file"
    magic = fh.read(4)
    if len(magic) < 4:
        raise ValueError(f"{path}: truncated: the {where} has {len(magic)} bytes, fewer than the "
                         f"4-byte IDX magic number")
    code, ndim = magic[2], magic[3]
    if magic[:2] != b"\0\0" or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(f"{path}: not an IDX file: magic number 0x{magic.hex()} (expected "
                         f"0x0000TTNN with type code TT in "
                         f"{sorted(hex(c) for c in _IDX_DTYPES)} and NN >= 1 dimensions)")
    dtype = _IDX_DTYPES[code]
    if want_dtype is not None and dtype.name != np.dtype(want_dtype).name:
        raise ValueError(f"{path}: holds {dtype.name} data (type code 0x{code:02x}), expected "
                         f"{np.dtype(want_dtype).name}")
    if want_ndim is not None and ndim != want_ndim:
        raise ValueError(f"{path}: has {ndim} dimension(s) (magic 0x{magic.hex()}), expected "
                         f"{want_ndim}")
    raw = fh.read(4 * ndim)
    if len(raw) < 4 * ndim:
        raise ValueError(f"{path}: truncated: the header declares {ndim} dimensions "
                         f"({4 + 4 * ndim} header bytes) but the {where} has "
                         f"{4 + len(raw)} bytes")
    shape = struct.unpack(f">{ndim}I", raw)
    header = 4 + 4 * ndim
    expected = math.prod(shape) * dtype.itemsize
    if not compressed:
        actual = os.fstat(fh.fileno()).st_size - header
        if actual == expected:
            data = np.fromfile(fh, dtype=dtype, count=math.prod(shape))
            actual = data.nbytes
    else:
        buf = _read_exactly(fh, expected + 1)
        actual = len(buf)
        if actual == expected:
            data = np.frombuffer(buf, dtype=dtype)
    if actual < expected:
        raise ValueError(f"{path}: truncated: the header declares shape {shape} of {dtype.name} "
                         f"= {expected} bytes of data ({header + expected} bytes in all), but "
                         f"the {where} has {header + actual} bytes")
    if actual > expected:
        extra = "at least 1" if compressed else str(actual - expected)
        raise ValueError(f"{path}: {extra} byte(s) past the end of the data declared by the "
                         f"header (shape {shape} of {dtype.name}: {header + expected} bytes "
                         f"in all)")
    data = data.reshape(shape)
    if not dtype.isnative:
        data = data.astype(dtype.newbyteorder("="))
    return data


# ---------------------------------------------------------------------------------- download
def file_md5(path):
    """The MD5 hex digest of a file, read in chunks."""
    md5 = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            md5.update(chunk)
    return md5.hexdigest()


def _temp_path(directory, name):
    return os.path.join(directory, f".{name}.{secrets.token_hex(6)}.part")


def _fetch(url, dest, expected_md5):
    """Stream `url` to `dest` through a temporary file, checking the MD5 before the rename."""
    import urllib.request  # only when downloading: keeps `import autograd` light

    tmp = _temp_path(os.path.dirname(dest), os.path.basename(dest))
    md5 = hashlib.md5()
    try:
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(tmp, "wb") as out:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    md5.update(chunk)
                    out.write(chunk)
        except OSError as exc:
            raise OSError(f"download: could not fetch {url}: {exc}") from exc
        if expected_md5 is not None and md5.hexdigest() != expected_md5.lower():
            raise ValueError(f"download: {os.path.basename(dest)} from {url} has MD5 "
                             f"{md5.hexdigest()}, expected {expected_md5.lower()}; the file "
                             f"was discarded")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _verified(path, expected_md5):
    return os.path.isfile(path) and (expected_md5 is None
                                     or file_md5(path) == expected_md5.lower())


def download(root, base_url=MNIST_URL, files=MNIST_FILES, md5s=None, cache_dir=None):
    """Fetch `files` from `base_url` into `root`, verifying MD5s, reusing a cache directory.

    A file already in `root` with the right checksum is kept; otherwise it is copied from
    `cache_dir` when a verified copy is there, else downloaded (into the cache when one is
    given, then copied). `base_url` may be any URL urllib opens, `file://` included. Files
    arrive through temporary files and a rename, so an interrupted download leaves nothing
    half-written under the final name.

    Args:
        root: directory to put the files in (created if missing).
        base_url: the URL the file names are appended to.
        files: file names to fetch.
        md5s: file name -> MD5 hex digest (default: MNIST's); a file without an entry is not
            verified.
        cache_dir: optional directory of verified downloads shared between roots.

    Returns:
        The list of paths in `root`, in the order of `files`.

    Raises:
        ValueError: a checksum mismatch (naming the file, the expected and actual MD5).
        OSError: the URL could not be fetched (naming it).
    """
    md5s = MNIST_MD5 if md5s is None else md5s
    root = os.fspath(root)
    os.makedirs(root, exist_ok=True)
    if cache_dir is not None:
        cache_dir = os.fspath(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    paths = []
    for name in files:
        if os.path.basename(name) != name or name in ("", ".", ".."):
            raise ValueError(f"download: {name!r} is not a plain file name")
        expected = md5s.get(name)
        dest = os.path.join(root, name)
        paths.append(dest)
        if _verified(dest, expected):
            continue
        url = base_url if base_url.endswith("/") else base_url + "/"
        url += name
        if cache_dir is None:
            _fetch(url, dest, expected)
            continue
        cached = os.path.join(cache_dir, name)
        if not _verified(cached, expected):
            _fetch(url, cached, expected)
        tmp = _temp_path(root, name)
        try:
            shutil.copyfile(cached, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return paths


_download = download  # MNIST's `download` argument shadows the function inside __init__


# ---------------------------------------------------------------------------------- MNIST
class MNIST(Dataset):
    """MNIST (or any data set in its IDX layout, such as Fashion-MNIST) from a directory.

    Reads `train-images-idx3-ubyte`, `train-labels-idx1-ubyte` (train=True) or the `t10k-`
    pair (train=False), each plain or `.gz`, from `root` or torchvision's `root/MNIST/raw`.
    Only the split asked for needs to be present. Items are `(image, label)`: the image a float
    tensor (the default float dtype) scaled to [0, 1], shape (1, 28, 28) or (784,) with
    `flatten=True`, the label an int. `data` (uint8, (N, 28, 28)) and `targets` (int64, (N,))
    hold the whole split as tensors, as in torchvision.

    With `download=True`, the split's `.gz` files are fetched from `url` with `download`
    (checked against `md5`, default `MNIST_MD5`, cached in `cache_dir`) when missing.

    Shapes: item: image (1, H, W) or (H*W,), label: int

    Example:
        >>> train = MNIST("data", train=True, download=True, cache_dir="~/.cache/mnist")
        >>> loader = DataLoader(train, batch_size=64, shuffle=True)   # fast batched path
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, download=False, transform=None, target_transform=None,
                 flatten=False, url=MNIST_URL, md5=None, cache_dir=None):
        self.root = os.fspath(root)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        self.flatten = flatten
        split = "train" if self.train else "t10k"
        names = (f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte")
        if download:
            missing = [n + ".gz" for n in names if self._find(n) is None]
            if missing:
                _download(self.root, url, missing, md5, cache_dir)
        paths = []
        for name in names:
            path = self._find(name)
            if path is None:
                raise self._missing(name)
            paths.append(path)
        images = load_idx(paths[0], np.uint8, 3)
        labels = load_idx(paths[1], np.uint8, 1)
        if len(images) != len(labels):
            raise ValueError(f"MNIST: {paths[0]} holds {len(images)} images but {paths[1]} "
                             f"holds {len(labels)} labels")
        if labels.size and labels.max() > 9:
            raise ValueError(f"MNIST: {paths[1]} holds label {int(labels.max())}; MNIST labels "
                             f"are 0 to 9")
        self.data = _make(images, None)
        self.targets = _make(labels.astype(np.int64), None)
        self._files = paths

    def _dirs(self):
        return [self.root, os.path.join(self.root, "MNIST", "raw")]

    def _find(self, name):
        for d in self._dirs():
            for candidate in (name, name + ".gz"):
                path = os.path.join(d, candidate)
                if os.path.isfile(path):
                    return path
        return None

    def _missing(self, name):
        present = sorted(f for d in self._dirs() if os.path.isdir(d) for f in os.listdir(d)
                         if "idx" in f)
        split = "train=True" if self.train else "train=False"
        hint = (f" Found only: {', '.join(present)}." if present else " No IDX files there.")
        return FileNotFoundError(
            errno.ENOENT, f"MNIST({split}): {name}[.gz] not found in {self.root} (also looked "
                          f"in {self._dirs()[1]}).{hint} Pass download=True to fetch the "
                          f"files, or point root at the directory holding them.",
            os.path.join(self.root, name))

    def _scale(self, images):
        dt = dtypes.get_default_dtype()
        return images.astype(dt) / dt.type(255)

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        image = self._scale(self.data._data[index])
        image = image.reshape(-1) if self.flatten else image[None]
        image = _make(image, None)
        label = int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def _fast_batch(self, indices):
        if (type(self).__getitem__ is not MNIST.__getitem__ or self.transform is not None
                or self.target_transform is not None):
            return None
        images = self._scale(self.data._data[indices])
        images = images.reshape(len(images), -1) if self.flatten else images[:, None]
        return [_make(images, None), _make(self.targets._data[indices], None)]

    def __repr__(self):
        return (f"Dataset MNIST\n    Number of datapoints: {len(self)}\n    Root location: "
                f"{self.root}\n    Split: {'Train' if self.train else 'Test'}")


# ---------------------------------------------------------------------------------- digits
def load_digits_dataset(flatten=False):
    """scikit-learn's handwritten digits (1,797 8x8 images) as a `TensorDataset`.

    Available offline once the `examples` extra is installed. Pixels (0 to 16 in the original)
    are scaled to [0, 1] in the default float dtype; labels are int64.

    Shapes: images (1797, 1, 8, 8), or (1797, 64) with `flatten=True`;  labels (1797,)

    Raises:
        ImportError: scikit-learn is missing (the message says how to install it).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError("load_digits_dataset needs scikit-learn, which the examples extra "
                          "installs: pip install -e .[examples]  (or: pip install "
                          "scikit-learn)") from exc
    digits = load_digits()
    dt = dtypes.get_default_dtype()
    images = digits.images.astype(dt) / dt.type(16)
    images = images.reshape(len(images), -1) if flatten else images[:, None]
    return TensorDataset(_make(np.ascontiguousarray(images), None),
                         _make(digits.target.astype(np.int64), None))
