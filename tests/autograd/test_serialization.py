"""save/load (autograd/serialization.py): round trips, the documented format, atomic writes and
truncated, corrupt and hostile files."""
import collections
import io
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd.serialization import CheckpointError, load, save
from autograd.tensor import Tensor, _make

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def assert_same(a, b, where="obj"):
    """Deep equality that also checks exact types, dtypes, key types and -0.0 vs 0.0, and that
    loaded arrays share no memory with the originals."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.requires_grad == b.requires_grad and b.grad_fn is None, where
        assert not np.shares_memory(a._data, b._data), where
        np.testing.assert_array_equal(a._data, b._data, err_msg=where)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert not np.shares_memory(a, b) and b.flags.writeable, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype, where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), where
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b, where


def roundtrip(obj, tmp_path, name="ckpt.pt"):
    path = tmp_path / name
    save(obj, path)
    return load(path)


def checkpoint():
    w = autograd.randn(3, 2, requires_grad=True)
    return {
        "model": collections.OrderedDict([("0.weight", w), ("0.bias", autograd.zeros(2)),
                                          ("1.num_batches_tracked", autograd.tensor(7))]),
        "optimizer": {"state": {0: {"step": 3, "exp_avg": autograd.ones(3, 2)}, 1: {}},
                      "param_groups": [{"params": [0, 1], "lr": 1e-3, "betas": (0.9, 0.999),
                                        "amsgrad": False, "foreach": None, "name": "main"}]},
        "epoch": 12,
        "rng_state": autograd.get_rng_state(),
        "numpy_rng": np.random.default_rng(0).bit_generator.state,  # dict with 128-bit ints
        "best": float("inf"),
    }


# ---------------------------------------------------------------------------------- round trips
def test_checkpoint_round_trip_keeps_values_types_and_key_types(tmp_path):
    obj = checkpoint()
    out = roundtrip(obj, tmp_path)
    assert_same(obj, out)
    assert list(out["optimizer"]["state"]) == [0, 1]
    assert isinstance(out["optimizer"]["param_groups"][0]["betas"], tuple)
    assert out["numpy_rng"] == obj["numpy_rng"] and out["numpy_rng"]["state"]["inc"] > 2 ** 64


def test_loaded_generator_state_reproduces_the_stream(tmp_path):
    autograd.manual_seed(3)
    out = roundtrip({"rng": autograd.get_rng_state()}, tmp_path)
    expected = autograd.randn(4)._data.copy()
    autograd.manual_seed(99)
    autograd.set_rng_state(out["rng"])
    np.testing.assert_array_equal(autograd.randn(4)._data, expected)


def test_loaded_tensors_are_independent_copies(tmp_path):
    t = autograd.ones(3)
    out = roundtrip({"t": t}, tmp_path)["t"]
    out._data[0] = 5.0
    t._data[1] = 7.0
    np.testing.assert_array_equal(out._data, [5.0, 1.0, 1.0])
    assert out._data.flags.writeable and not np.shares_memory(out._data, t._data)
    assert load(tmp_path / "ckpt.pt")["t"]._data.tolist() == [1.0, 1.0, 1.0]


def test_a_tensor_saved_twice_loads_as_one_object(tmp_path):
    t = autograd.ones(2)
    out = roundtrip({"a": t, "b": [t], "c": t.detach()}, tmp_path)
    assert out["a"] is out["b"][0]
    assert out["c"] is not out["a"] and not np.shares_memory(out["a"]._data, out["c"]._data)
    with zipfile.ZipFile(tmp_path / "ckpt.pt") as zf:
        assert sorted(zf.namelist()) == ["arr_0.npy", "arr_1.npy", "manifest.json"]


def test_file_objects_and_torch_keywords_are_accepted(tmp_path):
    buf = io.BytesIO()
    save({"x": autograd.arange(3)}, buf, pickle_protocol=2)
    buf.seek(0)
    out = load(buf, map_location="cpu", weights_only=True, mmap=False, pickle_module=pickle,
               encoding="latin1")
    assert out["x"]._data.tolist() == [0, 1, 2] and out["x"].dtype == np.int64


def test_the_same_object_gives_the_same_bytes(tmp_path):
    obj = checkpoint()
    save(obj, tmp_path / "a")
    save(obj, tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


_DTYPES = st.sampled_from([np.bool_, np.int8, np.uint16, np.int32, np.int64, np.float16,
                           np.float32, np.float64, np.complex128, ">f8", "<i2"])
_ARRAYS = _DTYPES.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3,
                                                                      min_side=0, max_side=3)))
_TENSORS = st.tuples(st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.uint8]),
                     hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), st.booleans()).flatmap(
    lambda a: hnp.arrays(a[0], a[1]).map(
        lambda arr, rg=a[2]: _make(arr, None).requires_grad_(rg and arr.dtype.kind == "f")))
_SCALARS = _DTYPES.flatmap(lambda dt: hnp.arrays(dt, ())).map(lambda a: a[()])
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                    _ARRAYS, _TENSORS, _SCALARS)
_KEYS = st.one_of(st.text(max_size=5), st.integers(-3, 10 ** 20), st.booleans(), st.none(),
                  st.tuples(st.integers(0, 3), st.text(max_size=2)))
_TREES = st.recursive(_LEAVES, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.lists(kids, max_size=4).map(tuple),
    st.dictionaries(_KEYS, kids, max_size=4),
    st.dictionaries(_KEYS, kids, max_size=3).map(lambda d: collections.OrderedDict(d))),
    max_leaves=12)


@given(obj=_TREES)
def test_random_nested_structures_round_trip(obj):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    assert_same(obj, load(buf))


# ---------------------------------------------------------------------------------- the format
def test_file_is_an_npz_with_a_versioned_manifest(tmp_path):
    path = tmp_path / "ckpt.pt"
    save({"w": autograd.ones(2, 3), 1: (None, 2.5)}, path)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["arr_0", "manifest.json"]
        np.testing.assert_array_equal(npz["arr_0"], np.ones((2, 3), np.float32))
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    assert manifest == {"format": "tapegrad", "version": 1, "root": {"type": "dict", "items": [
        [{"type": "str", "value": "w"},
         {"type": "tensor", "entry": "arr_0.npy", "dtype": "<f4", "shape": [2, 3],
          "requires_grad": False}],
        [{"type": "int", "value": 1},
         {"type": "tuple", "items": [{"type": "none"}, {"type": "float", "value": "2.5"}]}]]}}


def write_archive(path, manifest, arrays=(), raw_entries=(), compression=zipfile.ZIP_STORED):
    """A hand-built archive: `manifest` (dict or raw str), arrays written with NumPy's .npy
    writer, and raw (name, bytes) entries."""
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, arr in arrays:
            with zf.open(name, "w") as out:
                np.lib.format.write_array(out, np.asarray(arr), allow_pickle=False)
        for name, data in raw_entries:
            zf.writestr(name, data)
        if manifest is not None:
            zf.writestr("manifest.json", manifest if isinstance(manifest, str) else json.dumps(manifest))
    return path


def test_a_hand_written_version_1_file_loads(tmp_path):
    # The layout documented in autograd/serialization.py, written without autograd.save,
    # deflated (autograd.save stores), with .npy 2.0 for one entry.
    path = tmp_path / "v1.ckpt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("arr_0.npy", "w") as out:
            np.lib.format.write_array(out, np.array([[1.5, -2.0]], np.float32))
        with zf.open("arr_1.npy", "w") as out:
            np.lib.format.write_array(out, np.array([3, 4], ">i8"), version=(2, 0))
        zf.writestr("manifest.json", """
        {"format": "tapegrad", "version": 1, "root": {"type": "dict", "items": [
          [{"type": "str", "value": "weight"}, {"type": "tensor", "entry": "arr_0.npy",
            "dtype": "<f4", "shape": [1, 2], "requires_grad": true}],
          [{"type": "int", "value": 0}, {"type": "ndarray", "entry": "arr_1.npy",
            "dtype": ">i8", "shape": [2]}],
          [{"type": "tuple", "items": [{"type": "int", "value": 1}, {"type": "str", "value": "a"}]},
           {"type": "list", "items": [{"type": "bool", "value": false},
                                       {"type": "float", "value": "-inf"},
                                       {"type": "none"}]}]]}}""")
    out = load(path)
    assert list(out) == ["weight", 0, (1, "a")]
    assert out["weight"].requires_grad and out["weight"].dtype == np.float32
    assert out["weight"]._data.tolist() == [[1.5, -2.0]]
    assert out[0].dtype == np.dtype(">i8") and out[0].tolist() == [3, 4]
    assert out[(1, "a")] == [False, float("-inf"), None]


# ---------------------------------------------------------------------------------- save errors
def test_save_names_the_place_of_an_unsupported_value(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['a'\]\[1\] of type object"):
        save({"a": [1, object()]}, tmp_path / "x")
    with pytest.raises(TypeError, match=r"obj\[0\].*dtype object.*pickle"):
        save([np.array([None])], tmp_path / "x")
    with pytest.raises(TypeError, match="key of type frozenset"):
        save({frozenset(): 1}, tmp_path / "x")
    with pytest.raises(TypeError, match="key of type float64"):  # np.float64 is a float subclass
        save({np.float64(1.0): 1}, tmp_path / "x")
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match=r"obj\[0\] contains itself"):
        save(cyclic, tmp_path / "x")
    assert os.listdir(tmp_path) == []  # nothing written, not even a temporary file
    with pytest.raises(FileNotFoundError, match="directory does not exist.*" + str(tmp_path / "no")):
        save({}, tmp_path / "no" / "x.pt")


# ---------------------------------------------------------------------------------- atomicity
def test_an_error_mid_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save({"version": "old"}, path)
    old_bytes = path.read_bytes()
    calls = []

    def failing_write_array(fp, array, **kwargs):
        fp.write(b"\x93NUMPY partial")
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        save({"version": "new", "w": autograd.ones(10)}, path)
    assert calls and path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    assert load(path) == {"version": "old"}


_WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np
    sys.path.insert(0, {repo!r})
    import autograd
    from autograd.serialization import save
    real = np.lib.format.write_array
    def slow_write_array(fp, array, **kwargs):
        half = array.reshape(-1)[: array.size // 2]
        fp.write(b"\\x93NUMPY")
        fp.write(half.tobytes())
        print("writing", flush=True)
        time.sleep(60)
    if sys.argv[2] == "stall":
        np.lib.format.write_array = slow_write_array
    else:
        print("writing", flush=True)
    save({{"version": "new", "w": autograd.zeros(int(sys.argv[3]))}}, sys.argv[1])
""")


@pytest.mark.parametrize("mode, size", [("stall", 1 << 20), ("race", 1 << 24)])
def test_killing_a_writer_mid_write_leaves_the_previous_file(tmp_path, mode, size):
    # "stall": the writer is killed for certain while its temporary file is half written.
    # "race": a 64 MB save killed at whatever point it reached; either file is fine, a
    # corrupt one is not.
    path = tmp_path / "ckpt.pt"
    save({"version": "old"}, path)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER.format(repo=REPO), str(path), mode,
                             str(size)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        if mode == "stall":
            temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            assert len(temps) == 1 and temps[0].name.startswith(".ckpt.pt.")
            assert temps[0].stat().st_size > size  # half of the float32 data is on disk
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    out = load(path)
    if mode == "stall":
        assert out == {"version": "old"}
    else:
        assert out == {"version": "old"} or (out["version"] == "new" and out["w"].shape == (size,))
    save({"version": "newer"}, path)  # a stray temporary file does not get in the way
    assert load(path) == {"version": "newer"}


# ---------------------------------------------------------------------------------- bad files
def test_a_missing_file_is_a_file_not_found_and_value_error(tmp_path):
    path = tmp_path / "sub" / "nope.pt"
    with pytest.raises(FileNotFoundError, match="nope.pt") as info:
        load(path)
    assert isinstance(info.value, ValueError) and str(tmp_path / "sub") in str(info.value)


def test_every_truncation_raises_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.pt"
    save({"w": autograd.arange(6).reshape(2, 3), "s": "text", "e": 1}, path)
    data = path.read_bytes()
    bad = tmp_path / "cut.pt"
    for n in range(len(data)):
        bad.write_bytes(data[:n])
        with pytest.raises(CheckpointError, match="cut.pt"):
            load(bad)


def test_every_single_byte_corruption_raises_or_loads_the_same_value(tmp_path):
    obj = {"w": autograd.arange(6.0).reshape(2, 3), "k": (1, "a"), 3: None}
    path = tmp_path / "ckpt.pt"
    save(obj, path)
    data = bytearray(path.read_bytes())
    bad = tmp_path / "bad.pt"
    raised = 0
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            out = load(bad)
        except CheckpointError as exc:
            assert "bad.pt" in str(exc)
            raised += 1
        else:  # a byte zipfile ignores (timestamps, "version made by", ...)
            assert_same(obj, out)
    assert raised > len(data) // 2


@given(st.binary(max_size=300))
def test_random_bytes_raise_a_clear_error(data):
    with pytest.raises(CheckpointError):
        load(io.BytesIO(data))


class _Marker:
    """Unpickling this creates a directory: evidence that a loader executed the file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_a_pickle_is_never_executed(tmp_path):
    marker = str(tmp_path / "executed")
    pickled = tmp_path / "evil.pt"
    pickled.write_bytes(pickle.dumps(_Marker(marker)))
    with pytest.raises(CheckpointError, match="not a zip archive"):
        load(pickled)
    # an object-dtype .npy whose data is that pickle, referenced from a valid manifest
    header = {"descr": "|O", "fortran_order": False, "shape": (1,)}
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, header)
    npy.write(pickle.dumps(np.array([_Marker(marker)], dtype=object)))
    path = write_archive(tmp_path / "obj.pt", {"format": "tapegrad", "version": 1, "root": {
        "type": "ndarray", "entry": "arr_0.npy", "dtype": "|O8", "shape": [1]}},
        raw_entries=[("arr_0.npy", npy.getvalue())])
    with pytest.raises(CheckpointError, match="unsupported dtype"):
        load(path)
    path = write_archive(tmp_path / "obj2.pt", {"format": "tapegrad", "version": 1, "root": {
        "type": "ndarray", "entry": "arr_0.npy", "dtype": "<f8", "shape": [1]}},
        raw_entries=[("arr_0.npy", npy.getvalue())])
    with pytest.raises(CheckpointError, match="holds dtype object.*pickle"):
        load(path)
    # a PyTorch-style archive
    path = write_archive(tmp_path / "torch.pt", None,
                         raw_entries=[("archive/data.pkl", pickle.dumps(_Marker(marker)))])
    with pytest.raises(CheckpointError, match="PyTorch checkpoint"):
        load(path)
    assert not os.path.exists(marker)


def _v1(root):
    return {"format": "tapegrad", "version": 1, "root": root}


_FLOAT_NODE = {"type": "ndarray", "entry": "arr_0.npy", "dtype": "<f8", "shape": [2]}


@pytest.mark.parametrize("manifest, message", [
    (_v1({"type": "tensor", "entry": "arr_7.npy", "dtype": "<f4", "shape": [2],
          "requires_grad": False}), "refers to entry 'arr_7.npy', which the archive does not"),
    (_v1({"type": "ndarray", "entry": "../etc/passwd", "dtype": "<f8", "shape": [2]}),
     "bad array entry name '../etc/passwd'"),
    (_v1({"type": "ndarray", "entry": "arr_0.npy", "dtype": "<f8", "shape": [3]}),
     r"holds float64 \(2,\) but the manifest says float64 \(3,\)"),
    (_v1({"type": "ndarray", "entry": "arr_0.npy", "dtype": "<f8", "shape": [-2]}), "bad shape"),
    (_v1({"type": "tensor", "entry": "arr_0.npy", "dtype": "<f8", "shape": [2],
          "requires_grad": "yes"}), "requires_grad is 'yes'"),
    (_v1({"type": "pickle", "value": "cos\nsystem\n"}), "unknown node type 'pickle'"),
    (_v1({"type": "float", "value": 1.5}), "a float node holds 1.5"),
    (_v1({"type": "int", "value": True}), "an int node holds True|a int node holds True"),
    (_v1({"type": "dict", "items": [[{"type": "list", "items": []}, {"type": "none"}]]}),
     "a dict key of type 'list'"),
    (_v1({"type": "dict", "items": [[{"type": "none"}]]}), r"not a \[key, value\] pair"),
    (_v1({"type": "list"}), "no item list"),
    ({"format": "tapegrad", "version": 2, "root": _FLOAT_NODE},
     "format version 2 is not supported .written by a newer tapegrad"),
    ({"format": "tapegrad", "version": "1", "root": _FLOAT_NODE}, "no valid format version"),
    ({"format": "tapegrad", "root": _FLOAT_NODE}, "no valid format version"),
    ({"format": "other", "version": 1, "root": _FLOAT_NODE}, "does not describe a tapegrad"),
    ({"format": "tapegrad", "version": 1}, "has no root"),
    ("{not json", "manifest.json is not valid JSON"),
    ('{"format": "tapegrad", "version": 1, "root": {"type": "float", "value": NaN}}',
     "not valid JSON"),
    pytest.param("[" * 100000 + "]" * 100000, "not valid JSON|does not describe",
                 id="json-nesting-bomb"),
    pytest.param(json.dumps(_v1(json.loads('{"type": "list", "items": [' * 300 + ']}' * 300))),
                 "nested more than 256 levels", id="deep-manifest"),
])
def test_hostile_manifests_raise_clear_errors(tmp_path, manifest, message):
    path = write_archive(tmp_path / "hostile.pt", manifest, arrays=[("arr_0.npy", [1.0, 2.0])])
    with pytest.raises(CheckpointError, match=message) as info:
        load(path)
    assert "hostile.pt" in str(info.value)


def test_archive_level_attacks_raise_clear_errors(tmp_path, monkeypatch):
    root = _v1(_FLOAT_NODE)
    traversal = write_archive(tmp_path / "t.pt", root, arrays=[("arr_0.npy", [1.0, 2.0])],
                              raw_entries=[("../escaped.npy", b"x")])
    with pytest.raises(CheckpointError, match="unexpected entry '../escaped.npy'"):
        load(traversal)
    assert not (tmp_path.parent / "escaped.npy").exists()

    with pytest.warns(UserWarning, match="Duplicate name"):
        dup = write_archive(tmp_path / "d.pt", root, arrays=[("arr_0.npy", [1.0, 2.0])] * 2)
    with pytest.raises(CheckpointError, match="entry 'arr_0.npy' twice"):
        load(dup)

    assert load(write_archive(tmp_path / "ok.pt", root, arrays=[("arr_0.npy", [1.0, 2.0])],
                              compression=zipfile.ZIP_DEFLATED)).tolist() == [1.0, 2.0]
    monkeypatch.setattr("autograd.serialization._MAX_MANIFEST_BYTES", 50)
    with pytest.raises(CheckpointError, match="manifest.json' is .* bytes, more than the 50"):
        load(tmp_path / "ok.pt")


def test_a_huge_declared_shape_is_rejected_before_allocating(tmp_path):
    shape = (10 ** 9, 10 ** 6)
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "<f8", "fortran_order": False,
                                               "shape": shape})
    npy.write(b"\0" * 16)
    path = write_archive(tmp_path / "huge.pt", _v1({"type": "ndarray", "entry": "arr_0.npy",
                                                    "dtype": "<f8", "shape": list(shape)}),
                         raw_entries=[("arr_0.npy", npy.getvalue())])
    with pytest.raises(CheckpointError, match=r"declares shape .* \(8000000000000000 bytes\) "
                                              r"but holds 16 bytes"):
        load(path)


def test_a_bad_npy_header_raises_a_clear_error(tmp_path):
    path = write_archive(tmp_path / "h.pt", _v1(_FLOAT_NODE),
                         raw_entries=[("arr_0.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': lambda")])
    with pytest.raises(CheckpointError, match="h.pt"):
        load(path)
    path = write_archive(tmp_path / "v.pt", _v1(_FLOAT_NODE),
                         raw_entries=[("arr_0.npy", b"\x93NUMPY\x03\x00" + b"\0" * 40)])
    with pytest.raises(CheckpointError, match=r"format version \(3, 0\)"):
        load(path)
