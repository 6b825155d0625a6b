"""`save` and `load`: checkpoints in a safe, documented format (never pickle).

A checkpoint is any nesting of dicts, lists and tuples whose leaves are Tensors, NumPy arrays and
scalars, Python numbers, strings, bools and None: state dicts, optimizer state dicts (int keys),
training checkpoints with epoch numbers and generator states.

Format, version 1. The file is a ZIP archive (entries stored, ZIP64 allowed), so
`numpy.load(path)` opens it as an `.npz`:

    manifest.json   ASCII JSON {"format": "tapegrad", "version": 1, "root": NODE}
    arr_<k>.npy     one array per entry in NumPy's .npy format (1.0 or 2.0), k = 0, 1, ...

    NODE := {"type": "none"}
          | {"type": "bool", "value": true}       | {"type": "int", "value": 3}
          | {"type": "float", "value": "0.1"}     (Python repr: nan, inf and -0.0 survive)
          | {"type": "str", "value": "..."}
          | {"type": "list" | "tuple", "items": [NODE, ...]}
          | {"type": "dict" | "ordered_dict", "items": [[KEY, NODE], ...]}
          | {"type": "tensor", "entry": "arr_0.npy", "dtype": "<f4", "shape": [2, 3],
             "requires_grad": false}
          | {"type": "ndarray" | "scalar", "entry": ..., "dtype": ..., "shape": [...]}
    KEY   := a none, bool, int, float or str NODE, or a tuple NODE of KEYs

`dtype` is NumPy's `dtype.str` (bool, integer, float or complex only); `scalar` is a NumPy scalar
such as `np.float32(1.5)`. Dict key types (int vs str) and tuple vs list are kept; namedtuples
come back as tuples and dict subclasses other than OrderedDict as dicts. A Tensor or array that
appears several times in `obj` is written once and loads as one object referenced from each place
(as `torch.save` does); arrays that merely share memory are written separately.

`save` writes to a temporary file in the target's directory, fsyncs it and renames it over the
target, so a crash leaves either the old file or the new one (plus at worst a stray
`.NAME.*.tmp` file). `load` validates everything before allocating or building anything and
raises `CheckpointError` (a ValueError) naming the file and the problem.

Example:
    >>> autograd.save({"model": model.state_dict(), "epoch": 3}, "ckpt.pt")
    >>> state = autograd.load("ckpt.pt")
"""
import collections
import collections.abc
import errno
import json
import math
import os
import re
import secrets
import zipfile

import numpy as np

from .tensor import Tensor, _make

__all__ = ["save", "load", "CheckpointError", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_SUPPORTED_VERSIONS = (1,)
_MANIFEST = "manifest.json"
_ENTRY = re.compile(r"arr_(0|[1-9][0-9]{0,8})\.npy")
_DTYPE = re.compile(r"[<>|=]?[biufc][0-9]{1,2}")
_MAX_DEPTH = 256
_MAX_MANIFEST_BYTES = 64 << 20
_MAX_HEADER_BYTES = 10000
_DEFLATE_MAX_RATIO = 1100          # deflate cannot expand more than ~1032:1; more is a bomb
_EPOCH = (1980, 1, 1, 0, 0, 0)     # fixed entry timestamps: the same object gives the same bytes
_KEY_TYPES = ("none", "bool", "int", "float", "str", "tuple")


class CheckpointError(ValueError):
    """A file that `autograd.load` cannot read; the message names the file and the problem."""


class CheckpointNotFoundError(FileNotFoundError, CheckpointError):
    """`autograd.load` of a path that does not exist (a FileNotFoundError and a ValueError)."""


def _allowed_dtype(dtype):
    return (dtype.kind in "biufc" and not dtype.hasobject and dtype.fields is None
            and dtype.subdtype is None)


# ---------------------------------------------------------------------------------- save
class _Encoder:
    def __init__(self):
        self.arrays = []        # (entry name, ndarray)
        self._entries = {}      # id(Tensor or ndarray) -> entry name
        self._keep = []         # keeps deduplicated objects alive so ids stay unique
        self._open = set()      # ids of the containers being encoded (cycle detection)

    def _entry(self, obj, arr):
        name = self._entries.get(id(obj))
        if name is None:
            name = f"arr_{len(self.arrays)}.npy"
            self._entries[id(obj)] = name
            self._keep.append(obj)
            self.arrays.append((name, arr))
        return name

    def encode(self, obj, where, depth=0):
        if depth > _MAX_DEPTH:
            raise ValueError(f"autograd.save: {where} is nested more than {_MAX_DEPTH} levels "
                             f"deep")
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, (np.ndarray, np.generic)):  # before float: np.float64 is a float
            return self._array(obj, where)
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": repr(float(obj))}
        if isinstance(obj, str):
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, Tensor):
            arr = obj._data
            if not _allowed_dtype(arr.dtype):
                raise TypeError(f"autograd.save: {where} is a Tensor of unsupported dtype "
                                f"{arr.dtype}")
            if not arr.dtype.isnative:
                arr = arr.astype(arr.dtype.newbyteorder("="))
            return {"type": "tensor", "entry": self._entry(obj, arr), "dtype": arr.dtype.str,
                    "shape": list(arr.shape), "requires_grad": bool(obj._requires_grad)}
        if isinstance(obj, (list, tuple, collections.abc.Mapping)):
            if id(obj) in self._open:
                raise ValueError(f"autograd.save: {where} contains itself (a reference cycle)")
            self._open.add(id(obj))
            try:
                return self._container(obj, where, depth)
            finally:
                self._open.discard(id(obj))
        raise TypeError(f"autograd.save: cannot save {where} of type {type(obj).__name__}; "
                        f"supported are Tensors, NumPy arrays and scalars, int, float, str, "
                        f"bool, None, and dicts, lists and tuples of these")

    def _array(self, obj, where):
        arr = np.asarray(obj)
        if not _allowed_dtype(arr.dtype):
            raise TypeError(f"autograd.save: {where} is a NumPy {type(obj).__name__} of dtype "
                            f"{arr.dtype}; only bool, integer, float and complex arrays can be "
                            f"saved (object arrays would need pickle)")
        kind = "ndarray" if isinstance(obj, np.ndarray) else "scalar"
        return {"type": kind, "entry": self._entry(obj, arr), "dtype": arr.dtype.str,
                "shape": list(arr.shape)}

    def _container(self, obj, where, depth):
        if isinstance(obj, (list, tuple)):
            return {"type": "tuple" if isinstance(obj, tuple) else "list",
                    "items": [self.encode(x, f"{where}[{i}]", depth + 1)
                              for i, x in enumerate(obj)]}
        items = []
        for k, v in obj.items():
            items.append([self._key(k, where, depth + 1),
                          self.encode(v, f"{where}[{k!r}]", depth + 1)])
        kind = "ordered_dict" if isinstance(obj, collections.OrderedDict) else "dict"
        return {"type": kind, "items": items}

    def _key(self, key, where, depth):
        if isinstance(key, tuple):
            if depth > _MAX_DEPTH:
                raise ValueError(f"autograd.save: a key of {where} is nested too deeply")
            return {"type": "tuple", "items": [self._key(k, where, depth + 1) for k in key]}
        if key is None or (isinstance(key, (bool, int, float, str))
                           and not isinstance(key, np.generic)):
            return self.encode(key, where, depth)
        raise TypeError(f"autograd.save: {where} has a key of type {type(key).__name__} "
                        f"({key!r}); keys must be str, int, float, bool, None or tuples of them")


def _write_archive(fh, payload, arrays):
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays:
            with zf.open(zipfile.ZipInfo(name, _EPOCH), "w", force_zip64=True) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)
        zf.writestr(zipfile.ZipInfo(_MANIFEST, _EPOCH), payload)


def _create_temp(directory, base):
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            # 0o666 lets the umask decide the mode, as for any new file (mkstemp would force 0600)
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some platforms and file systems cannot fsync a directory
    finally:
        os.close(fd)


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write `obj` to `f` (a path, or a writable binary file object) atomically.

    The pickle-related keyword arguments of `torch.save` are accepted and ignored. To a path,
    the write goes to a temporary file in the same directory, is flushed and fsynced, then
    renamed over `f`: a crash mid-write leaves the previous file intact. See the module
    docstring for the format.

    Raises:
        TypeError: a leaf of an unsupported type (the message gives its place in `obj`).
        ValueError: a reference cycle, or nesting deeper than 256 levels.
    """
    enc = _Encoder()
    manifest = {"format": "tapegrad", "version": FORMAT_VERSION,
                "root": enc.encode(obj, "obj")}
    payload = json.dumps(manifest, ensure_ascii=True, allow_nan=False,
                         separators=(",", ":")).encode("ascii")
    if hasattr(f, "write"):
        _write_archive(f, payload, enc.arrays)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"autograd.save: cannot write {path!r}: the "
                                              f"directory does not exist", directory)
    tmp, fd = _create_temp(directory, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, payload, enc.arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


# ---------------------------------------------------------------------------------- load
class _Decoder:
    def __init__(self, zf, name):
        self.zf = zf
        self.name = name
        self.infos = {}
        for info in zf.infolist():
            if info.filename in self.infos:
                self.fail(f"the archive holds entry {info.filename!r} twice")
            if info.filename != _MANIFEST and not _ENTRY.fullmatch(info.filename):
                hint = (" (a PyTorch checkpoint? those are pickles, which tapegrad never loads)"
                        if info.filename.endswith(".pkl") else "")
                self.fail(f"unexpected entry {info.filename!r} in the archive{hint}")
            self.infos[info.filename] = info
        self.objects = {}
        self.arrays = {}

    def fail(self, message):
        raise CheckpointError(f"autograd.load: {self.name}: {message}")

    def read_entry(self, info, limit=None):
        if info.flag_bits & 0x1:
            self.fail(f"entry {info.filename!r} is encrypted")
        if info.compress_type == zipfile.ZIP_STORED:
            if info.file_size != info.compress_size:
                self.fail(f"entry {info.filename!r} is stored but declares {info.file_size} "
                          f"bytes in {info.compress_size}")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
                self.fail(f"entry {info.filename!r} declares {info.file_size} bytes from "
                          f"{info.compress_size} compressed ones (a zip bomb?)")
        else:
            self.fail(f"entry {info.filename!r} uses compression method {info.compress_type}; "
                      f"only stored and deflated entries are read")
        if limit is not None and info.file_size > limit:
            self.fail(f"entry {info.filename!r} is {info.file_size} bytes, more than the "
                      f"{limit} allowed")
        return self.zf.open(info)

    # ------------------------------------------------------------------ manifest
    def manifest(self):
        info = self.infos.get(_MANIFEST)
        if info is None:
            self.fail(f"no {_MANIFEST} entry: not a file written by autograd.save")
        with self.read_entry(info, _MAX_MANIFEST_BYTES) as fh:
            raw = fh.read()
        try:
            manifest = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            self.fail(f"{_MANIFEST} is not valid JSON ({exc})")
        if not isinstance(manifest, dict) or manifest.get("format") != "tapegrad":
            self.fail(f"{_MANIFEST} does not describe a tapegrad checkpoint")
        version = manifest.get("version")
        if type(version) is not int:
            self.fail(f"{_MANIFEST} has no valid format version (got {version!r})")
        if version not in _SUPPORTED_VERSIONS:
            newer = " (written by a newer tapegrad?)" if version > FORMAT_VERSION else ""
            self.fail(f"format version {version} is not supported{newer}; this tapegrad reads "
                      f"versions {list(_SUPPORTED_VERSIONS)}")
        if "root" not in manifest:
            self.fail(f"{_MANIFEST} has no root")
        return manifest["root"]

    # ------------------------------------------------------------------ nodes
    def node(self, node, where, depth=0):
        if depth > _MAX_DEPTH:
            self.fail(f"{where} is nested more than {_MAX_DEPTH} levels deep")
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node.get("value")
            expected = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not expected:
                self.fail(f"{where}: a {kind} node holds {value!r}")
            return value
        if kind == "float":
            value = node.get("value")
            try:
                if isinstance(value, str):
                    return float(value)
            except ValueError:
                pass
            self.fail(f"{where}: a float node holds {value!r}")
        if kind in ("list", "tuple"):
            items = [self.node(x, f"{where}[{i}]", depth + 1)
                     for i, x in enumerate(self.items(node, where))]
            return tuple(items) if kind == "tuple" else items
        if kind in ("dict", "ordered_dict"):
            out = {} if kind == "dict" else collections.OrderedDict()
            for pair in self.items(node, where):
                if not isinstance(pair, list) or len(pair) != 2:
                    self.fail(f"{where}: a dict item is not a [key, value] pair")
                key = self.key(pair[0], where, depth + 1)
                out[key] = self.node(pair[1], f"{where}[{key!r}]", depth + 1)
            return out
        if kind in ("tensor", "ndarray", "scalar"):
            return self.array_node(node, kind, where)
        self.fail(f"{where}: unknown node type {kind!r}")

    def items(self, node, where):
        items = node.get("items")
        if not isinstance(items, list):
            self.fail(f"{where}: a {node['type']} node has no item list")
        return items

    def key(self, node, where, depth):
        kind = node.get("type") if isinstance(node, dict) else None
        if kind not in _KEY_TYPES:
            self.fail(f"{where}: a dict key of type {kind!r}")
        if depth > _MAX_DEPTH:
            self.fail(f"{where}: a dict key is nested too deeply")
        if kind == "tuple":
            return tuple(self.key(k, where, depth + 1) for k in self.items(node, where))
        return self.node(node, where, depth)

    def array_node(self, node, kind, where):
        entry, dtype, shape = node.get("entry"), node.get("dtype"), node.get("shape")
        if not isinstance(entry, str) or not _ENTRY.fullmatch(entry):
            self.fail(f"{where}: bad array entry name {entry!r}")
        if not isinstance(dtype, str) or not _DTYPE.fullmatch(dtype):
            self.fail(f"{where}: unsupported dtype {dtype!r}")
        if (not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape)
                or (kind == "scalar" and shape)):
            self.fail(f"{where}: bad shape {shape!r}")
        requires_grad = node.get("requires_grad", False)
        if kind == "tensor" and type(requires_grad) is not bool:
            self.fail(f"{where}: requires_grad is {requires_grad!r}")
        memo = (entry, kind, requires_grad)
        if memo in self.objects:
            return self.objects[memo]
        arr = self.array(entry, np.dtype(dtype), tuple(shape), where)
        if kind == "tensor":
            if arr.dtype.kind == "c":
                self.fail(f"{where}: a tensor of complex dtype {arr.dtype}")
            if requires_grad and arr.dtype.kind != "f":
                self.fail(f"{where}: a {arr.dtype} tensor cannot require grad")
            if not arr.dtype.isnative:
                arr = arr.astype(arr.dtype.newbyteorder("="))
            obj = _make(arr, None)
            if requires_grad:
                obj.requires_grad_(True)
        elif kind == "scalar":
            obj = arr[()]
        else:
            obj = arr
        self.objects[memo] = obj
        return obj

    def array(self, entry, dtype, shape, where):
        if entry in self.arrays:  # the same entry under another node type: an unaliased copy
            return self.arrays[entry].copy()
        info = self.infos.get(entry)
        if info is None:
            self.fail(f"{where} refers to entry {entry!r}, which the archive does not contain")
        with self.read_entry(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(fh, _MAX_HEADER_BYTES)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(fh, _MAX_HEADER_BYTES)
            else:
                self.fail(f"entry {entry!r} has .npy format version {version}; 1.0 and 2.0 "
                          f"are read")
            file_shape, fortran, file_dtype = header
            if not _allowed_dtype(file_dtype):
                self.fail(f"entry {entry!r} holds dtype {file_dtype}; only bool, integer, float "
                          f"and complex arrays are read (object arrays would need pickle)")
            if file_dtype != dtype or tuple(file_shape) != shape:
                self.fail(f"entry {entry!r} holds {file_dtype} {tuple(file_shape)} but the "
                          f"manifest says {dtype} {shape}")
            nbytes = math.prod(shape) * dtype.itemsize
            available = info.file_size - fh.tell()
            if nbytes != available:
                self.fail(f"entry {entry!r} declares shape {shape} of {dtype} ({nbytes} bytes) "
                          f"but holds {available} bytes of data")
            flat = np.empty(math.prod(shape), dtype)
            buf = memoryview(flat.view(np.uint8))
            pos = 0
            while pos < nbytes:
                got = fh.readinto(buf[pos:])
                if not got:
                    self.fail(f"entry {entry!r} ends after {pos} of {nbytes} bytes")
                pos += got
            if fh.read(1):
                self.fail(f"entry {entry!r} has data past its declared end")
        arr = flat.reshape(shape, order="F" if fortran else "C")
        self.arrays[entry] = arr
        return arr


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read an object written by `save` from `f` (a path, or a readable binary file object).

    `map_location`, `pickle_module`, `weights_only`, `mmap` and other `torch.load` keyword
    arguments are accepted and ignored (tensors live on the CPU; nothing is ever unpickled).
    Loaded tensors own fresh arrays, aliasing nothing outside the returned object.

    Raises:
        CheckpointError (a ValueError): truncated, corrupt or hostile files, unsupported format
            versions; the message names the file and what is wrong. Nothing in the file is
            executed.
        FileNotFoundError: no such file (the exception is also a CheckpointError).
    """
    if hasattr(f, "read"):
        return _load_from(f, repr(getattr(f, "name", f)))
    path = os.fspath(f)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise CheckpointNotFoundError(
            errno.ENOENT, f"autograd.load: no such file (looked in "
                          f"{os.path.dirname(os.path.abspath(path))})", path) from None
    with fh:
        return _load_from(fh, repr(path))


def _load_from(fh, name):
    try:
        try:
            zf = zipfile.ZipFile(fh, "r")
        except zipfile.BadZipFile as exc:
            raise CheckpointError(f"autograd.load: {name}: not a zip archive, so not a file "
                                  f"written by autograd.save (or truncated) ({exc})") from None
        with zf:
            dec = _Decoder(zf, name)
            return dec.node(dec.manifest(), "root")
    except CheckpointError:
        raise
    except Exception as exc:  # corrupt archives fail in zipfile, zlib, struct, numpy, ...
        raise CheckpointError(f"autograd.load: {name}: corrupt or truncated file "
                              f"({type(exc).__name__}: {exc})") from exc
