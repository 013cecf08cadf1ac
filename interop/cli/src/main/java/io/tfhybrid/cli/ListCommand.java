package io.tfhybrid.cli;

import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Variant;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tfhybrid list}: every registered variant. */
@Command(
    mixinStandardHelpOptions = true,
    name = "list",
    description =
        "List families and variants: parameter counts, default"
            + " resolution, legal input sizes, evaluation transform.")
final class ListCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--family",
      paramLabel = "ARCH",
      description = "Only this family (contnet, conv2former, cvt, coatnet, transcnn/hatnet).")
  String family;

  /** Largest side probed for the legal-size column. */
  static final int MAX_SIDE = 1024;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Variant<?>> variants =
        family == null ? Models.all() : Models.of(io.tfhybrid.arch.Arch.of(family));
    Table t =
        new Table("family", "variant", "params", "input", "legal square sides", "eval transform");
    for (Variant<?> v : variants) {
      ClassifierModel m = v.config().createModule();
      t.row(
          v.arch().displayName(),
          v.id(),
          Format.params(m.parameterCount()),
          v.height() + "x" + v.width(),
          legalSides(v.config(), m),
          describe(v.preprocessing()));
    }
    t.print(out);
    out.println(
        variants.size()
            + " variants in "
            + variants.stream().map(Variant::arch).distinct().count()
            + " families. Convert one with: tfhybrid convert CHECKPOINT --out exported/NAME"
            + " --model ID (or --model auto)");
    return 0;
  }

  /**
   * The square input sides 1..1024 the model accepts, as ranges: "31-1024", "221-224, 445-448, …".
   */
  static String legalSides(ModelConfig config, ClassifierModel m) {
    List<int[]> ranges = new ArrayList<>();
    for (int s = 1; s <= MAX_SIDE; s++) {
      boolean ok;
      try {
        // A family whose construction depends on the size (timm's rmlp CoAtNets) rebuilds for it.
        ModelConfig sized = config.forInputSize(s, s);
        (sized == config ? m : sized.createModule()).checkInputSize(s, s);
        ok = true;
      } catch (IllegalArgumentException e) {
        ok = false;
      }
      if (ok) {
        if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == s - 1) {
          ranges.get(ranges.size() - 1)[1] = s;
        } else {
          ranges.add(new int[] {s, s});
        }
      }
    }
    if (ranges.isEmpty()) {
      return "none ≤ " + MAX_SIDE;
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < Math.min(3, ranges.size()); i++) {
      int[] r = ranges.get(i);
      parts.add(
          r[0] == r[1]
              ? Integer.toString(r[0])
              : r[1] == MAX_SIDE ? r[0] + "+" : r[0] + "-" + r[1]);
    }
    return String.join(", ", parts) + (ranges.size() > 3 ? ", …" : "");
  }

  static String describe(Preprocessing p) {
    String interp = p.interpolation().name().toLowerCase(java.util.Locale.ROOT);
    String crop =
        p.cropHeight() == p.cropWidth()
            ? Integer.toString(p.cropHeight())
            : p.cropHeight() + "x" + p.cropWidth();
    String resize =
        p.resizeHeight() == p.resizeWidth()
            ? Integer.toString(p.resizeHeight())
            : p.resizeHeight() + "x" + p.resizeWidth();
    if (p.cropMode() == Preprocessing.CropMode.SQUASH) {
      return resize.equals(crop)
          ? interp + " → " + crop
          : interp + " squash " + resize + " → crop " + crop;
    }
    return interp + " " + resize + " → crop " + crop;
  }
}
