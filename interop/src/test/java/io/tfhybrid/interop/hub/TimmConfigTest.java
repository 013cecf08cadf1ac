package io.tfhybrid.interop.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmConfig;
import io.tfhybrid.arch.coatnettimm.CoAtNetTimmVariants;
import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** timm's config.json (hub folders) and the folder / bare-file resolution. */
class TimmConfigTest {
  @TempDir Path dir;

  /** config.json as timm's save_config_for_hf writes it for coatnet_rmlp_2_rw_384. */
  static final String RMLP2_384 =
      """
      {
        "architecture": "coatnet_rmlp_2_rw_384",
        "num_classes": 1000,
        "num_features": 1024,
        "global_pool": "avg",
        "pretrained_cfg": {
          "tag": "sw_in12k_ft_in1k", "custom_load": false,
          "input_size": [3, 384, 384], "fixed_input_size": true,
          "interpolation": "bicubic", "crop_pct": 1.0, "crop_mode": "squash",
          "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
          "num_classes": 1000, "pool_size": [12, 12],
          "first_conv": "stem.conv1", "classifier": "head.fc", "license": "apache-2.0"
        }
      }
      """;

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void aHubConfigGivesArchitectureClassesSizeAndTransform() throws Exception {
    TimmConfig c = TimmConfig.read(write("config.json", RMLP2_384));
    assertEquals("coatnet_rmlp_2_rw_384", c.architecture());
    assertEquals("coatnet_rmlp_2_rw_384.sw_in12k_ft_in1k", c.modelName());
    CoAtNetTimmConfig m = c.modelConfig();
    assertEquals(
        CoAtNetTimmVariants.architecture("coatnet_rmlp_2_rw_384").config(), m);
    assertEquals(
        new Preprocessing(Interpolation.BICUBIC, CropMode.SQUASH, 384, 384, 384, 384,
            List.of(0.5f, 0.5f, 0.5f), List.of(0.5f, 0.5f, 0.5f)),
        c.preprocessing(m));
  }

  @Test
  void modelArgsAndInputSizeBuildWhatTimmBuilds() throws Exception {
    TimmConfig c = TimmConfig.read(write("config.json", """
        {"architecture": "coatnet_rmlp_1_rw_224", "num_classes": 6,
         "model_args": {"embed_dim": [16, 32, 64, 96], "depths": [1, 2, 2, 2],
                        "stem_width": [8, 12]},
         "pretrained_cfg": {"input_size": [3, 64, 64], "crop_pct": 0.95, "crop_mode": "center",
                            "interpolation": "bicubic", "mean": [0.5, 0.5, 0.5],
                            "std": [0.5, 0.5, 0.5], "num_classes": 6}}
        """));
    CoAtNetTimmConfig m = c.modelConfig();
    assertEquals(List.of(16, 32, 64, 96), m.embedDim());
    assertEquals(List.of(1, 2, 2, 2), m.depths());
    assertEquals(6, m.numClasses());
    assertEquals(64, m.height());
    Preprocessing p = c.preprocessing(m);
    assertEquals(67, p.resizeHeight()); // floor(64 / 0.95)
    assertEquals(CropMode.CENTER, p.cropMode());
    assertEquals("coatnet_rmlp_1_rw_224", c.modelName());
  }

  @Test
  void theOldSingleLevelLayoutAndTimmDefaultsAreRead() throws Exception {
    TimmConfig c = TimmConfig.read(write("config.json",
        "{\"architecture\": \"coatnet_0_rw_224\", \"num_classes\": 10, \"crop_pct\": 0.9}"));
    CoAtNetTimmConfig m = c.modelConfig();
    assertEquals(10, m.numClasses());
    assertEquals(224, m.height());
    Preprocessing p = c.preprocessing(m);
    assertEquals(248, p.resizeHeight());
    assertEquals(Preprocessing.IMAGENET_MEAN, p.mean());
    assertEquals(Interpolation.BICUBIC, p.interpolation());
  }

  @Test
  void malformedConfigsAreCheckpointFormatErrors() throws Exception {
    CheckpointFormatException json = assertThrows(CheckpointFormatException.class,
        () -> TimmConfig.read(write("a/config.json", "{\"architecture\": ")));
    assertTrue(json.getMessage().contains("not valid JSON"), json.getMessage());
    CheckpointFormatException arch = assertThrows(CheckpointFormatException.class,
        () -> TimmConfig.read(write("b/config.json", "{\"architectures\": [\"CvtForX\"]}")));
    assertTrue(arch.getMessage().contains("timm config.json 'architecture': expected a timm model"
        + " name such as \"coatnet_0_rw_224\", found null"), arch.getMessage());
    CheckpointFormatException mode = assertThrows(CheckpointFormatException.class,
        () -> TimmConfig.read(write("c/config.json",
            "{\"architecture\": \"coatnet_0_rw_224\", \"pretrained_cfg\": {\"crop_mode\": \"border\"}}")));
    assertTrue(mode.getMessage().contains("'crop_mode': expected \"center\" or \"squash\""),
        mode.getMessage());
    CheckpointFormatException size = assertThrows(CheckpointFormatException.class,
        () -> TimmConfig.read(write("d/config.json", " ".repeat((int) TimmConfig.MAX_BYTES + 1))));
    assertTrue(size.getMessage().contains("expected at most 1048576"), size.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> TimmConfig.read(write("e/config.json",
            "{\"architecture\": \"coatnet_0_rw_224\", \"model_args\": {\"conv_padding\": \"same\"}}"))
            .modelConfig());
    assertTrue(unknown.getMessage().contains("timm keyword 'conv_padding' = same is not supported"),
        unknown.getMessage());
  }

  @Test
  void aFolderGivesItsWeightsInTimmsOrderAndAFileItsConfigBeside() throws Exception {
    write("hub/config.json", RMLP2_384);
    write("hub/pytorch_model.bin", "x");
    write("hub/model.safetensors", "x");
    TimmCheckpoint hub = TimmCheckpoint.locate(dir.resolve("hub"));
    assertEquals(dir.resolve("hub/model.safetensors"), hub.weights());
    assertEquals("coatnet_rmlp_2_rw_384", hub.config().orElseThrow().architecture());
    assertTrue(TimmCheckpoint.isHubFolder(dir.resolve("hub")));

    write("bin/pytorch_model.bin", "x");
    TimmCheckpoint bin = TimmCheckpoint.locate(dir.resolve("bin"));
    assertEquals(dir.resolve("bin/pytorch_model.bin"), bin.weights());
    assertEquals(Optional.empty(), bin.config());

    TimmCheckpoint beside = TimmCheckpoint.locate(dir.resolve("hub/pytorch_model.bin"));
    assertEquals(dir.resolve("hub/pytorch_model.bin"), beside.weights());
    assertTrue(beside.config().isPresent());

    write("hf/config.json", "{\"architectures\": [\"CvtForImageClassification\"]}");
    write("hf/model.safetensors", "x");
    assertEquals(Optional.empty(),
        TimmCheckpoint.locate(dir.resolve("hf/model.safetensors")).config());
    // The project's own fixture metadata also has an 'architecture' string: not timm's.
    write("fixture/config.json", "{\"architecture\": \"conv2former\", \"input\": {}}");
    write("fixture/weights.safetensors", "x");
    assertEquals(Optional.empty(),
        TimmCheckpoint.locate(dir.resolve("fixture/weights.safetensors")).config());
    // The old single-level layout is timm's too.
    write("old/config.json", "{\"architecture\": \"coatnet_0_rw_224\", \"input_size\": [3, 224,"
        + " 224], \"interpolation\": \"bicubic\"}");
    write("old/model.safetensors", "x");
    assertTrue(TimmCheckpoint.locate(dir.resolve("old")).config().isPresent());

    Files.createDirectories(dir.resolve("empty"));
    CheckpointFormatException none = assertThrows(CheckpointFormatException.class,
        () -> TimmCheckpoint.locate(dir.resolve("empty")));
    assertTrue(none.getMessage().contains("a folder without weights"), none.getMessage());
  }
}
