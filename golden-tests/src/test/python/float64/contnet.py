"""ConTNet, ported from the official PyTorch code for float64 runs (eval mode only).

Source: yan-hao-tian/ConTNet at commit a3699f4, file ConTNet.py (classes ConvBN, MHSA, MLP, STE,
ConTBlock, ConTNet; factories create_ConTNet_{Ti,S,M,B}); spec ../shared/specs/contnet.md. Module
names, and so the state_dict keys, are the official ones. Plain torch ops only (no einops), so
`.double()` gives a float64 model. Dropout and last_dropout are training-only and left out; the
unreachable tweak_C / first_embedding stems are not implemented (spec section 3).

Parity quirks kept (spec section 8): stem conv7x7/2 + maxpool3x3/2 without BN/ReLU; pre-activation
blocks whose identity shortcut adds the *raw* input; no norm after the last stage; last stage with
stride 1, patches [7, 7], a 1x1 out_conv and a 1x1 projection shortcut; absolute PE split by channel
halves (rows, columns) that stays in the residual stream; qkv laid out [3, heads, head_dim]; q scaled
before q @ k^T; proj always with a bias.
"""
from collections import OrderedDict

import torch
from torch import nn

# Official hyper-parameters of the headline variant (create_ConTNet_M with main.py's default flags).
VARIANTS = {
    "contnet_m_224": dict(inplanes=64, layers=[2, 2, 2, 2], mlp_dim=[256, 512, 1024, 1024],
                          head_num=[1, 2, 4, 8], num_classes=1000, use_avgdown=False,
                          relative=False, qkv_bias=True, pre_norm=False),
}


class ConvBN(nn.Sequential):
    """Official ConvBN with bn=False: a bias-free conv, padding (k-1)//2, under the key 'conv'."""

    def __init__(self, in_planes, out_planes, kernel_size, stride=1):
        super().__init__(OrderedDict(conv=nn.Conv2d(in_planes, out_planes, kernel_size, stride,
                                                    padding=(kernel_size - 1) // 2, bias=False)))


class MHSA(nn.Module):
    def __init__(self, planes, head_num, patch_size, qkv_bias, relative):
        super().__init__()
        self.head_num, self.patch_size, self.relative = head_num, patch_size, relative
        self.scale = (planes // head_num) ** -0.5
        self.qkv = nn.Linear(planes, 3 * planes, bias=qkv_bias)
        if relative:
            p = patch_size
            self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * p - 1) ** 2, head_num))
            r, c = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
            r, c = r.flatten(), c.flatten()
            index = (r[:, None] - r[None, :] + p - 1) * (2 * p - 1) + (c[:, None] - c[None, :] + p - 1)
            self.register_buffer("relative_position_index", index)  # persistent, as in the official code
        self.proj = nn.Linear(planes, planes)

    def forward(self, x):
        b, n, c = x.shape
        h = self.head_num
        q, k, v = self.qkv(x).reshape(b, n, 3, h, c // h).permute(2, 0, 3, 1, 4)  # [3, b, h, n, d]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        if self.relative:
            bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
            attn = attn + bias.view(n, n, h).permute(2, 0, 1).unsqueeze(0)
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class MLP(nn.Module):
    def __init__(self, planes, mlp_dim):
        super().__init__()
        self.fc1 = nn.Linear(planes, mlp_dim)
        self.act = nn.GELU()  # exact erf form
        self.fc2 = nn.Linear(mlp_dim, planes)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class STE(nn.Module):
    """Standard Transformer Encoder run independently inside every p x p patch."""

    def __init__(self, planes, mlp_dim, head_num, patch_size, relative, qkv_bias, pre_norm):
        super().__init__()
        self.patch_size, self.relative, self.pre_norm = patch_size, relative, pre_norm
        if not relative:
            self.pe = nn.ParameterList([nn.Parameter(torch.zeros(1, patch_size, 1, planes // 2)),
                                        nn.Parameter(torch.zeros(1, 1, patch_size, planes // 2))])
        self.attn = MHSA(planes, head_num, patch_size, qkv_bias, relative)
        self.mlp = MLP(planes, mlp_dim)
        self.norm1 = nn.LayerNorm(planes)
        self.norm2 = nn.LayerNorm(planes)

    def forward(self, x):
        b, c, h, w = x.shape
        p = self.patch_size
        nh, nw = h // p, w // p
        if nh * p != h or nw * p != w:  # the official unfold would drop rows/columns, then fail
            raise ValueError(f"STE: map {h}x{w} is not a multiple of the patch side {p}")
        # [b, c, nh*p, nw*p] -> [(b nh nw), p, p, c]
        x = x.reshape(b, c, nh, p, nw, p).permute(0, 2, 4, 3, 5, 1).reshape(b * nh * nw, p, p, c)
        if not self.relative:
            x_h, x_w = x.split(c // 2, dim=3)
            x = torch.cat((x_h + self.pe[0], x_w + self.pe[1]), dim=3)
        x = x.reshape(b * nh * nw, p * p, c)
        if self.pre_norm:
            x = x + self.attn(self.norm1(x))
            x = x + self.mlp(self.norm2(x))
        else:
            x = self.norm1(x + self.attn(x))
            x = self.norm2(x + self.mlp(x))
        # [(b nh nw), (p p), c] -> [b, c, nh*p, nw*p]
        return x.reshape(b, nh, nw, p, p, c).permute(0, 5, 1, 3, 2, 4).reshape(b, c, h, w)


class ConTBlock(nn.Module):
    def __init__(self, planes, out_planes, mlp_dim, head_num, patch_size, downsample=None, stride=1,
                 **ste_flags):
        super().__init__()
        self.downsample = downsample
        self.bn = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.ste1 = STE(planes, mlp_dim, head_num, patch_size[0], **ste_flags)
        self.ste2 = STE(planes, mlp_dim, head_num, patch_size[1], **ste_flags)
        kernel_size = 1 if stride == 1 and downsample is not None else 3
        self.out_conv = ConvBN(planes, out_planes, kernel_size, stride)

    def forward(self, x):
        x_preact = self.relu(self.bn(x))
        identity = x if self.downsample is None else self.downsample(x_preact)  # raw x: quirk
        return self.out_conv(self.ste2(self.ste1(x_preact))) + identity


class ConTNet(nn.Module):
    """ConTNet(block=ConTBlock, ...) with the official constructor arguments (dropouts ignored)."""

    def __init__(self, layers, mlp_dim, head_num, in_channels=3, inplanes=64, num_classes=1000,
                 use_avgdown=False, relative=False, qkv_bias=True, pre_norm=False, **_training_only):
        super().__init__()
        self.layer0 = nn.Sequential(OrderedDict(
            conv=ConvBN(in_channels, inplanes, 7, 2),
            maxpool=nn.MaxPool2d(kernel_size=3, stride=2, padding=1)))  # no BN/ReLU: quirk
        flags = dict(relative=relative, qkv_bias=qkv_bias, pre_norm=pre_norm)
        self.num_stages = len(layers)
        for i, blocks in enumerate(layers):
            last = i == len(layers) - 1
            planes = inplanes * 2 ** i
            stride, patch_size = (1, [7, 7]) if last else (2, [7, 14])
            stage = OrderedDict()
            for j in range(blocks - 1):
                stage[f"ConTBlock{j}"] = ConTBlock(planes, planes, mlp_dim[i], head_num[i],
                                                   patch_size, **flags)
            if last:
                downsample = ConvBN(planes, 2 * planes, 1, 1)
            elif use_avgdown:
                downsample = nn.Sequential(OrderedDict(
                    avgpool=nn.AvgPool2d(kernel_size=2, stride=2), conv=ConvBN(planes, 2 * planes, 1, 1)))
            else:
                downsample = ConvBN(planes, 2 * planes, 1, 2)
            stage[f"ConTBlock{blocks - 1}"] = ConTBlock(planes, 2 * planes, mlp_dim[i], head_num[i],
                                                        patch_size, downsample, stride, **flags)
            self.add_module(f"layer{i + 1}", nn.Sequential(stage))
        self.fc = nn.Linear(2 * inplanes * 2 ** (len(layers) - 1), num_classes)

    def forward(self, x):
        x = self.layer0(x)
        for i in range(self.num_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(x.mean([2, 3]))


def build_from_golden(config: dict) -> nn.Module:
    """A golden case's config.json: the official constructor arguments are its hyper_parameters
    plus its flags."""
    return ConTNet(**config["hyper_parameters"], **config["flags"])


def build_variant(variant_id: str) -> nn.Module:
    if variant_id not in VARIANTS:
        raise ValueError(f"unknown ConTNet variant '{variant_id}'; known: {sorted(VARIANTS)}")
    return ConTNet(**VARIANTS[variant_id])
