package io.tfhybrid.arch.coatnet;

import static io.tfhybrid.arch.golden.FixtureJson.longs;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfhybrid.nn.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The state_dict the CoAtNet spec's key patterns imply for a fixture's per-block facts, for tests
 * that need no TensorFlow.
 */
public final class CoAtNetFixtures {
  private CoAtNetFixtures() {}

  /** One expected state_dict entry written from the spec's §7 key patterns. */
  record Entry(String key, long[] shape, boolean parameter, DType dtype) {}

  /**
   * The state_dict a variants.json / config.json entry implies, written independently of the
   * module code from spec §7 (key patterns) and the per-block facts of {@code stages}.
   */
  static List<Entry> expectedStateDict(JsonNode stages, long numClasses) {
    List<Entry> out = new ArrayList<>();
    int d4 = 0;
    for (JsonNode stage : stages) {
      String type = stage.get("type").asText();
      for (JsonNode b : stage.get("blocks")) {
        String p = b.get("index").asText() + ".";
        long inp = b.get("inp").asLong();
        long oup = b.get("oup").asLong();
        boolean down = b.get("downsample").asBoolean();
        switch (type) {
          case "stem" -> {
            out.add(param(p + "0.weight", oup, inp, 3, 3));
            bn(out, p + "1.", oup);
          }
          case "C" -> {
            long hid = b.get("hidden").asLong();
            long se = b.get("se_hidden").asLong();
            if (down) {
              out.add(param(p + "proj.weight", oup, inp, 1, 1));
            }
            bn(out, p + "conv.norm.", inp);
            out.add(param(p + "conv.fn.0.weight", hid, inp, 1, 1));
            bn(out, p + "conv.fn.1.", hid);
            out.add(param(p + "conv.fn.3.weight", hid, 1, 3, 3));
            bn(out, p + "conv.fn.4.", hid);
            out.add(param(p + "conv.fn.6.fc.0.weight", se, hid));
            out.add(param(p + "conv.fn.6.fc.2.weight", hid, se));
            out.add(param(p + "conv.fn.7.weight", oup, hid, 1, 1));
            bn(out, p + "conv.fn.8.", oup);
          }
          case "T" -> {
            long f = b.get("ffn_hidden").asLong();
            if (down) {
              out.add(param(p + "proj.weight", oup, inp, 1, 1));
            }
            out.add(param(p + "attn.1.norm.weight", inp));
            out.add(param(p + "attn.1.norm.bias", inp));
            out.add(param(p + "attn.1.fn.relative_bias_table",
                longs(b.get("relative_bias_table"))));
            out.add(new Entry(p + "attn.1.fn.relative_index", longs(b.get("relative_index")), false,
                DType.I64));
            out.add(param(p + "attn.1.fn.to_qkv.weight", b.get("qkv_out").asLong(), inp));
            out.add(param(p + "attn.1.fn.to_out.0.weight", oup, CoAtNetConfig.INNER_DIM));
            out.add(param(p + "attn.1.fn.to_out.0.bias", oup));
            out.add(param(p + "ff.1.norm.weight", oup));
            out.add(param(p + "ff.1.norm.bias", oup));
            out.add(param(p + "ff.1.fn.net.0.weight", f, oup));
            out.add(param(p + "ff.1.fn.net.0.bias", f));
            out.add(param(p + "ff.1.fn.net.3.weight", oup, f));
            out.add(param(p + "ff.1.fn.net.3.bias", oup));
          }
          default -> throw new IllegalStateException("unknown stage type " + type);
        }
        d4 = (int) oup;
      }
    }
    out.add(param("fc.weight", numClasses, d4));
    return out;
  }

  private static Entry param(String key, long... shape) {
    return new Entry(key, shape, true, DType.F32);
  }

  private static void bn(List<Entry> out, String p, long c) {
    out.add(param(p + "weight", c));
    out.add(param(p + "bias", c));
    out.add(new Entry(p + "running_mean", new long[] {c}, false, DType.F32));
    out.add(new Entry(p + "running_var", new long[] {c}, false, DType.F32));
    out.add(new Entry(p + "num_batches_tracked", new long[0], false, DType.I64));
  }
}
