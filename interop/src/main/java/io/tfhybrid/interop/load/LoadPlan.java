package io.tfhybrid.interop.load;

import io.tfhybrid.arch.ClassifierModel;
import io.tfhybrid.interop.checkpoint.StateDict;
import io.tfhybrid.nn.ParamSpec;
import java.util.List;
import java.util.Objects;

/**
 * A checkpoint that passed {@link WeightLoader#check}: its keys, torch shapes, dtypes and computed
 * buffers were compared with the declared {@link ParamSpec}s of a model, without TensorFlow. What
 * is left is writing the tensors ({@link WeightLoader#loadInto(io.tfhybrid.arch.BuiltModel,
 * LoadPlan)}), which cannot fail on a mismatch any more.
 *
 * @param source the checkpoint's name, for the report
 * @param model the model name (variant id), for the report
 * @param root the module whose declarations were checked
 * @param stateDict the checked tensors
 * @param notes what the reader and the check did (dtype widening, derived entries skipped, …)
 * @param warnings the problems a non-strict check let through (those tensors are zero-filled)
 */
public record LoadPlan(String source, String model, ClassifierModel root, StateDict stateDict,
    List<String> notes, List<String> warnings) {
  public LoadPlan {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(stateDict, "stateDict");
    notes = List.copyOf(notes);
    warnings = List.copyOf(warnings);
  }

  /** The state_dict entries the model declares (full keys, PyTorch order). */
  public List<ParamSpec> specs() {
    return root.stateDictSpec();
  }
}
