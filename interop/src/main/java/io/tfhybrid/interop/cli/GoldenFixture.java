package io.tfhybrid.interop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.coatnet.CoAtNetBlockType;
import io.tfhybrid.arch.coatnet.CoAtNetConfig;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.contnet.ContNetFlags;
import io.tfhybrid.arch.conv2former.Conv2FormerConfig;
import io.tfhybrid.arch.cvt.CvtConfig;
import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.arch.transcnn.HatNetConfig;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A bundled golden case ({@code golden-tests/src/test/resources/golden/<arch>/<case>/}): the
 * reference's config.json, weights, NCHW input and logits, as the golden tests use them.
 */
record GoldenFixture(Arch arch, String name, Path dir, JsonNode config) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every case of a family under {@code root}, sorted by name (empty when there is none). */
  static List<GoldenFixture> cases(Path root, Arch arch) throws IOException {
    Path d = root.resolve(arch.id());
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    List<GoldenFixture> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(d)) {
      for (Path c :
          dirs.filter(p -> Files.isRegularFile(p.resolve("config.json"))).sorted().toList()) {
        try (InputStream in = Files.newInputStream(c.resolve("config.json"))) {
          out.add(new GoldenFixture(arch, c.getFileName().toString(), c, JSON.readTree(in)));
        }
      }
    }
    return out;
  }

  Path weightsPth() {
    return dir.resolve("weights.pth");
  }

  HostTensor inputNchw() throws IOException {
    return NpyReader.readArray(dir.resolve("input.npy"));
  }

  HostTensor logits() throws IOException {
    return NpyReader.readArray(dir.resolve("logits.npy"));
  }

  /** Input [N, 3, H, W]: H. */
  int height() {
    return config.get("input").get("shape").get(2).asInt();
  }

  int width() {
    return config.get("input").get("shape").get(3).asInt();
  }

  long paramCount() {
    return config.get("param_count").asLong();
  }

  /** The state_dict listing of config.json: key → torch shape. */
  Map<String, long[]> stateDictShapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = config.get("state_dict").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = e.getValue().get(i).asLong();
      }
      out.put(e.getKey(), s);
    }
    return out;
  }

  /** Checks every file's sha256 against config.json; a difference is a {@link CliError}. */
  void verifyChecksums(List<String> files) throws IOException {
    JsonNode sums = config.get("files_sha256");
    for (String f : files) {
      JsonNode want = sums == null ? null : sums.get(f);
      if (want == null) {
        continue;
      }
      String got = sha256(dir.resolve(f));
      if (!got.equals(want.asText())) {
        throw new CliError(
            "golden file '" + dir.resolve(f) + "' is not the bundled one",
            "sha256 " + want.asText(),
            got,
            "restore it with git checkout");
      }
    }
  }

  private static String sha256(Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(p)) {
        byte[] buf = new byte[1 << 16];
        for (int n = in.read(buf); n > 0; n = in.read(buf)) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The config the case was generated with, read from the reference constructor arguments its
   * config.json records. Each family writes those under its own names, so this is the one place the
   * command line knows about fixture formats; a family without an entry here is detected from the
   * case's state_dict listing instead.
   */
  Optional<ModelConfig> modelConfig() {
    return switch (arch) {
      case CONV2FORMER -> {
        JsonNode kw = config.get("model_kwargs");
        yield Optional.of(
            new Conv2FormerConfig(
                kw.get("kernel_size").asInt(),
                ints(kw.get("dims")),
                ints(kw.get("depths")),
                ints(kw.get("mlp_ratios")),
                kw.get("num_classes").asInt()));
      }
      case CONTNET -> {
        JsonNode hp = config.get("hyper_parameters");
        JsonNode fl = config.get("flags");
        yield Optional.of(
            new ContNetConfig(
                hp.get("inplanes").asInt(),
                ints(hp.get("layers")),
                ints(hp.get("mlp_dim")),
                ints(hp.get("head_num")),
                hp.get("num_classes").asInt(),
                new ContNetFlags(
                    fl.get("use_avgdown").asBoolean(),
                    fl.get("relative").asBoolean(),
                    fl.get("qkv_bias").asBoolean(),
                    fl.get("pre_norm").asBoolean())));
      }
      case CVT -> {
        JsonNode build = config.get("build");
        GeluKind act =
            build.get("act_layer").asText().equals("GELU") ? GeluKind.ERF : GeluKind.QUICK;
        @SuppressWarnings("unchecked")
        Map<String, ?> spec = JSON.convertValue(build.get("spec"), Map.class);
        yield Optional.of(CvtConfig.fromReferenceSpec(spec, build.get("num_classes").asInt(), act));
      }
      case COATNET -> {
        JsonNode ctor = config.get("constructor");
        List<CoAtNetBlockType> types = new ArrayList<>();
        ctor.get("block_types").forEach(t -> types.add(CoAtNetBlockType.of(t.asText())));
        yield Optional.of(
            new CoAtNetConfig(
                ctor.get("image_size").get(0).asInt(),
                ints(ctor.get("num_blocks")),
                ints(ctor.get("channels")),
                types,
                ctor.get("num_classes").asInt()));
      }
      case TRANSCNN -> {
        JsonNode build = config.get("build");
        JsonNode hp = build.get("hyper_parameters");
        yield Optional.of(
            HatNetConfig.of(
                array(hp.get("dims")),
                hp.get("head_dim").asInt(),
                array(hp.get("expansions")),
                array(hp.get("grid_sizes")),
                array(hp.get("ds_ratios")),
                array(hp.get("depths")),
                array(hp.get("kernel_sizes")),
                build.get("num_classes").asInt()));
      }
    };
  }

  private static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asInt()));
    return out;
  }

  private static int[] array(JsonNode n) {
    return ints(n).stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public String toString() {
    return arch.id() + "/" + name;
  }
}
