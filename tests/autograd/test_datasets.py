"""IDX reader, MNIST, download and digits (autograd/datasets.py), on files crafted in tmp_path
and on the real MNIST test set when it is present (TAPEGRAD_MNIST_DIR, default
../shared/data/mnist next to the repository)."""
import gzip
import hashlib
import os
import shutil
import struct
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd.data import DataLoader, TensorDataset, default_collate
from autograd.datasets import (MNIST, MNIST_MD5, download, file_md5, load_digits_dataset,
                               load_idx)
from autograd.tensor import Tensor

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST_DIR = os.environ.get("TAPEGRAD_MNIST_DIR",
                           os.path.join(REPO, "..", "shared", "data", "mnist"))
needs_mnist = pytest.mark.skipif(
    not os.path.isfile(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz")),
    reason=f"MNIST test set not found in {MNIST_DIR} (set TAPEGRAD_MNIST_DIR)")

_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
          np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}


def idx_bytes(arr):
    """IDX encoding written from the format description: 0, 0, type code, ndim, big-endian
    uint32 dimensions, big-endian data."""
    arr = np.asarray(arr)
    head = bytes([0, 0, _CODES[arr.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path, data, gz=None):
    gz = str(path).endswith(".gz") if gz is None else gz
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def mnist_dir(tmp_path, n=5, split="t10k", gz=True, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    ext = ".gz" if gz else ""
    write(tmp_path / f"{split}-images-idx3-ubyte{ext}", idx_bytes(images))
    write(tmp_path / f"{split}-labels-idx1-ubyte{ext}", idx_bytes(labels))
    return images, labels


# ---------------------------------------------------------------------------------- load_idx
@given(dtype=st.sampled_from(sorted(_CODES, key=str)),
       shape=st.lists(st.integers(0, 4), min_size=1, max_size=3), gz=st.booleans(),
       seed=st.integers(0, 1000))
def test_load_idx_round_trips_every_type(tmp_path_factory, dtype, shape, gz, seed):
    arr = (np.random.default_rng(seed).standard_normal(shape) * 100).astype(dtype)
    path = write(tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx"), idx_bytes(arr))
    out = load_idx(path)
    assert out.dtype == dtype and out.dtype.isnative and out.shape == tuple(shape)
    np.testing.assert_array_equal(out, arr)
    out[...] = 0  # writable, owned by the caller


def test_load_idx_reads_big_endian_multi_byte_values(tmp_path):
    path = write(tmp_path / "x-ubyte", bytes([0, 0, 0x0B, 1]) + struct.pack(">I", 2)
                 + struct.pack(">hh", -2, 515))
    assert load_idx(path).tolist() == [-2, 515]


def test_load_idx_names_a_missing_file_and_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'nope-ubyte' not found .searched "
                                                + str(tmp_path)):
        load_idx(tmp_path / "nope-ubyte")


_MANGLED = {
    "short-magic": (lambda d: d[:2], "fewer than the 4-byte IDX magic"),
    "nonzero-magic": (lambda d: b"\x01" + d[1:], "not an IDX file: magic number 0x01000803"),
    "unknown-type": (lambda d: d[:2] + b"\x07" + d[3:], "not an IDX file: magic number 0x00000703"),
    "zero-dims": (lambda d: d[:3] + b"\x00" + d[4:], "magic number 0x00000800"),
    "short-header": (lambda d: d[:10], r"header declares 3 dimensions \(16 header bytes\) but "
                                       r"the .* has 10 bytes"),
    "short-data": (lambda d: d[:-5], r"declares shape \(2, 3, 4\) of uint8 = 24 bytes of data "
                                     r"\(40 bytes in all\), but the .* has 35 bytes"),
    "trailing": (lambda d: d + b"\0\0\0", r"byte\(s\) past the end of the data declared"),
}


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("case", list(_MANGLED))
def test_load_idx_rejects_corrupt_and_truncated_files(tmp_path, gz, case):
    mangle, message = _MANGLED[case]
    data = mangle(idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4)))
    path = write(tmp_path / ("bad-ubyte.gz" if gz else "bad-ubyte"), data)
    with pytest.raises(ValueError, match=message) as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_load_idx_names_exact_trailing_bytes_in_plain_files(tmp_path):
    path = write(tmp_path / "t-ubyte", idx_bytes(np.zeros(3, np.uint8)) + b"abc")
    with pytest.raises(ValueError, match="3 byte"):
        load_idx(path)


def test_load_idx_rejects_broken_gzip_streams(tmp_path):
    good = gzip.compress(idx_bytes(np.arange(600, dtype=np.uint8).reshape(2, 300)))
    for name, data in [("cut.gz", good[:len(good) // 2]), ("garbage.gz", b"\x1f\x8b" + b"\xff" * 40),
                       ("flipped.gz", good[:20] + bytes([good[20] ^ 0xFF]) + good[21:]),
                       ("plain.gz", idx_bytes(np.zeros(3, np.uint8)))]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match=name):
            load_idx(path)


def test_load_idx_with_a_huge_declared_shape_fails_without_allocating_it(tmp_path):
    data = bytes([0, 0, 0x0E, 3]) + struct.pack(">3I", 2 ** 31, 2 ** 31, 2 ** 31) + b"\0" * 64
    for name in ("huge-ubyte", "huge-ubyte.gz"):
        with pytest.raises(ValueError, match=r"truncated: .* = 79228162514264337593543950336 "
                                             r"bytes of data"):
            load_idx(write(tmp_path / name, data))


def test_load_idx_checks_the_expected_type_and_rank(tmp_path):
    labels = write(tmp_path / "labels-ubyte", idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(ValueError, match=r"has 1 dimension\(s\) .magic 0x00000801., expected 3"):
        load_idx(labels, np.uint8, 3)
    floats = write(tmp_path / "f-ubyte", idx_bytes(np.zeros(3, np.float32)))
    with pytest.raises(ValueError, match="holds float32 data .type code 0x0d., expected uint8"):
        load_idx(floats, np.uint8, 1)


# ---------------------------------------------------------------------------------- MNIST
@pytest.mark.parametrize("gz", [True, False])
def test_mnist_items_are_scaled_images_and_int_labels(tmp_path, gz):
    images, labels = mnist_dir(tmp_path, gz=gz)
    ds = MNIST(tmp_path, train=False)
    assert len(ds) == 5 and "Split: Test" in repr(ds)
    image, label = ds[3]
    assert isinstance(image, Tensor) and image.shape == (1, 28, 28) and image.dtype == np.float32
    np.testing.assert_allclose(image._data[0], images[3] / 255.0, rtol=1e-6)
    assert type(label) is int and label == labels[3]
    assert ds.data.dtype == np.uint8 and ds.data.shape == (5, 28, 28)
    assert ds.targets.dtype == np.int64 and ds.targets._data.tolist() == labels.tolist()
    flat, _ = MNIST(tmp_path, train=False, flatten=True)[-1]
    np.testing.assert_allclose(flat._data, images[4].reshape(-1) / 255.0, rtol=1e-6)


def test_mnist_applies_transforms(tmp_path):
    _, labels = mnist_dir(tmp_path)
    ds = MNIST(tmp_path, train=False, transform=lambda x: x.shape, target_transform=lambda y: -y)
    assert ds[1] == ((1, 28, 28), -int(labels[1]))


def test_mnist_reads_torchvision_layout(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _, labels = mnist_dir(raw, split="train", gz=False)
    assert MNIST(tmp_path, train=True)[0][1] == labels[0]


def test_mnist_names_the_missing_split_file_and_what_is_there(tmp_path):
    mnist_dir(tmp_path)  # only the test split
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path, train=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte[.gz] not found in " + str(tmp_path) in message
    assert "t10k-images-idx3-ubyte.gz" in message and "download=True" in message
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        MNIST(tmp_path, train=False)


def test_mnist_rejects_mismatched_and_swapped_files(tmp_path):
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(np.zeros((3, 28, 28), np.uint8)))
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match="holds 3 images but .* holds 4 labels"):
        MNIST(tmp_path, train=False)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.full(3, 12, np.uint8)))
    with pytest.raises(ValueError, match="label 12"):
        MNIST(tmp_path, train=False)
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte: has 1 dimension"):
        MNIST(tmp_path, train=False)


def test_mnist_loader_fast_path_matches_stacking_samples(tmp_path):
    mnist_dir(tmp_path, n=13)
    for flatten in (False, True):
        ds = MNIST(tmp_path, train=False, flatten=flatten)
        batches = []
        for collate in (None, lambda b: default_collate(b)):
            loader = DataLoader(ds, batch_size=4, shuffle=True, collate_fn=collate,
                                generator=autograd.Generator().manual_seed(1))
            batches.append(list(loader))
        for fast, slow in zip(*batches):
            for f, s in zip(fast, slow):
                assert f.dtype == s.dtype and f.shape == s.shape
                np.testing.assert_array_equal(f._data, s._data)
    assert batches[0][0][0].shape == (4, 784) and batches[0][0][1].dtype == np.int64


# ---------------------------------------------------------------------------------- download
def remote(tmp_path, n=4):
    src = tmp_path / "remote"
    src.mkdir()
    images, labels = mnist_dir(src, n=n)
    names = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    md5s = {f: hashlib.md5((src / f).read_bytes()).hexdigest() for f in names}
    return src, names, md5s, labels


def test_download_fetches_verifies_and_caches(tmp_path):
    src, names, md5s, labels = remote(tmp_path)
    root, cache = tmp_path / "root", tmp_path / "cache"
    paths = download(root, src.as_uri(), names, md5s, cache_dir=cache)
    assert paths == [str(root / f) for f in names]
    for f in names:
        assert (root / f).read_bytes() == (src / f).read_bytes() == (cache / f).read_bytes()
    shutil.rmtree(src)       # the remote is gone: the cache serves a new root
    download(tmp_path / "root2", src.as_uri(), names, md5s, cache_dir=cache)
    assert file_md5(tmp_path / "root2" / names[1]) == md5s[names[1]]
    assert MNIST(tmp_path / "root2", train=False).targets._data.tolist() == labels.tolist()
    assert sorted(os.listdir(cache)) == sorted(names)  # no temporary files left


def test_download_keeps_verified_files_and_replaces_bad_ones(tmp_path):
    src, names, md5s, _ = remote(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    (root / names[0]).write_bytes(b"stale")
    download(root, src.as_uri() + "/", names, md5s)
    assert file_md5(root / names[0]) == md5s[names[0]]
    shutil.rmtree(src)
    download(root, src.as_uri(), names, md5s)  # nothing to fetch: both verified in place


def test_download_rejects_a_checksum_mismatch_and_keeps_nothing(tmp_path):
    src, names, md5s, _ = remote(tmp_path)
    actual = md5s[names[0]]
    md5s[names[0]] = "0" * 32
    root, cache = tmp_path / "root", tmp_path / "cache"
    with pytest.raises(ValueError, match=f"{names[0]} from .* has MD5 {actual}, expected 0{{32}}"):
        download(root, src.as_uri(), names, md5s, cache_dir=cache)
    assert os.listdir(root) == [] and os.listdir(cache) == []


def test_download_names_the_url_it_could_not_fetch(tmp_path):
    src, names, md5s, _ = remote(tmp_path)
    with pytest.raises(OSError, match="could not fetch .*remote/missing.gz"):
        download(tmp_path / "root", src.as_uri(), ["missing.gz"], {})
    with pytest.raises(ValueError, match="not a plain file name"):
        download(tmp_path / "root", src.as_uri(), ["../escape.gz"], {})


def test_mnist_download_true_fetches_only_the_missing_split(tmp_path):
    src, names, md5s, labels = remote(tmp_path)
    ds = MNIST(tmp_path / "root", train=False, download=True, url=src.as_uri(), md5=md5s,
               cache_dir=tmp_path / "cache")
    assert ds.targets._data.tolist() == labels.tolist()
    assert sorted(os.listdir(tmp_path / "root")) == sorted(names)


# ---------------------------------------------------------------------------------- real MNIST
@needs_mnist
def test_real_mnist_files_match_their_md5sums():
    with open(os.path.join(MNIST_DIR, "MD5SUMS")) as fh:
        sums = dict(reversed(line.split()) for line in fh if line.strip())
    assert set(sums) == {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}
    for name, md5 in sums.items():
        with open(os.path.join(MNIST_DIR, name), "rb") as fh:
            assert hashlib.md5(fh.read()).hexdigest() == md5 == MNIST_MD5[name]


@needs_mnist
def test_real_mnist_test_set_has_the_published_shape_and_statistics():
    images = load_idx(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"), np.uint8, 3)
    labels = load_idx(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), np.uint8, 1)
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert labels.min() == 0 and labels.max() == 9
    # class counts and mean intensity of the t10k set, as published and widely quoted
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(images.mean() / 255 - 0.1325) < 5e-4
    ds = MNIST(MNIST_DIR, train=False)
    image, label = ds[0]
    assert label == 7 and image.shape == (1, 28, 28)
    assert float(image._data.min()) == 0.0 and float(image._data.max()) <= 1.0


@needs_mnist
def test_download_from_a_file_url_verifies_the_real_checksums(tmp_path):
    names = ["t10k-labels-idx1-ubyte.gz"]
    download(tmp_path, "file://" + os.path.abspath(MNIST_DIR), names)  # default MNIST_MD5
    assert load_idx(tmp_path / names[0]).shape == (10000,)


# ---------------------------------------------------------------------------------- digits
def test_digits_dataset_wraps_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ds = load_digits_dataset()
    raw = sklearn_datasets.load_digits()
    assert isinstance(ds, TensorDataset) and len(ds) == 1797
    x, y = ds.tensors
    assert x.shape == (1797, 1, 8, 8) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(x._data[:, 0], raw.images / 16.0, rtol=1e-6)
    assert float(x._data.max()) == 1.0 and y._data.tolist() == raw.target.tolist()
    assert load_digits_dataset(flatten=True).tensors[0].shape == (1797, 64)


def test_digits_dataset_says_how_to_install_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install -e \.\[examples\]"):
        load_digits_dataset()
