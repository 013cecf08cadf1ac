#!/usr/bin/env python3
"""Turns a .safetensors file into the .pth that torch.save(state_dict) writes.

The official releases of the five families are such files: a zip written by torch.save holding
one OrderedDict of tensors. `tfhybrid bench --write-checkpoint VARIANT --out F.safetensors`
writes a seeded random checkpoint of any variant; this script gives it the release format:

    python3 interop/src/main/python/safetensors_to_pth.py F.safetensors F.pth

The header is parsed with json and the tensors read with numpy (no safetensors package). Keys
keep the file's data order (the variant's declaration order for our files). Needs torch, numpy.
"""
import collections
import json
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8,
    "BOOL": np.bool_,
}


def read_safetensors(path):
    """The tensors of a .safetensors file, in data order, as an OrderedDict of torch tensors."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n > size - 8:
            raise ValueError(f"{path}: header length {n} exceeds the file ({size} bytes)")
        header = json.loads(f.read(n).decode("utf-8"))
    header.pop("__metadata__", None)
    base = 8 + n
    state = collections.OrderedDict()
    for key, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if t["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {key!r} has dtype {t['dtype']}, not one of {sorted(DTYPES)}")
        dtype = np.dtype(DTYPES[t["dtype"]]).newbyteorder("<")
        start, end = t["data_offsets"]
        count = int(np.prod(t["shape"], dtype=np.int64))
        if end - start != count * dtype.itemsize or base + end > size:
            raise ValueError(f"{path}: tensor {key!r} {t['shape']} {t['dtype']} does not fit"
                             f" data_offsets {t['data_offsets']}")
        a = np.fromfile(path, dtype=dtype, count=count, offset=base + start)
        state[key] = torch.from_numpy(a.astype(dtype.newbyteorder("="), copy=False)).reshape(t["shape"])
    return state


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {argv[0]} IN.safetensors OUT.pth")
    state = read_safetensors(argv[1])
    torch.save(state, argv[2])
    print(f"{argv[2]}: {len(state)} tensors, {os.path.getsize(argv[2]):,} bytes")


if __name__ == "__main__":
    main(sys.argv)
