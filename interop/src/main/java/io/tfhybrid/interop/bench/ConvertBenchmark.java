package io.tfhybrid.interop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfhybrid.interop.ConvertStage;
import io.tfhybrid.interop.TfHybridException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.io.file.PathUtils;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * How fast {@code convert} is compared with the disk, measured in one run ({@code tfhybrid bench
 * --convert CHECKPOINT}):
 *
 * <ol>
 *   <li>the raw copy: the checkpoint's bytes read and written to a file in the work directory
 *       (16 MiB at a time through a direct buffer), then {@code fsync}ed;
 *   <li>{@code convert} (the library's {@link io.tfhybrid.interop.TfHybrid#convert}, to a
 *       temporary model directory in the work directory) in a <b>child JVM</b> started for it,
 *       so that its peak RSS ({@code VmHWM}, read by the child as it ends) is that of one
 *       conversion from a cold start, as a user's {@code tfhybrid convert} sees it, and its wall
 *       time includes the JVM and TF runtime start-up; the child reports when each {@link
 *       ConvertStage} started;
 *   <li>the raw copy again (the first copy runs with the page cache as found, the second after
 *       the conversion read the file too);
 *   <li>the exported {@code saved_model.pb}: size and node count (graph and function library).
 * </ol>
 *
 * <p>Everything written is removed at the end. Time targets live here, never in timed tests.
 */
public final class ConvertBenchmark {
  private ConvertBenchmark() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The line of the child's standard output that carries its JSON report. */
  static final String REPORT = "tfhybrid-convert-report ";

  /**
   * @param workDir where the raw copy and the temporary SavedModel go (the same file system as a
   *     real export's destination, for a fair comparison)
   * @param model {@code auto} or a variant id, as {@code convert --model}
   * @param jvmOptions options of the child JVM, e.g. {@code -Xmx2g}; by default this JVM's heap
   *     and {@code -D} options
   */
  public record Options(Path workDir, String model, List<String> jvmOptions) {
    public Options {
      jvmOptions = List.copyOf(jvmOptions);
    }

    /** The system temp directory, detection, this JVM's heap options. */
    public static Options defaults() {
      List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(a -> a.startsWith("-Xmx") || a.startsWith("-Xms")
              || a.startsWith("-XX:MaxDirectMemorySize") || a.startsWith("-Dtfhybrid.")
              || a.startsWith("-Dorg.bytedeco."))
          .toList();
      return new Options(Path.of(System.getProperty("java.io.tmpdir")), "auto", jvm);
    }

    public Options withWorkDir(Path dir) {
      return new Options(dir, model, jvmOptions);
    }

    public Options withModel(String id) {
      return new Options(workDir, id, jvmOptions);
    }

    public Options withJvmOptions(List<String> options) {
      return new Options(workDir, model, options);
    }
  }

  /** One stage of the conversion and its duration. */
  public record Stage(String name, double seconds) {}

  /**
   * One measurement.
   *
   * @param copySeconds the raw read + write + fsync of the file, before the conversion
   * @param copyAgainSeconds the same, after it
   * @param convertSeconds the child JVM's wall time, from its start to its exit
   * @param startupSeconds JVM start-up and TF runtime initialisation (in {@code convertSeconds})
   * @param stages the conversion's stages ({@link ConvertStage} names, lower case), timed in the
   *     child, then {@code exit} (closing the model, JVM exit)
   * @param peakRssBytes the child's peak resident set ({@code VmHWM})
   * @param savedModelPbNodes nodes of the exported graph, plus those of its function library
   */
  public record Result(Path checkpoint, long fileBytes, String model, double copySeconds,
      double copyAgainSeconds, double convertSeconds, double startupSeconds, List<Stage> stages,
      long peakRssBytes, long exportBytes, long savedModelPbBytes, int savedModelPbNodes,
      List<String> jvmOptions) {
    public Result {
      stages = List.copyOf(stages);
      jvmOptions = List.copyOf(jvmOptions);
    }

    /** The faster of the two raw copies. */
    public double rawSeconds() {
      return Math.min(copySeconds, copyAgainSeconds);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("convert %s (%s, %,d bytes)%n", checkpoint, model, fileBytes));
      s.append(String.format("  raw read+write+fsync  %7.2f s  (again after convert: %.2f s)%n",
          copySeconds, copyAgainSeconds));
      s.append(String.format("  convert (child JVM)   %7.2f s  = start-up %.2f s (JVM, TF runtime)"
              + " + %.2f s = %.1f× the faster raw copy%n", convertSeconds, startupSeconds,
          convertSeconds - startupSeconds, (convertSeconds - startupSeconds) / rawSeconds()));
      for (Stage st : stages) {
        s.append(String.format("    %-12s %7.2f s%n", st.name(), st.seconds()));
      }
      s.append(String.format("  peak RSS              %,7d MiB = %.2f× the file%n",
          peakRssBytes >> 20, (double) peakRssBytes / fileBytes));
      s.append(String.format("  SavedModel            %,d bytes; saved_model.pb %,d bytes,"
          + " %,d nodes%n", exportBytes, savedModelPbBytes, savedModelPbNodes));
      s.append("  child JVM options     ").append(jvmOptions.isEmpty() ? "(none)"
          : String.join(" ", jvmOptions));
      return s.toString();
    }
  }

  /** Measures {@code checkpoint} as the class comment says. */
  public static Result run(Path checkpoint, Options options) throws IOException {
    if (!Files.isRegularFile(checkpoint)) {
      throw new TfHybridException("bench --convert '" + checkpoint + "'", "a checkpoint file",
          Files.exists(checkpoint) ? "not a regular file" : "no such file", null);
    }
    Files.createDirectories(options.workDir());
    Path work = Files.createTempDirectory(options.workDir(), "tfhybrid-bench-convert-");
    try {
      long size = Files.size(checkpoint);
      double copy = rawCopy(checkpoint, work.resolve("copy"));
      Path modelDir = work.resolve("model");
      Child child = convertInChild(checkpoint, modelDir, options);
      double copyAgain = rawCopy(checkpoint, work.resolve("copy"));
      Path pb = child.versionDir().resolve("saved_model.pb");
      SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(pb));
      int nodes = 0;
      for (MetaGraphDef mg : sm.getMetaGraphsList()) {
        nodes += mg.getGraphDef().getNodeCount();
        nodes += mg.getGraphDef().getLibrary().getFunctionList().stream()
            .mapToInt(f -> f.getNodeDefCount()).sum();
      }
      return new Result(checkpoint, size, child.model(), copy, copyAgain, child.wallSeconds(),
          child.startupSeconds(), child.stages(), child.peakRssBytes(),
          PathUtils.sizeOfDirectory(child.versionDir()), Files.size(pb), nodes,
          options.jvmOptions());
    } finally {
      PathUtils.deleteDirectory(work);
    }
  }

  /** Reads {@code from} and writes {@code to} 16 MiB at a time, then fsyncs; seconds taken. */
  static double rawCopy(Path from, Path to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(16 << 20);
    long t0 = System.nanoTime();
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (in.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        buf.clear();
      }
      out.force(true);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Files.delete(to);
    return seconds;
  }

  private record Child(String model, Path versionDir, double wallSeconds, double startupSeconds,
      List<Stage> stages, long peakRssBytes) {}

  private static Child convertInChild(Path checkpoint, Path modelDir, Options options)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options.jvmOptions());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ConvertChild.class.getName());
    cmd.add(checkpoint.toAbsolutePath().toString());
    cmd.add(modelDir.toAbsolutePath().toString());
    cmd.add(options.model());
    Path log = modelDir.resolveSibling("child.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    double spawned = ConvertChild.now();
    Process p = pb.start();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the conversion ran", e);
    }
    double exited = ConvertChild.now();
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    String report = lines.stream().filter(l -> l.startsWith(REPORT)).findFirst().orElse(null);
    if (p.exitValue() != 0 || report == null) {
      List<String> tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
      throw new TfHybridException("the conversion of '" + checkpoint + "' in a child JVM",
          "exit status 0 and a report", "exit status " + p.exitValue() + "; its last lines:\n  "
              + String.join("\n  ", tail),
          "run 'tfhybrid convert' on it to see the error");
    }
    // The child's marks: [name, wall-clock seconds] as each step starts; the last is "exit".
    JsonNode r = JSON.readTree(report.substring(REPORT.length()));
    List<String> names = new ArrayList<>(List.of("jvm start"));
    List<Double> starts = new ArrayList<>(List.of(spawned));
    r.get("marks").forEach(m -> {
      names.add(m.get(0).asText());
      starts.add(m.get(1).asDouble());
    });
    starts.add(exited);
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      stages.add(new Stage(names.get(i), starts.get(i + 1) - starts.get(i)));
    }
    double startup = stages.get(0).seconds() + stages.get(1).seconds(); // JVM, TF runtime
    return new Child(r.get("model").asText(), Path.of(r.get("version_dir").asText()),
        exited - spawned, startup, stages.subList(2, stages.size()),
        r.get("peak_rss_mib").asLong() << 20);
  }
}
