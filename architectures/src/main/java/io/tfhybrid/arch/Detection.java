package io.tfhybrid.arch;

import io.tfhybrid.nn.Checks;
import java.util.List;

/**
 * A configuration read off a checkpoint's keys and torch shapes by its family (what {@code
 * Models.detect} returns): the config, the input size to build it at, and what was detected and
 * why, one {@link Reason} per decision. Hyper-parameters that no key or shape shows (e.g.
 * CvT's head counts, ConTNet's {@code pre_norm}) take the official value, and the reasons say so.
 *
 * @param arch the family
 * @param config the inferred configuration
 * @param height default input height (the official resolution where the weights do not fix one)
 * @param width default input width
 * @param reasons what was detected and why, e.g. the {@code relative} reason {@code
 *     "relative=True: found 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table' and no
 *     'pe.0'/'pe.1'"}
 */
public record Detection<C extends ModelConfig>(
    Arch arch, C config, int height, int width, List<Reason> reasons) {

  /** Checks that family and config are set and the input size is positive. */
  public Detection {
    Checks.checkArg(arch != null && config != null, "arch and config must be set");
    Checks.positive(height, "height");
    Checks.positive(width, "width");
    reasons = List.copyOf(reasons);
  }

  /** A square input {@code size x size}. */
  public static <C extends ModelConfig> Detection<C> of(
      Arch arch, C config, int size, List<Reason> reasons) {
    return new Detection<>(arch, config, size, size, reasons);
  }

  /** The reasons' texts, in order (as people read them). */
  public List<String> reasonTexts() {
    return reasons.stream().map(Reason::text).toList();
  }
}
