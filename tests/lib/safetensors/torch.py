"""A stand-in for the `safetensors` package's torch API (load_file, save_file, safe_open), for the tests only: the
package is not in Debian bookworm and PyPI is out of reach on our test machines. It follows the format's documented
layout (an 8-byte little-endian header length, a JSON header, raw little-endian tensors), so a README snippet written
for the real package runs unchanged against it; float32 and float16 only, as charrnn writes."""
import json
import struct

import torch

_DTYPES = {"F32": torch.float32, "F16": torch.float16}
_NAMES = {v: k for k, v in _DTYPES.items()}


def _read(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(blob[8 + n + begin : 8 + n + end])
        tensors[name] = torch.frombuffer(raw, dtype=_DTYPES[e["dtype"]]).reshape(e["shape"])
    return tensors, meta


def load_file(filename, device="cpu"):
    return _read(filename)[0]


def save_file(tensors, filename, metadata=None):
    header, blobs, offset = {"__metadata__": metadata or {}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class safe_open:
    def __init__(self, filename, framework, device="cpu"):
        self._tensors, self._meta = _read(filename)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def metadata(self):
        return self._meta

    def keys(self):
        return list(self._tensors)

    def get_tensor(self, name):
        return self._tensors[name]
