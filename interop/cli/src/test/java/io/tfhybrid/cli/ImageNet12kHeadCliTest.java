package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.coatnettimm.CoAtNetTimmArgs;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants;
import io.tfhybrid.interop.checkpoint.SafetensorsFiles;
import io.tfhybrid.interop.serving.ExportMetadata;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.nn.ParamSpec;
import io.tfhybrid.nn.RandomWeights;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ImageNet-12k sized head (11821 classes, as the {@code sw_in12k} tags have) on a tiny timm
 * CoAtNet hub folder with random weights: it exports, and predict prints class indices, or the
 * names of a --labels file.
 */
class ImageNet12kHeadCliTest {
  @TempDir Path tmp;

  @Test
  void an11821ClassHeadExportsAndPredictsIndicesOrLabels() throws Exception {
    Map<String, Object> args =
        Map.of("embed_dim", List.of(16, 32, 64, 96), "depths", List.of(1, 1, 1, 1),
            "stem_width", List.of(8, 12));
    CoAtNetTimmConfig c =
        CoAtNetTimmArgs.apply(
                CoAtNetTimmVariants.architecture("coatnet_rmlp_1_rw2_224").config(), args)
            .withNumClasses(CoAtNetTimmVariants.IN12K)
            .withImageSize(64, 64);
    Path hub = tmp.resolve("coatnet_rmlp_1_rw2_224.sw_in12k");
    Files.createDirectories(hub);
    List<ParamSpec> specs = c.createModule().stateDictSpec();
    Map<String, Object> values = RandomWeights.torchLayout(specs, 11);
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    for (ParamSpec s : specs) {
      Object v = values.get(s.key());
      tensors.put(s.key(), v instanceof float[] f
          ? HostTensor.ofFloats(s.torchShape(), f)
          : HostTensor.ofLongs(s.torchShape(), (long[]) v));
    }
    SafetensorsFiles.write(hub.resolve("model.safetensors"), tensors);
    Files.writeString(hub.resolve("config.json"), """
        {"architecture": "coatnet_rmlp_1_rw2_224", "num_classes": 11821,
         "model_args": {"embed_dim": [16, 32, 64, 96], "depths": [1, 1, 1, 1],
                        "stem_width": [8, 12]},
         "pretrained_cfg": {"tag": "sw_in12k", "input_size": [3, 64, 64],
                            "interpolation": "bicubic", "crop_pct": 0.95, "crop_mode": "center",
                            "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                            "num_classes": 11821}}
        """);

    Path out = tmp.resolve("exported/in12k");
    HubFolderCliTest.Run conv = HubFolderCliTest.run("convert", hub.toString(), "--out",
        out.toString());
    assertEquals(0, conv.status(), conv.err());
    ExportMetadata meta = ExportMetadata.read(out.resolve("1/assets.extra/tfhybrid.json"));
    assertEquals(11821, meta.numClasses());
    assertEquals("coatnet_rmlp_1_rw2_224.sw_in12k", meta.model());

    BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 50; x++) {
        img.setRGB(x, y, (x * 5) << 16 | (y * 6) << 8 | 128);
      }
    }
    Path png = tmp.resolve("img.png");
    ImageIO.write(img, "png", png.toFile());
    HubFolderCliTest.Run plain = HubFolderCliTest.run("predict", out.toString(), png.toString(),
        "--top", "3");
    assertEquals(0, plain.status(), plain.err());
    System.out.println(plain.out());
    assertTrue(plain.out().matches("(?s).*  1\\. class \\d+ .*"), plain.out());

    Path labels = tmp.resolve("in12k.txt");
    Files.writeString(labels, IntStream.range(0, 11821).mapToObj(i -> "synset_" + i)
        .collect(Collectors.joining("\n")));
    HubFolderCliTest.Run named = HubFolderCliTest.run("predict", out.toString(), png.toString(),
        "--top", "3", "--labels", labels.toString());
    assertEquals(0, named.status(), named.err());
    System.out.println(named.out());
    assertTrue(named.out().matches("(?s).*  1\\. synset_\\d+ .*"), named.out());
  }
}
