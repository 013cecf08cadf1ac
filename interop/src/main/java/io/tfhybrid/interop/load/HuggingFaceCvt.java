package io.tfhybrid.interop.load;

import io.tfhybrid.arch.cvt.CvtHfNames;
import io.tfhybrid.interop.checkpoint.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face CvT checkpoints ({@code microsoft/cvt-13} and friends: the PyTorch keys of {@code
 * pytorch_model.bin}/{@code model.safetensors}, or the TF variable names of {@code tf_model.h5})
 * converted to the original keys and layouts {@code Cvt} declares, so they load like the official
 * checkpoints. The name table is {@link CvtHfNames} (from the CvT spec).
 */
public final class HuggingFaceCvt {
  private HuggingFaceCvt() {}

  /** What every Hugging Face CvT conversion adds to the notes: which activation to build. */
  public static final String GELU_NOTE =
      "Hugging Face's Python CvT runs these weights with the exact GELU; they are the official"
          + " weights, so the default QuickGELU reproduces the original model (--gelu erf"
          + " reproduces Hugging Face's Python outputs instead)";

  /**
   * Whether {@code sd} holds Hugging Face CvT names: recognised by an HF name of a stage tensor,
   * so that a lone {@code classifier.weight} of another family is never taken for one.
   */
  public static boolean isHuggingFaceCvt(StateDict sd) {
    return sd.keys().stream()
        .anyMatch(k -> CvtHfNames.originalKey(k).filter(o -> o.startsWith("stage")).isPresent());
  }

  /**
   * A Hugging Face CvT checkpoint renamed to the original keys, TF kernels transposed, BatchNorm
   * counters added, with notes on what was changed; any other state dict unchanged.
   */
  public static StateDict toOriginal(StateDict sd) {
    if (!isHuggingFaceCvt(sd)) {
      return sd;
    }
    CvtHfNames.Converted c = CvtHfNames.toOriginal(sd.asMap());
    List<String> notes = new ArrayList<>(sd.notes());
    notes.addAll(c.notes());
    notes.add(GELU_NOTE);
    return StateDict.of(sd.source(), c.tensors(), notes);
  }
}
