#!/usr/bin/env python3
"""Float32 rounding error of PyTorch and of tfhybrid, both against a float64 run of the reference.

The golden fixtures hold the official code's float32 outputs; this measures how far float32 itself
is from the exact function, so that a graph rewrite in tfhybrid (fused or reordered arithmetic) can
be judged against PyTorch's own float32 error, not only against PyTorch's float32 result.

Each family module here (cvt.py, coatnet.py, contnet.py, conv2former.py, transcnn.py) is a port of
the official model code named in ../shared/specs/<family>.md, with the official constructor
arguments and state_dict keys. Two functions:
    build_from_golden(build: dict) -> torch.nn.Module   # a golden case's constructor arguments:
                                                        # config.json "build" or "model_kwargs",
                                                        # else the whole config.json
    build_variant(variant_id: str) -> torch.nn.Module   # a tfhybrid variant id, e.g. cvt_13_224

Two modes:
    run.py FAMILY --golden DIR
        Every golden case of the family in float32, against its logits.npy: proves the port
        computes the official function.
    run.py FAMILY --variant ID --checkpoint F.safetensors|F.pth --out DIR [--seed 15] [--batch 2]
        Writes DIR/input.npy (seeded normalised NCHW input), DIR/reference64.npy (the port in
        float64) and DIR/torch32.npy (the port in float32), and prints max|torch32 - reference64|.
        tfhybrid's error is then `tfhybrid verify SAVEDMODEL --input DIR/input.npy
        --expect DIR/reference64.npy --tolerance 1` (see README "Parity in float64").

Needs torch and numpy (Debian python3-torch works); no safetensors package.
"""
import argparse
import copy
import importlib
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "..", "interop", "src", "main", "python"))
from safetensors_to_pth import read_safetensors  # noqa: E402

FAMILIES = ("contnet", "conv2former", "cvt", "coatnet", "transcnn")


def load_state_dict(path):
    """The tensors of a .safetensors or torch.save'd .pth file (tensors only: weights_only)."""
    if path.endswith(".safetensors"):
        return read_safetensors(path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "module"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    return state


def bound(reference):
    """The project's parity bound: 1e-4 * max(1, max|reference|)."""
    return 1e-4 * max(1.0, float(np.abs(reference).max()))


def run_golden(family, module, golden_dir):
    """Every golden case of a family through the port in float32; returns the worst error/bound."""
    root = os.path.join(golden_dir, family)
    worst = 0.0
    for case in sorted(os.listdir(root)):
        case_dir = os.path.join(root, case)
        config_path = os.path.join(case_dir, "config.json")
        if not os.path.isfile(config_path):
            continue
        with open(config_path) as f:
            config = json.load(f)
        # The constructor arguments: "build" or "model_kwargs" by family; else the whole config.
        build = config.get("build") or config.get("model_kwargs") or config
        model = module.build_from_golden(build).eval()
        weights = os.path.join(case_dir, "weights.pth")
        if not os.path.isfile(weights):
            weights = os.path.join(case_dir, "weights.safetensors")
        model.load_state_dict(load_state_dict(weights), strict=True)
        x = torch.from_numpy(np.load(os.path.join(case_dir, "input.npy")))
        with torch.no_grad():
            out = model(x).numpy()
        expected = np.load(os.path.join(case_dir, "logits.npy"))
        err = float(np.abs(out.reshape(expected.shape) - expected).max())
        ratio = err / bound(expected)
        worst = max(worst, ratio)
        print(f"{family}/{case}: logits max|Δ| = {err:.3e} (bound {bound(expected):.3e})")
    return worst


def run_variant(module, variant, checkpoint, out_dir, seed, batch):
    """The variant in float32 and float64 on one seeded input; writes the three .npy files."""
    model32 = module.build_variant(variant).eval()
    model32.load_state_dict(load_state_dict(checkpoint), strict=True)
    model64 = copy.deepcopy(model32).double()
    size = getattr(module, "INPUT_SIZE", {}).get(variant, 224)
    x = np.random.RandomState(seed).standard_normal((batch, 3, size, size)).astype(np.float32)
    with torch.no_grad():
        ref64 = model64(torch.from_numpy(x).double()).numpy()
        t32 = model32(torch.from_numpy(x)).numpy()
    os.makedirs(out_dir, exist_ok=True)
    np.save(os.path.join(out_dir, "input.npy"), x)
    np.save(os.path.join(out_dir, "reference64.npy"), ref64)
    np.save(os.path.join(out_dir, "torch32.npy"), t32)
    err = float(np.abs(t32.astype(np.float64) - ref64).max())
    print(f"{variant}: max|reference64| = {np.abs(ref64).max():.4g}; "
          f"PyTorch float32 vs float64: max|Δ| = {err:.3e}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("family", choices=FAMILIES)
    p.add_argument("--golden", help="the golden fixture root (e.g. ../shared/golden)")
    p.add_argument("--variant")
    p.add_argument("--checkpoint")
    p.add_argument("--out")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--batch", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(2)
    module = importlib.import_module(a.family)
    if a.golden:
        worst = run_golden(a.family, module, a.golden)
        print(f"{a.family}: worst error / bound = {worst:.3g}")
        sys.exit(0 if worst <= 1.0 else 1)
    if not (a.variant and a.checkpoint and a.out):
        p.error("give --golden DIR, or --variant, --checkpoint and --out")
    run_variant(module, a.variant, a.checkpoint, a.out, a.seed, a.batch)


if __name__ == "__main__":
    main()
