package io.tfhybrid.interop.verify;

import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.interop.checkpoint.NpyReader;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a reference implementation (e.g. PyTorch) produced for one input: the logits, and
 * optionally module outputs keyed by their PyTorch module path ({@code stages.1}), as the golden
 * fixtures' {@code feature.<module path>.npy} files hold them (NCHW maps, tokens as they are).
 *
 * @param logits the reference logits {@code [N, classes]}
 * @param features module path → reference output (may be empty)
 */
public record ReferenceOutputs(HostTensor logits, Map<String, HostTensor> features) {

  /** File name prefix of a module output: {@code feature.<module path>.npy}. */
  public static final String FEATURE_PREFIX = "feature.";

  public ReferenceOutputs {
    features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
  }

  /** Logits only. */
  public static ReferenceOutputs logits(HostTensor logits) {
    return new ReferenceOutputs(logits, Map.of());
  }

  /**
   * Reads {@code logits.npy} and, when {@code featuresDir} is not null, every {@code
   * feature.<module path>.npy} in it.
   *
   * @throws NoSuchFileException when a file or the directory is missing
   * @throws TfHybridException when the directory holds no feature file
   */
  public static ReferenceOutputs read(Path logitsNpy, Path featuresDir) throws IOException {
    HostTensor logits = readNpy(logitsNpy, "the reference logits need a .npy file");
    Map<String, HostTensor> features = new LinkedHashMap<>();
    if (featuresDir != null) {
      if (!Files.isDirectory(featuresDir)) {
        throw new NoSuchFileException(
            featuresDir.toString(), null, "the reference features need a directory");
      }
      try (Stream<Path> files = Files.list(featuresDir)) {
        for (Path p : files.sorted().toList()) {
          String n = p.getFileName().toString();
          if (n.startsWith(FEATURE_PREFIX) && n.endsWith(".npy")) {
            features.put(
                n.substring(FEATURE_PREFIX.length(), n.length() - ".npy".length()),
                NpyReader.readArray(p));
          }
        }
      }
      if (features.isEmpty()) {
        throw new TfHybridException(
            "--features " + featuresDir, "files named feature.<module path>.npy", "none", null);
      }
    }
    return new ReferenceOutputs(logits, features);
  }

  /** A {@code .npy} array, with a clear error for a missing file. */
  public static HostTensor readNpy(Path p, String what) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, what);
    }
    return NpyReader.readArray(p);
  }
}
