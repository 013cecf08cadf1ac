package io.tfhybrid.interop;

import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.load.LoadReport;
import java.util.List;
import java.util.Objects;

/**
 * What {@link TfHybrid#convert(java.nio.file.Path, java.nio.file.Path, LoadOptions,
 * ExportOptions, ConvertListener)} tells its caller as it goes: what {@code tfhybrid convert}
 * prints, and the stage times of {@code tfhybrid bench --convert}. Every method does nothing by
 * default; override the ones you need. The export's own steps and notes go to {@link
 * ExportOptions#listener()} as well.
 */
public interface ConvertListener {
  /** A listener that hears nothing. */
  ConvertListener NONE = new ConvertListener() {};

  /** {@code stage} starts. */
  default void stage(ConvertStage stage) {}

  /** The checkpoint was read (its tensors are read lazily, during {@link ConvertStage#LOAD}). */
  default void read(Checkpoint checkpoint) {}

  /** The model was chosen: detected, or the id the options named, with the reasons. */
  default void chosen(ModelChoice choice) {}

  /** The weights are in the variables; the export starts next. */
  default void loaded(LoadReport report) {}

  /**
   * What was read from the checkpoint, without its tensors (the state dict itself is released once
   * it is in the variables).
   *
   * @param tensors the number of tensors
   * @param bytes the size of their data in bytes ({@link
   *     io.tfhybrid.interop.checkpoint.StateDict#byteSize()})
   * @param notes what the reader decided on the way ({@link
   *     io.tfhybrid.interop.checkpoint.StateDict#notes()})
   */
  record Checkpoint(int tensors, long bytes, List<String> notes) {
    public Checkpoint {
      notes = List.copyOf(Objects.requireNonNull(notes, "notes"));
    }
  }
}
