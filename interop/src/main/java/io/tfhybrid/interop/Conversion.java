package io.tfhybrid.interop;

import io.tfhybrid.interop.detect.ModelChoice;
import io.tfhybrid.interop.serving.SavedModelExport;
import java.util.Objects;

/**
 * What {@link TfHybrid#convert(java.nio.file.Path, java.nio.file.Path, LoadOptions,
 * ExportOptions)} made: the model it chose and the SavedModel version it wrote.
 *
 * @param choice the model (variant or detected configuration, input size, preprocessing)
 * @param parameters its parameter count
 * @param export the version written (directory, version number, bytes, stale staging removed)
 */
public record Conversion(ModelChoice choice, long parameters, SavedModelExport.Result export) {
  public Conversion {
    Objects.requireNonNull(choice, "choice");
    Objects.requireNonNull(export, "export");
  }
}
