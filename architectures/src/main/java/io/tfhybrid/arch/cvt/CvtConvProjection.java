package io.tfhybrid.arch.cvt;

import io.tfhybrid.nn.BatchNorm2d;
import io.tfhybrid.nn.Conv2d;
import io.tfhybrid.nn.Ctx;
import io.tfhybrid.nn.Lambda;
import io.tfhybrid.nn.Module;
import io.tfhybrid.ops.Layouts;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The {@code dw_bn} projection {@code attn.conv_proj_{q,k,v}}: the reference's
 * {@code nn.Sequential(conv, bn, rearrage)} — a depthwise convolution without bias, an inference
 * BatchNorm and the flatten to tokens. NHWC map {@code [B, H, W, C]} in, tokens
 * {@code [B, H'·W', C]} out (row-major, as einops {@code 'b c h w -> b (h w) c'}).
 */
final class CvtConvProjection extends Module {
  private final Conv2d conv;
  private final BatchNorm2d bn;
  private final Lambda rearrage;

  CvtConvProjection(int dim, int kernel, int padding, int stride) {
    // Parity quirk: symmetric PyTorch padding; the stride-2 k/v convs pad 1 on every side
    // (explicit pad + VALID depthwise conv), never TF SAME's 0 before / 1 after.
    conv = child("conv", Conv2d.builder(dim, dim, kernel)
        .stride(stride).padding(padding).groups(dim).bias(false).build());
    bn = child("bn", new BatchNorm2d(dim));
    // The reference's attribute name is misspelt "rearrage"; it holds no tensors.
    rearrage = child("rearrage", new Lambda("Rearrange", Layouts::mapToTokens));
  }

  @Override
  protected Operand<TFloat32> forward(Ctx ctx, Operand<TFloat32> xNhwc) {
    return call(rearrage, ctx, call(bn, ctx, call(conv, ctx, xNhwc)));
  }
}
