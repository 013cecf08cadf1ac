/**
 * TransCNN, whose official code is now named HAT-Net ("Vision Transformers with Hierarchical
 * Attention"; yun-liu/TransCNN {@code HAT_Net.py}, also served as yun-liu/HAT-Net). The family is
 * {@code Arch.TRANSCNN} (aliases {@code hatnet}, {@code hat-net}, {@code hat_net}); variants
 * {@code transcnn_tiny_224} … {@code transcnn_large_224} are also found as
 * {@code hatnet_tiny_224} … and by the reference factory names through
 * {@link io.tfhybrid.arch.transcnn.HatNetVariants#byReferenceName}. Classes carry the code's
 * name: {@link io.tfhybrid.arch.transcnn.HatNet} (root), {@code HatNetConfig},
 * {@code HatNetBlock}, … See README.md next to this file.
 */
package io.tfhybrid.arch.transcnn;
