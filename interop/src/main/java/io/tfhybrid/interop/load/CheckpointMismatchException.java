package io.tfhybrid.interop.load;

import java.util.List;

/**
 * A checkpoint whose keys, shapes or computed buffers do not fit the model. The message lists
 * every problem at once, like PyTorch's {@code load_state_dict}.
 */
public final class CheckpointMismatchException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> problems;

  public CheckpointMismatchException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, without the header and hints. */
  public List<String> problems() {
    return problems;
  }
}
