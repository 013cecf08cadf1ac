package io.tfhybrid.interop.verify;

import java.util.List;
import java.util.Optional;

/**
 * The result of comparing a model's outputs with reference outputs, tensor by tensor in forward
 * order: every tensor's error, whether all are within the tolerance, and the first capture that
 * diverges (where to look for a bug).
 *
 * @param model what ran, for people (e.g. {@code "conv2former_n_224 (Conv2Former) at 224x224"})
 * @param tensors every compared tensor, features in forward order, logits last
 * @param tolerance the tolerance applied
 */
public record Verification(String model, List<TensorError> tensors, Tolerance tolerance) {

  public Verification {
    tensors = List.copyOf(tensors);
  }

  /** Whether every tensor is within the tolerance. */
  public boolean ok() {
    return tensors.stream().allMatch(TensorError::ok);
  }

  /** The first tensor in forward order beyond the tolerance. */
  public Optional<TensorError> firstDivergent() {
    return tensors.stream().filter(t -> !t.ok()).findFirst();
  }

  /** The last tensor before the first divergent one, i.e. the last capture known to match. */
  public Optional<TensorError> lastMatched() {
    TensorError last = null;
    for (TensorError t : tensors) {
      if (!t.ok()) {
        break;
      }
      last = t;
    }
    return Optional.ofNullable(last);
  }

  /** The largest error of all tensors. */
  public double maxAbsDiff() {
    return tensors.stream().mapToDouble(TensorError::maxAbsDiff).max().orElse(0);
  }
}
