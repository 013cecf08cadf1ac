package io.tfhybrid.interop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfhybrid.arch.Benchmark;
import io.tfhybrid.interop.Conversion;
import io.tfhybrid.interop.ConvertListener;
import io.tfhybrid.interop.ConvertStage;
import io.tfhybrid.interop.ExportOptions;
import io.tfhybrid.interop.LoadOptions;
import io.tfhybrid.interop.TfHybrid;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.tensorflow.TensorFlow;

/**
 * The child JVM of {@link ConvertBenchmark}: converts one checkpoint and prints one report line
 * (the wall-clock instant each step started, peak RSS). Not an entry point for users: {@code
 * tfhybrid bench --convert} starts it.
 */
final class ConvertChild {
  private ConvertChild() {}

  /** Wall-clock seconds (microsecond resolution), comparable between the two processes. */
  static double now() {
    Instant t = Instant.now();
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  /** args: checkpoint, model directory, model id or auto. */
  public static void main(String[] args) throws IOException {
    ObjectNode report = new ObjectMapper().createObjectNode();
    ArrayNode marks = report.putArray("marks");
    marks.addArray().add("tf runtime").add(now());
    TensorFlow.version(); // loads the native runtime, which every conversion pays
    Conversion c = TfHybrid.convert(Path.of(args[0]), Path.of(args[1]),
        LoadOptions.defaults().withModel(args[2]), ExportOptions.defaults(),
        new ConvertListener() {
          @Override
          public void stage(ConvertStage stage) {
            marks.addArray().add(stage.name().toLowerCase(Locale.ROOT)).add(now());
          }
        });
    marks.addArray().add("exit").add(now());
    report.put("model", c.choice().name()); // what the export's metadata records as its model
    report.put("version_dir", c.export().versionDir().toString());
    report.put("peak_rss_mib", Benchmark.peakRssMib());
    System.out.println(ConvertBenchmark.REPORT + report);
    System.out.flush();
    System.exit(0);
  }
}
