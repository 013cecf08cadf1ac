"""CvT in plain PyTorch: a port of microsoft/CvT@f851e68 lib/models/cls_cvt.py (get_cls_model).

Same module names and state_dict keys as the official code (``stage{i}.blocks.{j}.attn.conv_proj_q.bn``,
the parameter-less ``rearrage`` step included), same constructor arguments (the yaml ``MODEL.SPEC``
dict), eval-mode forward only (dropout, attention dropout and drop-path are identities).
Parity quirks kept (spec ../shared/specs/cvt.md section 5): QuickGELU, attention scale from the
full stage width, the class token bypassing the depthwise conv + BN but entering q, k and v.
One deliberate difference: the official ``LayerNorm`` subclass casts its input to float32 (an fp16
helper, a no-op in float32); here LayerNorm runs in the input's dtype so the model can run in float64.
"""
from collections import OrderedDict
from functools import partial

import torch
from torch import nn
from torch.nn import functional as F


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Rearrange(nn.Module):
    """einops ``Rearrange('b c h w -> b (h w) c')``: a map to row-major tokens."""

    def forward(self, x):
        return x.flatten(2).transpose(1, 2)


def to_map(tokens, h, w):
    """``'b (h w) c -> b c h w'``."""
    return tokens.transpose(1, 2).reshape(tokens.shape[0], -1, h, w)


class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features, act_layer):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features, in_features)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim_in, dim_out, num_heads, qkv_bias, method, kernel_size, stride_kv,
                 stride_q, padding_kv, padding_q, with_cls_token):
        super().__init__()
        if method != "dw_bn":
            raise ValueError(f"QKV_PROJ_METHOD {method!r} is not supported (only 'dw_bn')")
        self.num_heads = num_heads
        self.scale = dim_out ** -0.5  # parity quirk 1: the stage width, not the head width
        self.with_cls_token = with_cls_token
        self.conv_proj_q = self._build_projection(dim_in, kernel_size, padding_q, stride_q)
        self.conv_proj_k = self._build_projection(dim_in, kernel_size, padding_kv, stride_kv)
        self.conv_proj_v = self._build_projection(dim_in, kernel_size, padding_kv, stride_kv)
        self.proj_q = nn.Linear(dim_in, dim_out, bias=qkv_bias)
        self.proj_k = nn.Linear(dim_in, dim_out, bias=qkv_bias)
        self.proj_v = nn.Linear(dim_in, dim_out, bias=qkv_bias)
        self.proj = nn.Linear(dim_out, dim_out)

    @staticmethod
    def _build_projection(dim_in, kernel_size, padding, stride):
        return nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(dim_in, dim_in, kernel_size, padding=padding, stride=stride,
                               bias=False, groups=dim_in)),
            ("bn", nn.BatchNorm2d(dim_in)),
            ("rearrage", Rearrange()),
        ]))

    def forward_conv(self, x, h, w):
        if self.with_cls_token:
            cls_token, x = torch.split(x, [1, h * w], 1)  # parity quirk 3: no conv for the class token
        x = to_map(x, h, w)
        q, k, v = self.conv_proj_q(x), self.conv_proj_k(x), self.conv_proj_v(x)
        if self.with_cls_token:
            q, k, v = (torch.cat((cls_token, t), dim=1) for t in (q, k, v))
        return q, k, v

    def heads(self, t):
        """``'b t (h d) -> b h t d'``."""
        b, n, c = t.shape
        return t.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def forward(self, x, h, w):
        q, k, v = self.forward_conv(x, h, w)
        q, k, v = self.heads(self.proj_q(q)), self.heads(self.proj_k(k)), self.heads(self.proj_v(v))
        attn = F.softmax(torch.einsum("bhlk,bhtk->bhlt", q, k) * self.scale, dim=-1)
        x = torch.einsum("bhlt,bhtv->bhlv", attn, v)
        x = x.transpose(1, 2).flatten(2)  # 'b h t d -> b t (h d)'
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim_in, dim_out, num_heads, mlp_ratio, act_layer, norm_layer, **kwargs):
        super().__init__()
        self.with_cls_token = kwargs["with_cls_token"]
        self.norm1 = norm_layer(dim_in)
        self.attn = Attention(dim_in, dim_out, num_heads, **kwargs)
        self.norm2 = norm_layer(dim_out)
        self.mlp = Mlp(dim_out, int(dim_out * mlp_ratio), act_layer)

    def forward(self, x, h, w):
        x = x + self.attn(self.norm1(x), h, w)
        return x + self.mlp(self.norm2(x))


class ConvEmbed(nn.Module):
    def __init__(self, patch_size, in_chans, embed_dim, stride, padding, norm_layer):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=stride,
                              padding=padding)
        self.norm = norm_layer(embed_dim)

    def forward(self, x):
        x = self.proj(x)
        _, _, h, w = x.shape
        return to_map(self.norm(Rearrange()(x)), h, w)


class VisionTransformer(nn.Module):
    """One CvT stage: conv embedding, optional class token, blocks."""

    def __init__(self, patch_size, patch_stride, patch_padding, in_chans, embed_dim, depth,
                 num_heads, mlp_ratio, qkv_bias, act_layer, norm_layer, **kwargs):
        super().__init__()
        self.patch_embed = ConvEmbed(patch_size, in_chans, embed_dim, patch_stride, patch_padding,
                                     norm_layer)
        with_cls_token = kwargs["with_cls_token"]
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim)) if with_cls_token else None
        self.blocks = nn.ModuleList([
            Block(embed_dim, embed_dim, num_heads, mlp_ratio, act_layer, norm_layer,
                  qkv_bias=qkv_bias, **kwargs)
            for _ in range(depth)])

    def forward(self, x):
        x = self.patch_embed(x)
        b, _, h, w = x.shape
        x = Rearrange()(x)
        cls_tokens = None
        if self.cls_token is not None:
            cls_tokens = self.cls_token.expand(b, -1, -1)
            x = torch.cat((cls_tokens, x), dim=1)
        for blk in self.blocks:
            x = blk(x, h, w)
        if self.cls_token is not None:
            cls_tokens, x = torch.split(x, [1, h * w], 1)
        return to_map(x, h, w), cls_tokens


class ConvolutionalVisionTransformer(nn.Module):
    def __init__(self, in_chans=3, num_classes=1000, act_layer=QuickGELU,
                 norm_layer=partial(nn.LayerNorm, eps=1e-5), spec=None):
        super().__init__()
        self.num_stages = spec["NUM_STAGES"]
        for i in range(self.num_stages):
            stage = VisionTransformer(
                patch_size=spec["PATCH_SIZE"][i], patch_stride=spec["PATCH_STRIDE"][i],
                patch_padding=spec["PATCH_PADDING"][i], in_chans=in_chans,
                embed_dim=spec["DIM_EMBED"][i], depth=spec["DEPTH"][i],
                num_heads=spec["NUM_HEADS"][i], mlp_ratio=spec["MLP_RATIO"][i],
                qkv_bias=spec["QKV_BIAS"][i], act_layer=act_layer, norm_layer=norm_layer,
                with_cls_token=spec["CLS_TOKEN"][i], method=spec["QKV_PROJ_METHOD"][i],
                kernel_size=spec["KERNEL_QKV"][i], padding_q=spec["PADDING_Q"][i],
                padding_kv=spec["PADDING_KV"][i], stride_kv=spec["STRIDE_KV"][i],
                stride_q=spec["STRIDE_Q"][i])
            setattr(self, f"stage{i}", stage)
            in_chans = spec["DIM_EMBED"][i]
        dim_embed = spec["DIM_EMBED"][-1]
        self.norm = norm_layer(dim_embed)
        self.cls_token = spec["CLS_TOKEN"][-1]
        self.head = nn.Linear(dim_embed, num_classes)

    def forward_features(self, x):
        for i in range(self.num_stages):
            x, cls_tokens = getattr(self, f"stage{i}")(x)
        if self.cls_token:
            return self.norm(cls_tokens)[:, 0]  # [B, C] (the official axis-less squeeze: quirk 4)
        return torch.mean(self.norm(Rearrange()(x)), dim=1)  # normalise, then average

    def forward(self, x):
        return self.head(self.forward_features(x))


def build_from_golden(build):
    """A golden case's config.json "build": num_classes, in_chans and the yaml MODEL.SPEC."""
    return ConvolutionalVisionTransformer(in_chans=build.get("in_chans", 3),
                                          num_classes=build["num_classes"], spec=build["spec"])


def _official_spec(dims, heads, depths):
    """The MODEL.SPEC of the official yamls (experiments/imagenet/cvt/*.yaml)."""
    return {
        "NUM_STAGES": 3, "PATCH_SIZE": [7, 3, 3], "PATCH_STRIDE": [4, 2, 2],
        "PATCH_PADDING": [2, 1, 1], "DIM_EMBED": dims, "NUM_HEADS": heads, "DEPTH": depths,
        "MLP_RATIO": [4.0] * 3, "QKV_BIAS": [True] * 3, "CLS_TOKEN": [False, False, True],
        "QKV_PROJ_METHOD": ["dw_bn"] * 3, "KERNEL_QKV": [3] * 3, "PADDING_Q": [1] * 3,
        "PADDING_KV": [1] * 3, "STRIDE_KV": [2] * 3, "STRIDE_Q": [1] * 3,
    }


_CVT_13 = ([64, 192, 384], [1, 3, 6], [1, 2, 10])
_CVT_21 = ([64, 192, 384], [1, 3, 6], [1, 4, 16])
_CVT_W24 = ([192, 768, 1024], [3, 12, 16], [2, 2, 20])
VARIANTS = {"cvt_13_224": _CVT_13, "cvt_13_384": _CVT_13, "cvt_21_224": _CVT_21,
            "cvt_21_384": _CVT_21, "cvt_w24_384": _CVT_W24}
INPUT_SIZE = {v: int(v.rsplit("_", 1)[1]) for v in VARIANTS}


def build_variant(variant_id):
    if variant_id not in VARIANTS:
        raise ValueError(f"unknown CvT variant '{variant_id}'; known: {', '.join(VARIANTS)}")
    return ConvolutionalVisionTransformer(num_classes=1000, spec=_official_spec(*VARIANTS[variant_id]))
