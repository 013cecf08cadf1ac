/**
 * CvT (Convolutional vision Transformer, microsoft/CvT {@code cls_cvt}) as a TensorFlow graph.
 *
 * <p>{@link io.tfhybrid.arch.cvt.CvtVariants} lists the official variants ({@code cvt_13_224},
 * {@code cvt_13_384}, {@code cvt_21_224}, {@code cvt_21_384}, {@code cvt_w24_384});
 * {@link io.tfhybrid.arch.cvt.CvtConfig} describes any CvT (tiny test configs included) and
 * {@link io.tfhybrid.arch.cvt.Cvt} is the root module, whose tensors are named by the original
 * state_dict keys ({@code stage2.blocks.0.attn.conv_proj_q.bn.running_mean}).
 *
 * <p>Checkpoints: official {@code .pth} files load as they are. Hugging Face checkpoints
 * ({@code microsoft/cvt-13} …, PyTorch keys or TF variable names) load after
 * {@link io.tfhybrid.arch.cvt.CvtHfNames#toOriginal}. Which MLP activation to run: keep
 * {@link io.tfhybrid.arch.cvt.GeluKind#QUICK} (default) for both, to get the official model;
 * choose {@link io.tfhybrid.arch.cvt.GeluKind#ERF} only to reproduce Hugging Face's Python outputs.
 */
package io.tfhybrid.arch.cvt;
