"""CoAtNet, ported from chinhsuanwu/coatnet-pytorch @ d3ef1c3, coatnet.py (specs/coatnet.md).

Eval-mode port in plain torch (no einops); module names follow the reference, so its state_dict
(including the persistent `relative_index` buffers) loads with strict=True. Every float tensor
is a parameter or buffer, so `.double()` gives a float64 run of the same function.
Parity quirks kept: the downsampling MBConv subsamples in its stride-2 1x1 expansion conv after
the pre-norm BatchNorm; SE width = floor(block input / 4); Transformer FFN hidden = 4 x block
input; fixed 8 heads x 32; downsampling Transformer = max-pool, then LayerNorm + attention.
"""
import torch
import torch.nn as nn

HEADS, DIM_HEAD = 8, 32

# Our variant id -> the official factory's (num_blocks, channels); all at 224, 1000 classes.
VARIANTS = {
    "coatnet_0_224": ([2, 2, 3, 5, 2], [64, 96, 192, 384, 768]),
    "coatnet_1_224": ([2, 2, 6, 14, 2], [64, 96, 192, 384, 768]),
    "coatnet_2_224": ([2, 2, 6, 14, 2], [128, 128, 256, 512, 1026]),
    "coatnet_3_224": ([2, 2, 6, 14, 2], [192, 192, 384, 768, 1536]),
    "coatnet_4_224": ([2, 2, 12, 28, 2], [192, 192, 384, 768, 1536]),
}


def conv_3x3_bn(inp, oup, image_size, downsample=False):
    """Stem unit: conv 3x3 (stride 2 when downsampling, padding 1, no bias), BN, GELU."""
    return nn.Sequential(nn.Conv2d(inp, oup, 3, 2 if downsample else 1, 1, bias=False),
                         nn.BatchNorm2d(oup), nn.GELU())


class PreNorm(nn.Module):
    def __init__(self, dim, fn, norm):
        super().__init__()
        self.norm = norm(dim)
        self.fn = fn

    def forward(self, x):
        return self.fn(self.norm(x))


class SE(nn.Module):
    """Squeeze-excitation on `oup` channels with width floor(inp * 0.25), GELU, no biases."""

    def __init__(self, inp, oup, expansion=0.25):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(oup, int(inp * expansion), bias=False), nn.GELU(),
                                nn.Linear(int(inp * expansion), oup, bias=False), nn.Sigmoid())

    def forward(self, x):
        b, c = x.shape[:2]
        return x * self.fc(self.avg_pool(x).view(b, c)).view(b, c, 1, 1)


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden_dim), nn.GELU(), nn.Dropout(0.0),
                                 nn.Linear(hidden_dim, dim), nn.Dropout(0.0))

    def forward(self, x):
        return self.net(x)


class MBConv(nn.Module):
    """Pre-norm MBConv, expansion 4 (the reference's expansion-1 form is unreachable)."""

    def __init__(self, inp, oup, image_size, downsample=False, expansion=4):
        super().__init__()
        self.downsample = downsample
        hidden = int(inp * expansion)
        if downsample:
            self.pool = nn.MaxPool2d(3, 2, 1)
            self.proj = nn.Conv2d(inp, oup, 1, 1, 0, bias=False)
        conv = nn.Sequential(
            nn.Conv2d(inp, hidden, 1, 2 if downsample else 1, 0, bias=False),
            nn.BatchNorm2d(hidden), nn.GELU(),
            nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.GELU(),
            SE(inp, hidden),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup))
        self.conv = PreNorm(inp, conv, nn.BatchNorm2d)

    def forward(self, x):
        shortcut = self.proj(self.pool(x)) if self.downsample else x
        return shortcut + self.conv(x)


class Attention(nn.Module):
    """Multi-head self-attention with a relative-position bias table over the (ih, iw) grid."""

    def __init__(self, inp, oup, image_size, heads=HEADS, dim_head=DIM_HEAD):
        super().__init__()
        self.ih, self.iw = image_size
        self.heads = heads
        self.scale = dim_head ** -0.5
        inner = heads * dim_head
        self.relative_bias_table = nn.Parameter(
            torch.zeros((2 * self.ih - 1) * (2 * self.iw - 1), heads))
        # idx(a, b) = (ra - rb + ih - 1) * (2 iw - 1) + (ca - cb + iw - 1), tokens row-major.
        rows, cols = torch.meshgrid(torch.arange(self.ih), torch.arange(self.iw), indexing="ij")
        rows, cols = rows.flatten(), cols.flatten()
        index = ((rows[:, None] - rows[None, :] + self.ih - 1) * (2 * self.iw - 1)
                 + cols[:, None] - cols[None, :] + self.iw - 1)
        self.register_buffer("relative_index", index.flatten().unsqueeze(1))
        self.attend = nn.Softmax(dim=-1)
        self.to_qkv = nn.Linear(inp, inner * 3, bias=False)
        # The reference drops to_out only for 1 head of width inp; heads are always 8 here.
        self.to_out = nn.Sequential(nn.Linear(inner, oup), nn.Dropout(0.0))

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, self.heads, -1).transpose(1, 2)
                   for t in self.to_qkv(x).chunk(3, dim=-1))
        dots = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        bias = self.relative_bias_table.gather(0, self.relative_index.repeat(1, self.heads))
        n0 = self.ih * self.iw
        dots = dots + bias.reshape(n0, n0, self.heads).permute(2, 0, 1).unsqueeze(0)
        out = torch.matmul(self.attend(dots), v)
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


class ToTokens(nn.Module):
    """[B, C, h, w] -> [B, h*w, C] (einops 'b c ih iw -> b (ih iw) c')."""

    def forward(self, x):
        return x.flatten(2).transpose(1, 2)


class ToMap(nn.Module):
    """[B, h*w, C] -> [B, C, h, w] with the construction-time (h, w)."""

    def __init__(self, ih, iw):
        super().__init__()
        self.ih, self.iw = ih, iw

    def forward(self, x):
        return x.transpose(1, 2).reshape(x.shape[0], -1, self.ih, self.iw)


class Transformer(nn.Module):
    def __init__(self, inp, oup, image_size, heads=HEADS, dim_head=DIM_HEAD, downsample=False):
        super().__init__()
        ih, iw = image_size
        self.downsample = downsample
        if downsample:
            self.pool1 = nn.MaxPool2d(3, 2, 1)
            self.pool2 = nn.MaxPool2d(3, 2, 1)
            self.proj = nn.Conv2d(inp, oup, 1, 1, 0, bias=False)
        attn = Attention(inp, oup, image_size, heads, dim_head)
        ff = FeedForward(oup, int(inp * 4))  # FFN hidden from the block input (quirk)
        self.attn = nn.Sequential(ToTokens(), PreNorm(inp, attn, nn.LayerNorm), ToMap(ih, iw))
        self.ff = nn.Sequential(ToTokens(), PreNorm(oup, ff, nn.LayerNorm), ToMap(ih, iw))

    def forward(self, x):
        if self.downsample:
            x = self.proj(self.pool1(x)) + self.attn(self.pool2(x))
        else:
            x = x + self.attn(x)
        return x + self.ff(x)


class CoAtNet(nn.Module):
    def __init__(self, image_size, in_channels, num_blocks, channels, num_classes=1000,
                 block_types=("C", "C", "T", "T")):
        super().__init__()
        ih, iw = image_size
        block = {"C": MBConv, "T": Transformer}
        kinds = [conv_3x3_bn] + [block[t] for t in block_types]
        widths = [in_channels] + list(channels)
        for s in range(5):
            size = (ih // 2 ** (s + 1), iw // 2 ** (s + 1))
            setattr(self, f"s{s}", nn.Sequential(*(
                kinds[s](widths[s] if i == 0 else widths[s + 1], widths[s + 1], size,
                         downsample=(i == 0)) for i in range(num_blocks[s]))))
        self.pool = nn.AvgPool2d(ih // 32, 1)
        self.fc = nn.Linear(channels[-1], num_classes, bias=False)

    def forward(self, x):
        x = self.s4(self.s3(self.s2(self.s1(self.s0(x)))))
        return self.fc(self.pool(x).view(-1, x.shape[1]))


def build_from_golden(build):
    """A golden case's constructor arguments: config.json "constructor" (or the whole config)."""
    build = build.get("constructor", build)
    return CoAtNet(tuple(build["image_size"]), build["in_channels"], build["num_blocks"],
                   build["channels"], build["num_classes"], tuple(build["block_types"]))


def build_variant(variant_id):
    num_blocks, channels = VARIANTS[variant_id]
    return CoAtNet((224, 224), 3, num_blocks, channels, num_classes=1000)
