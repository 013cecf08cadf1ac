"""HAT-Net (TransCNN v2) in plain PyTorch, for the float64 parity lane (see run.py).

Port of the official `HAT_Net.py`, class `HAT_Net`, of yun-liu/TransCNN (= yun-liu/HAT-Net) at
commit 4b2e7bf, following ../shared/specs/transcnn.md: GroupNorm(1 group, eps 1e-6) everywhere;
H-MHSA with a local window level (G x G tiles) and a global cross-attention level (all tokens of
grid_x to AvgPool_r(grid_x)), or plain MHSA when G == 1; an inverted-residual branch in place of
the MLP. Eval mode only (dropout and drop-path are identities and are left out). Module names
equal the official state_dict keys, so `load_state_dict(strict=True)` works. Nothing here fixes a
dtype: `.double()` runs the whole model in float64.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-6  # every GroupNorm


def group_norm(dim):
    """GroupNorm with one group: moments over C, H and W per sample."""
    return nn.GroupNorm(1, dim, eps=EPS)


def attend(q, k, v, scale):
    """softmax((q * scale) @ k^T) @ v; the scale multiplies q before the product (spec §9)."""
    return ((q * scale) @ k.transpose(-2, -1)).softmax(dim=-1) @ v


class Attention(nn.Module):
    """H-MHSA (`blocks.S.I.attn`), NCHW in and out; the branch output before the residual add."""

    def __init__(self, dim, head_dim, grid_size=1, ds_ratio=1):
        super().__init__()
        assert dim % head_dim == 0, f"dim {dim} is not a multiple of head_dim {head_dim}"
        self.num_heads, self.head_dim, self.grid_size = dim // head_dim, head_dim, grid_size
        self.scale = head_dim ** -0.5
        # State-dict order of the reference: norm, qkv, proj, proj_norm, grid_norm, ds_norm, q, kv.
        self.norm = group_norm(dim)
        self.qkv = nn.Conv2d(dim, 3 * dim, 1)
        self.proj = nn.Conv2d(dim, dim, 1)
        # Parity quirk: proj_norm is in the state_dict but the forward never applies it.
        self.proj_norm = group_norm(dim)
        if grid_size > 1:
            self.grid_norm = group_norm(dim)
            # Parity quirk: ds_ratio is its own hyper-parameter (not the grid size); pooling floors.
            self.avg_pool = nn.AvgPool2d(ds_ratio, stride=ds_ratio)
            self.ds_norm = group_norm(dim)
            self.q = nn.Conv2d(dim, dim, 1)
            self.kv = nn.Conv2d(dim, 2 * dim, 1)

    def forward(self, x):
        B, C, H, W = x.shape
        nh, hd, G = self.num_heads, self.head_dim, self.grid_size
        qkv = self.qkv(self.norm(x))  # channels [3][nh][hd]
        if G == 1:
            q, k, v = qkv.reshape(B, 3, nh, hd, H * W).permute(1, 0, 2, 4, 3)
            return self.proj(attend(q, k, v, self.scale).transpose(-2, -1).reshape(B, C, H, W))
        if H % G or W % G:
            raise ValueError(f"H-MHSA with grid_size {G} needs H and W divisible by it, found {H}x{W}")
        gh, gw = H // G, W // G
        # Local level: tokens (row a*G+u, column b*G+v) -> window (a, b), position u*G+v.
        qkv = qkv.reshape(B, 3, nh, hd, gh, G, gw, G).permute(1, 0, 2, 4, 6, 5, 7, 3)
        q, k, v = qkv.reshape(3, B * nh * gh * gw, G * G, hd)
        local = attend(q, k, v, self.scale).reshape(B, nh, gh, gw, G, G, hd)
        local = local.permute(0, 1, 6, 2, 4, 3, 5).reshape(B, C, H, W)
        # Parity quirk: the pooled source is GN(x + local), and the pooled map is normalised again.
        grid_x = self.grid_norm(x + local)
        # Global level: cross-attention of all H*W tokens to the pooled tokens; no upsampling.
        q = self.q(grid_x).reshape(B, nh, hd, H * W).transpose(-2, -1)
        kv = self.kv(self.ds_norm(self.avg_pool(grid_x)))
        k, v = kv.reshape(B, 2, nh, hd, -1).permute(1, 0, 2, 4, 3)
        glob = attend(q, k, v, self.scale).transpose(-2, -1).reshape(B, C, H, W)
        # Parity quirk: x enters twice (inside grid_x here, and through the block's residual).
        return self.proj(glob + grid_x)


class InvertedResidual(nn.Module):
    """GN -> 1x1 expand -> SiLU -> kxk depthwise -> SiLU -> 1x1 project -> GN; convs without bias."""

    def __init__(self, dim, hidden_dim, kernel_size=3):
        super().__init__()
        self.conv1 = nn.Sequential(group_norm(dim), nn.Conv2d(dim, hidden_dim, 1, bias=False), nn.SiLU())
        self.conv2 = nn.Sequential(
            nn.Conv2d(hidden_dim, hidden_dim, kernel_size, padding=(kernel_size - 1) // 2,
                      groups=hidden_dim, bias=False),
            nn.SiLU())
        self.conv3 = nn.Sequential(nn.Conv2d(hidden_dim, dim, 1, bias=False), group_norm(dim))

    def forward(self, x):
        return self.conv3(self.conv2(self.conv1(x)))


class Block(nn.Module):
    def __init__(self, dim, head_dim, grid_size, ds_ratio, expansion, kernel_size):
        super().__init__()
        self.attn = Attention(dim, head_dim, grid_size, ds_ratio)
        self.conv = InvertedResidual(dim, dim * expansion, kernel_size)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.conv(x)


class Downsample(nn.Module):
    """GN(conv 3x3 stride 2 pad 1); no activation."""

    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.conv = nn.Conv2d(in_dim, out_dim, 3, padding=1, stride=2)
        self.norm = group_norm(out_dim)

    def forward(self, x):
        return self.norm(self.conv(x))


class HAT_Net(nn.Module):
    """The official constructor; `img_size` and `in_chans` are accepted and ignored (spec §9)."""

    def __init__(self, img_size=224, in_chans=3, num_classes=1000, dims=(64, 128, 256, 512),
                 head_dim=64, expansions=(4, 4, 6, 6), grid_sizes=(1, 1, 1, 1),
                 ds_ratios=(8, 4, 2, 1), depths=(3, 4, 8, 3), kernel_sizes=(3, 3, 3, 3), **_):
        super().__init__()
        # Parity quirk: no norm or activation after the stem's second conv.
        self.patch_embed = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1, stride=2), group_norm(16), nn.SiLU(),
            nn.Conv2d(16, dims[0], 3, padding=1, stride=2))
        self.blocks = nn.ModuleList(
            nn.ModuleList(Block(dims[s], head_dim, grid_sizes[s], ds_ratios[s], expansions[s],
                                kernel_sizes[s]) for _ in range(depths[s]))
            for s in range(len(dims)))
        self.ds2 = Downsample(dims[0], dims[1])
        self.ds3 = Downsample(dims[1], dims[2])
        self.ds4 = Downsample(dims[2], dims[3])
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(dims[-1], num_classes))

    def forward(self, x):
        x = self.patch_embed(x)
        for stage, blocks in enumerate(self.blocks):
            if stage:
                x = getattr(self, f"ds{stage + 1}")(x)
            for block in blocks:
                x = block(x)
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))


# The official factories' hyper-parameters (spec §2), by tfhybrid variant id.
_COMMON = dict(expansions=[8, 8, 4, 4], grid_sizes=[8, 7, 7, 1], ds_ratios=[8, 4, 2, 1])
VARIANTS = {
    "transcnn_tiny_224": dict(dims=[48, 96, 240, 384], head_dim=48, depths=[2, 2, 6, 3],
                              kernel_sizes=[3, 3, 3, 3], **_COMMON),
    "transcnn_small_224": dict(dims=[64, 128, 320, 512], head_dim=64, depths=[2, 3, 8, 3],
                               kernel_sizes=[3, 3, 3, 3], **_COMMON),
    "transcnn_medium_224": dict(dims=[64, 128, 320, 512], head_dim=64, depths=[3, 6, 18, 3],
                                kernel_sizes=[5, 3, 5, 3], **_COMMON),
    "transcnn_large_224": dict(dims=[64, 128, 320, 640], head_dim=64, depths=[3, 8, 27, 3],
                               kernel_sizes=[3, 3, 3, 3], **_COMMON),
}


def build_from_golden(build):
    """A golden case's config.json "build": {"class": "HAT_Net", "hyper_parameters": {...}, ...}."""
    assert build["class"] == "HAT_Net", build["class"]
    return HAT_Net(num_classes=build["num_classes"], **build["hyper_parameters"])


def build_variant(variant_id):
    return HAT_Net(num_classes=1000, **VARIANTS[variant_id])
