package io.tfhybrid.interop.hub;

import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a user points at: a Hugging Face hub folder ({@code timm/<architecture>.<tag>}: {@code
 * config.json} + {@code model.safetensors} or {@code pytorch_model.bin}) or a bare weights file,
 * with timm's {@code config.json} beside it when there is one.
 *
 * @param weights the weights file to read
 * @param config timm's config.json, when the folder (or the file's folder) has one
 */
public record TimmCheckpoint(Path weights, Optional<TimmConfig> config) {

  /** timm's local-folder order (timm 1.0 {@code load_model_config_from_path} and friends). */
  public static final List<String> WEIGHT_FILES =
      List.of("model.safetensors", "pytorch_model.bin", "pytorch_model.pth", "model.pth");

  /** Then any file with these endings, in this order. */
  public static final List<String> WEIGHT_ENDINGS =
      List.of(".safetensors", ".pth", ".pth.tar", ".bin");

  public static final String CONFIG = "config.json";

  /**
   * Resolves {@code input}: a folder gives its weights file (timm's order) and its config.json; a
   * file gives itself and a timm config.json beside it, if any (a config.json of another library,
   * without timm's {@code architecture} key, is ignored).
   */
  public static TimmCheckpoint locate(Path input) throws IOException {
    if (Files.isDirectory(input)) {
      Path weights = weightsIn(input);
      Path cfg = input.resolve(CONFIG);
      return new TimmCheckpoint(
          weights, Files.isRegularFile(cfg) ? Optional.of(TimmConfig.read(cfg)) : Optional.empty());
    }
    Path dir = input.toAbsolutePath().getParent();
    Path cfg = dir == null ? null : dir.resolve(CONFIG);
    return new TimmCheckpoint(
        input,
        cfg != null && TimmConfig.isTimmConfig(cfg)
            ? Optional.of(TimmConfig.read(cfg))
            : Optional.empty());
  }

  /** Whether {@code dir} is a folder holding a timm config.json. */
  public static boolean isHubFolder(Path dir) {
    return Files.isDirectory(dir) && TimmConfig.isTimmConfig(dir.resolve(CONFIG));
  }

  private static Path weightsIn(Path dir) throws IOException {
    for (String name : WEIGHT_FILES) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
        if (files.size() > 10_000) {
          break;
        }
      }
    }
    files.sort(null);
    for (String ending : WEIGHT_ENDINGS) {
      for (Path p : files) {
        if (p.getFileName().toString().endsWith(ending)) {
          return p;
        }
      }
    }
    throw new CheckpointFormatException(dir, -1,
        "a folder without weights: expected one of " + WEIGHT_FILES + " or a file ending in "
            + WEIGHT_ENDINGS + " (a Hugging Face hub folder such as timm/coatnet_0_rw_224.sw_in1k)");
  }
}
