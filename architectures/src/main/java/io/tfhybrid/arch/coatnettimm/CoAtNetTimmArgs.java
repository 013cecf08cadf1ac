package io.tfhybrid.arch.coatnettimm;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.PoolType;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConvConfig.StrideMode;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.Norm;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmTransformerConfig.RelPos;
import io.tfhybrid.ops.Activations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * timm's constructor keywords ({@code timm.create_model(name, **kwargs)}, and the {@code
 * model_args} of a hub {@code config.json}, spec §3) applied to a CoAtNet config. Values are what
 * a JSON parser gives: {@link Number}, {@link Boolean}, {@link String}, {@link List} or null.
 * Keywords that change a switch we port are applied; keywords of fixed parts of the network are
 * accepted only with the value every pretrained CoAtNet has; anything else is an error that names
 * the keyword.
 */
public final class CoAtNetTimmArgs {
  private CoAtNetTimmArgs() {}

  /** Keywords whose value is fixed in every pretrained CoAtNet (and in this port). */
  private static final Map<String, Object> FIXED =
      Map.ofEntries(
          Map.entry("in_chans", 3),
          Map.entry("block_type", List.of("C", "C", "T", "T")),
          Map.entry("stem_bias", false),
          Map.entry("global_pool", "avg"),
          Map.entry("conv_block_type", "mbconv"),
          Map.entry("conv_downsample_pool_type", "avg2"),
          Map.entry("conv_expand_output", false),
          Map.entry("conv_expand_ratio", 4),
          Map.entry("conv_kernel_size", 3),
          Map.entry("conv_group_size", 1),
          Map.entry("conv_padding", ""),
          Map.entry("conv_attn_layer", "se"),
          Map.entry("conv_attn_ratio", 0.25),
          Map.entry("conv_act_layer", "silu"),
          Map.entry("conv_norm_layer", "batchnorm2d"),
          Map.entry("conv_norm_eps", 1e-5),
          Map.entry("transformer_dim_head", 32),
          Map.entry("transformer_head_first", true),
          Map.entry("transformer_expand_first", false),
          Map.entry("transformer_expand_ratio", 4),
          Map.entry("transformer_attn_bias", true),
          Map.entry("transformer_act_layer", "gelu"),
          Map.entry("transformer_norm_eps", 1e-6));

  /** Keywords without effect at inference (dropouts, drop path). */
  private static final List<String> INFERENCE_ONLY =
      List.of("drop_rate", "drop_path_rate", "transformer_attn_drop", "transformer_proj_drop",
          "pretrained", "pretrained_cfg", "pretrained_cfg_overlay", "features_only");

  /** {@code base} with every keyword applied, in order. */
  public static CoAtNetTimmConfig apply(CoAtNetTimmConfig base, Map<String, ?> kwargs) {
    CoAtNetTimmConfig c = base;
    for (Map.Entry<String, ?> e : kwargs.entrySet()) {
      c = apply(c, e.getKey(), e.getValue());
    }
    return c;
  }

  /** {@code base} with one keyword applied. */
  public static CoAtNetTimmConfig apply(CoAtNetTimmConfig c, String key, Object value) {
    CoAtNetTimmConvConfig cv = c.conv();
    CoAtNetTimmTransformerConfig t = c.transformer();
    switch (key) {
      case "embed_dim":
        return new CoAtNetTimmConfig(ints(key, value, 4), c.depths(), c.stemWidth(), cv, t,
            c.numClasses(), c.height(), c.width());
      case "depths":
        return new CoAtNetTimmConfig(c.embedDim(), ints(key, value, 4), c.stemWidth(), cv, t,
            c.numClasses(), c.height(), c.width());
      case "stem_width":
        List<Integer> stem = value instanceof Number n ? List.of(integer(key, n), integer(key, n))
            : ints(key, value, 2);
        return new CoAtNetTimmConfig(c.embedDim(), c.depths(), stem, cv, t, c.numClasses(),
            c.height(), c.width());
      case "img_size":
        List<Integer> hw = value instanceof Number n ? List.of(integer(key, n), integer(key, n))
            : ints(key, value, 2);
        return c.withImageSize(hw.get(0), hw.get(1));
      case "num_classes":
        return c.withNumClasses(integer(key, value));
      case "conv_stride_mode":
        return c.withConv(new CoAtNetTimmConvConfig(choice(key, value, StrideMode.values(),
            StrideMode::timmName), cv.poolType(), cv.preNormAct(), cv.outputBias(),
            cv.attnEarly(), cv.attnAct()));
      case "conv_pool_type":
        return c.withConv(new CoAtNetTimmConvConfig(cv.strideMode(), choice(key, value,
            PoolType.values(), PoolType::timmName), cv.preNormAct(), cv.outputBias(),
            cv.attnEarly(), cv.attnAct()));
      case "conv_pre_norm_act":
        return c.withConv(new CoAtNetTimmConvConfig(cv.strideMode(), cv.poolType(),
            bool(key, value), cv.outputBias(), cv.attnEarly(), cv.attnAct()));
      case "conv_output_bias":
        return c.withConv(new CoAtNetTimmConvConfig(cv.strideMode(), cv.poolType(),
            cv.preNormAct(), bool(key, value), cv.attnEarly(), cv.attnAct()));
      case "conv_attn_early":
        return c.withConv(new CoAtNetTimmConvConfig(cv.strideMode(), cv.poolType(),
            cv.preNormAct(), cv.outputBias(), bool(key, value), cv.attnAct()));
      case "conv_attn_act_layer":
        return c.withConv(new CoAtNetTimmConvConfig(cv.strideMode(), cv.poolType(),
            cv.preNormAct(), cv.outputBias(), cv.attnEarly(), seAct(key, value)));
      case "transformer_pool_type":
        return c.withTransformer(new CoAtNetTimmTransformerConfig(choice(key, value,
            PoolType.values(), PoolType::timmName), t.shortcutBias(), t.norm(), t.relPos(),
            t.relPosDim(), t.layerScale()));
      case "transformer_shortcut_bias":
        return c.withTransformer(new CoAtNetTimmTransformerConfig(t.poolType(), bool(key, value),
            t.norm(), t.relPos(), t.relPosDim(), t.layerScale()));
      case "transformer_norm_layer":
        return c.withTransformer(new CoAtNetTimmTransformerConfig(t.poolType(), t.shortcutBias(),
            choice(key, value, Norm.values(), Norm::timmName), t.relPos(), t.relPosDim(),
            t.layerScale()));
      case "transformer_rel_pos_type":
        return c.withTransformer(new CoAtNetTimmTransformerConfig(t.poolType(), t.shortcutBias(),
            t.norm(), choice(key, value, RelPos.values(), RelPos::timmName), t.relPosDim(),
            t.layerScale()));
      case "transformer_rel_pos_dim":
        return c.withTransformer(new CoAtNetTimmTransformerConfig(t.poolType(), t.shortcutBias(),
            t.norm(), t.relPos(), integer(key, value), t.layerScale()));
      case "transformer_init_values":
        // Any init value builds LayerScale2d (the checkpoint holds the trained gamma); None none.
        return c.withTransformer(new CoAtNetTimmTransformerConfig(t.poolType(), t.shortcutBias(),
            t.norm(), t.relPos(), t.relPosDim(), value != null && !isZero(value)));
      default:
        if (INFERENCE_ONLY.contains(key)) {
          return c;
        }
        if (FIXED.containsKey(key)) {
          Object fixed = FIXED.get(key);
          if (!sameValue(fixed, value)) {
            throw new IllegalArgumentException(String.format(
                "timm keyword '%s' = %s is not supported: every pretrained CoAtNet (and this"
                    + " port) has %s", key, value, fixed));
          }
          return c;
        }
        throw new IllegalArgumentException(String.format(
            "unknown timm CoAtNet keyword '%s' (= %s); known: embed_dim, depths, stem_width,"
                + " img_size, num_classes, conv_{stride_mode, pool_type, pre_norm_act, output_bias,"
                + " attn_early, attn_act_layer}, transformer_{pool_type, shortcut_bias,"
                + " norm_layer, rel_pos_type, rel_pos_dim, init_values} and fixed ones %s",
            key, value, FIXED.keySet().stream().sorted().toList()));
    }
  }

  private static boolean isZero(Object v) {
    return v instanceof Number n && n.doubleValue() == 0;
  }

  private static boolean sameValue(Object fixed, Object value) {
    if (fixed instanceof Number f && value instanceof Number v) {
      return f.doubleValue() == v.doubleValue();
    }
    return Objects.equals(fixed, value);
  }

  private static int integer(String key, Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new IllegalArgumentException(
        "timm keyword '" + key + "': expected an integer, found " + v);
  }

  private static boolean bool(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        "timm keyword '" + key + "': expected true or false, found " + v);
  }

  private static List<Integer> ints(String key, Object v, int n) {
    if (v instanceof List<?> list && list.size() == n) {
      List<Integer> out = new ArrayList<>();
      for (Object o : list) {
        out.add(integer(key, o));
      }
      return out;
    }
    throw new IllegalArgumentException(
        "timm keyword '" + key + "': expected a list of " + n + " integers, found " + v);
  }

  private static <E extends Enum<E>> E choice(
      String key, Object v, E[] values, java.util.function.Function<E, String> name) {
    for (E e : values) {
      if (name.apply(e).equals(v)) {
        return e;
      }
    }
    throw new IllegalArgumentException("timm keyword '" + key + "': expected one of "
        + Arrays.stream(values).map(name).toList() + ", found " + v);
  }

  private static Activations.Kind seAct(String key, Object v) {
    String s = v instanceof String str ? str.toLowerCase(Locale.ROOT) : "";
    return switch (s) {
      case "relu" -> Activations.Kind.RELU;
      case "silu", "swish" -> Activations.Kind.SILU;
      default -> throw new IllegalArgumentException(
          "timm keyword '" + key + "': expected 'relu' or 'silu', found " + v);
    };
  }
}
