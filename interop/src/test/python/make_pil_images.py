#!/usr/bin/env python3
"""Renders the serving_bytes image suite and stores what PIL + torchvision make of each file.

Run ONCE, with Debian's python3-pil / python3-torchvision / python3-numpy, from the repository root:

    /usr/bin/python3 interop/src/test/python/make_pil_images.py

It writes interop/src/test/resources/pil-images/: the encoded images, one `<file>.npz` per image
(the expected pixels) and `manifest.json`. The expected pixels are the reference, like the golden
fixtures: never regenerate them to make a test pass. Everything here is deterministic (fixed seeds).

Per image the npz holds
  decoded                     uint8 [H, W, 3]  Image.open(f).convert('RGB')
  <rule>.<interpolation>      uint8 [h, w, 3]  torchvision Resize + CenterCrop of that, before ToTensor
for every crop rule in RULES and both interpolations (PIL BILINEAR and BICUBIC, antialiased).
"""

import io
import json
import os
import sys

import numpy as np
import PIL
import torchvision
from PIL import Image, ImageDraw, ImageFilter, features
from torchvision import transforms
from torchvision.transforms import InterpolationMode

OUT = os.path.join("interop", "src", "test", "resources", "pil-images")

# The crop rules the families use, at small sizes so the Java suite stays fast.
# resize: [S] = shorter side to S (torchvision Resize(int), long side int(S * long / short));
#         [H, W] = both sides (timm squash, CvT-384 resize-only). crop: [h, w] (CenterCrop).
RULES = {
    # resize shorter side + center crop, crop_pct 0.875 (256 -> 224 scaled to 36 -> 32)
    "center_0875": {"resize": [36], "crop": [32, 32]},
    # timm crop_pct 0.95: floor(32 / 0.95) = 33 (odd margins: half-pixel offsets, half to even)
    "center_095": {"resize": [33], "crop": [32, 32]},
    # a non-square crop after the shorter-side resize
    "center_rect": {"resize": [30], "crop": [24, 28]},
    # a crop wider than the resized image (e.g. a non-square --size): torchvision pads with zeros
    "center_pad": {"resize": [24], "crop": [20, 30]},
    # timm squash, crop_pct 0.9: both sides to floor(32 / 0.9) = 35, crop 32 (offset round(1.5) = 2)
    "squash_09": {"resize": [35, 35], "crop": [32, 32]},
    # a crop wider than the resized image (e.g. a non-square --size): torchvision pads with zeros
    "center_pad": {"resize": [24], "crop": [20, 30]},
    # timm squash, crop_pct 0.95: 33 -> 32, offset round(0.5) = 0 (half to even, not 1)
    "squash_095": {"resize": [33, 33], "crop": [32, 32]},
    # resize-only (CvT at 384: Resize((384, 384)), no crop)
    "resize_only": {"resize": [32, 32], "crop": [32, 32]},
    # resize-only to a non-square size
    "resize_only_rect": {"resize": [26, 38], "crop": [26, 38]},
}

INTERPOLATIONS = {"bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC}


def render(width, height, seed):
    """A photo-like RGB picture: smooth gradients, soft blobs, texture, and sharp-edged shapes."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = np.stack(
        [
            40 + 160 * x / width + 20 * np.sin(y / 7.0),
            30 + 180 * y / height,
            120 + 80 * np.cos((x + y) / 11.0),
        ],
        axis=-1,
    )
    for _ in range(4):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(3, max(width, height) / 3)
        w = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (r * r))[..., None]
        base = base * (1 - w) + rng.randint(0, 256, size=3) * w
    base += rng.normal(0, 6, size=base.shape)  # sensor-like texture
    img = Image.fromarray(np.clip(np.rint(base), 0, 255).astype(np.uint8), "RGB")
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    d = ImageDraw.Draw(img)
    for _ in range(6):  # sharp edges, saturated colours: where resize kernels overshoot
        x0, y0 = rng.randint(0, width), rng.randint(0, height)
        x1, y1 = x0 + rng.randint(3, width // 2), y0 + rng.randint(3, height // 2)
        colour = tuple(int(c) for c in rng.choice([0, 255], size=3))
        if rng.rand() < 0.5:
            d.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            d.ellipse([x0, y0, x1, y1], outline=colour, width=2)
    d.line([0, height - 1, width - 1, 0], fill=(255, 255, 255), width=1)
    d.text((2, 2), "tf", fill=(0, 0, 0))
    return img


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def with_alpha(img, seed):
    """RGBA: a radial alpha ramp with fully transparent and fully opaque regions."""
    w, h = img.size
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    a = np.clip(1.6 - np.hypot(x - w / 2, y - h / 2) / (0.35 * max(w, h)), 0, 1) * 255
    rgba = img.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.rint(a).astype(np.uint8), "L"))
    return rgba


def grey16(img):
    """16-bit greyscale (PIL mode I;16), values 0-510: convert('RGB') clips those above 255."""
    return Image.fromarray(np.asarray(img.convert("L")).astype(np.uint16) * 2)


# (file name, width, height, seed, how it is encoded)
IMAGES = [
    ("photo_444.jpg", 97, 61, 1, lambda im: encode(im, "JPEG", quality=92, subsampling=0)),
    ("photo_422.jpg", 61, 97, 2, lambda im: encode(im, "JPEG", quality=90, subsampling=1)),
    ("photo_420.jpg", 80, 80, 3, lambda im: encode(im, "JPEG", quality=85, subsampling=2)),
    (
        "photo_progressive.jpg",
        91,
        67,
        4,
        lambda im: encode(im, "JPEG", quality=88, subsampling=2, progressive=True),
    ),
    ("photo_gray.jpg", 73, 59, 5, lambda im: encode(im.convert("L"), "JPEG", quality=90)),
    ("large_420.jpg", 190, 131, 6, lambda im: encode(im, "JPEG", quality=80, subsampling=2)),
    ("small_420.jpg", 27, 21, 7, lambda im: encode(im, "JPEG", quality=95, subsampling=2)),
    ("photo_rgb.png", 83, 53, 8, lambda im: encode(im, "PNG")),
    ("photo_gray.png", 64, 64, 9, lambda im: encode(im.convert("L"), "PNG")),
    ("photo_rgba.png", 57, 75, 10, lambda im: encode(with_alpha(im, 10), "PNG")),
    ("photo_gray16.png", 59, 43, 13, lambda im: encode(grey16(im), "PNG")),
    ("photo_palette.gif", 70, 50, 11, lambda im: encode(im.convert("P"), "GIF")),
    ("photo.bmp", 45, 65, 12, lambda im: encode(im, "BMP")),
]


def expected(data):
    """What an evaluation script gets from the file: convert('RGB'), then Resize + CenterCrop."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    out = {"decoded": np.asarray(img, dtype=np.uint8)}
    for rule, spec in RULES.items():
        size = spec["resize"][0] if len(spec["resize"]) == 1 else tuple(spec["resize"])
        for name, mode in INTERPOLATIONS.items():
            t = transforms.Compose(
                [transforms.Resize(size, interpolation=mode), transforms.CenterCrop(spec["crop"])]
            )
            pixels = np.asarray(t(img), dtype=np.uint8)
            assert pixels.shape == (spec["crop"][0], spec["crop"][1], 3), pixels.shape
            out[f"{rule}.{name}"] = pixels
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {
        "generator": "interop/src/test/python/make_pil_images.py",
        "pillow": PIL.__version__,
        "libjpeg": features.version("jpg"),
        "torchvision": torchvision.__version__,
        "numpy": np.__version__,
        "interpolations": list(INTERPOLATIONS),
        "rules": RULES,
        "images": [],
    }
    for name, w, h, seed, enc in IMAGES:
        data = enc(render(w, h, seed))
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        arrays = expected(data)
        np.savez_compressed(os.path.join(OUT, name + ".npz"), **arrays)
        src = Image.open(io.BytesIO(data))
        manifest["images"].append(
            {"file": name, "width": w, "height": h, "format": src.format, "mode": src.mode}
        )
        print(f"{name:24s} {src.format:5s} {src.mode:5s} {w}x{h} {len(data)} bytes", file=sys.stderr)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
