"""Conv2Former in PyTorch, for the float64 parity lane (see run.py).

A port of the official model, HVision-NKU/Conv2Former at commit 94fd1c4, `models/conv2former.py`
(Hou et al., arXiv 2211.11943), written from ../shared/specs/conv2former.md: same module tree and
state_dict keys, eval mode only (drop path is the identity at inference, so it is left out). The
constructor arguments that have no effect in the reference (img_size, window_sizes, num_heads,
layer_scale_init_value, head_init_scale, drop_path_rate, drop_rate) are accepted and ignored.
Only plain torch ops, no fixed dtype: `.double()` runs the whole network in float64.
"""
import torch
import torch.nn as nn

# tfhybrid variant id -> official registry hyper-parameters (spec section 1, variants.json).
VARIANTS = {
    # Parity quirk: conv2former_n uses k=7 since commit 91d1bda (earlier code and Jittor: 11).
    "conv2former_n_224": dict(kernel_size=7, dims=[64, 128, 256, 512], depths=[2, 2, 8, 2]),
    "conv2former_t_224": dict(kernel_size=11, dims=[72, 144, 288, 576], depths=[3, 3, 12, 3]),
    "conv2former_s_224": dict(kernel_size=11, dims=[72, 144, 288, 576], depths=[4, 4, 32, 4]),
    "conv2former_b_224": dict(kernel_size=11, dims=[96, 192, 384, 768], depths=[4, 4, 34, 4]),
    "conv2former_b_22k_224": dict(kernel_size=7, dims=[96, 192, 384, 768], depths=[4, 4, 34, 4]),
    "conv2former_l_224": dict(kernel_size=11, dims=[128, 256, 512, 1024], depths=[4, 4, 48, 4]),
}


class LayerNorm(nn.Module):
    """The reference's "channels_first" LayerNorm: over dim 1 of NCHW, biased two-pass variance."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class SpatialAttention(nn.Module):
    """Convolutional modulation: proj(DWk(GELU(1x1(u))) * v(u)), u = LN(x); no sigmoid on a."""

    def __init__(self, dim, kernel_size):
        super().__init__()
        self.norm = LayerNorm(dim)
        self.att = nn.Sequential(
            nn.Conv2d(dim, dim, 1),
            nn.GELU(),
            nn.Conv2d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim),
        )
        self.v = nn.Conv2d(dim, dim, 1)
        self.proj = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        u = self.norm(x)
        return self.proj(self.att(u) * self.v(u))


class MLP(nn.Module):
    """LN, fc1, GELU, then the inner residual t + GELU(DW3x3(t)) (parity quirk), fc2."""

    def __init__(self, dim, mlp_ratio):
        super().__init__()
        hidden = dim * mlp_ratio
        self.norm = LayerNorm(dim)
        self.fc1 = nn.Conv2d(dim, hidden, 1)
        self.pos = nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden)
        self.fc2 = nn.Conv2d(hidden, dim, 1)
        self.act = nn.GELU()

    def forward(self, x):
        t = self.act(self.fc1(self.norm(x)))
        t = t + self.act(self.pos(t))
        return self.fc2(t)


class Block(nn.Module):
    def __init__(self, dim, kernel_size, mlp_ratio):
        super().__init__()
        self.attn = SpatialAttention(dim, kernel_size)
        self.mlp = MLP(dim, mlp_ratio)
        self.layer_scale_1 = nn.Parameter(torch.full((dim,), 1e-6))
        self.layer_scale_2 = nn.Parameter(torch.full((dim,), 1e-6))

    def forward(self, x):
        x = x + self.layer_scale_1[:, None, None] * self.attn(x)
        return x + self.layer_scale_2[:, None, None] * self.mlp(x)


class Conv2Former(nn.Module):
    def __init__(self, kernel_size, img_size=224, in_chans=3, num_classes=1000,
                 depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), window_sizes=None,
                 mlp_ratios=(4, 4, 4, 4), num_heads=None, layer_scale_init_value=1e-6,
                 head_init_scale=1.0, drop_path_rate=0.0, drop_rate=0.0):
        super().__init__()
        if isinstance(mlp_ratios, int):
            mlp_ratios = [mlp_ratios] * len(dims)
        s = dims[0] // 2
        # Parity quirk: stem is conv -> GELU -> BatchNorm (eps 1e-5) twice, then a 2x2/s2 conv
        # without bias or norm.
        self.downsample_layers = nn.ModuleList([nn.Sequential(
            nn.Conv2d(in_chans, s, 3, stride=2, padding=1, bias=False),
            nn.GELU(),
            nn.BatchNorm2d(s),
            nn.Conv2d(s, s, 3, stride=1, padding=1, bias=False),
            nn.GELU(),
            nn.BatchNorm2d(s),
            nn.Conv2d(s, dims[0], 2, stride=2, bias=False),
        )])
        for i in range(len(dims) - 1):
            self.downsample_layers.append(nn.Sequential(
                LayerNorm(dims[i]), nn.Conv2d(dims[i], dims[i + 1], 2, stride=2)))
        self.stages = nn.ModuleList(
            nn.Sequential(*[Block(dims[i], kernel_size, mlp_ratios[i]) for _ in range(depths[i])])
            for i in range(len(dims)))
        # Parity quirk: the head's LayerNorm runs per pixel before the spatial mean.
        self.head = nn.Sequential(nn.Conv2d(dims[-1], 1280, 1), nn.GELU(), LayerNorm(1280))
        self.pred = nn.Linear(1280, num_classes)

    def forward_features(self, x):
        for down, stage in zip(self.downsample_layers, self.stages):
            x = stage(down(x))
        return self.head(x).mean([-2, -1])

    def forward(self, x):
        return self.pred(self.forward_features(x))


def build_from_golden(build):
    """A golden case's official constructor arguments (config.json "build"/"model_kwargs")."""
    return Conv2Former(**build)


def build_variant(variant_id):
    """A tfhybrid variant id (e.g. conv2former_n_224): its official registry configuration."""
    if variant_id not in VARIANTS:
        raise ValueError(f"unknown conv2former variant '{variant_id}'; known: {sorted(VARIANTS)}")
    return Conv2Former(**VARIANTS[variant_id])
