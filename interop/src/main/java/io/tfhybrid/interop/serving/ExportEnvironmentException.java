package io.tfhybrid.interop.serving;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An export failed because of the user's environment, not a bug: the disk is full, the file system
 * is read-only, or a component of the output path is a regular file. One line names the path and
 * the reason: {@code cannot write the SavedModel to 'exported/m': No space left on device}.
 */
public final class ExportEnvironmentException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  /** The operating system's words for these conditions, as Java and TensorFlow report them. */
  private static final List<String> REASONS =
      List.of(
          "No space left on device",
          "Disk quota exceeded",
          "Read-only file system",
          "Not a directory");

  ExportEnvironmentException(Path dir, String reason) {
    super(dir.toString(), null, reason);
  }

  @Override
  public String getMessage() {
    return "cannot write the SavedModel to '"
        + getFile()
        + "': "
        + getReason()
        + (getReason().startsWith("No space") || getReason().startsWith("Disk quota")
            ? " (free some space or export elsewhere)"
            : getReason().startsWith("Read-only")
                ? " (export to a writable directory)"
                : " (a component of the path is a file, not a directory)");
  }

  /**
   * The environment error behind {@code e} (anywhere in its cause chain, Java or TensorFlow), or
   * null when it is something else.
   */
  static ExportEnvironmentException of(Path dir, Throwable e) {
    if (e instanceof java.nio.file.NotDirectoryException) {
      ExportEnvironmentException env = new ExportEnvironmentException(dir, "Not a directory");
      env.initCause(e);
      return env;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m == null) {
        continue;
      }
      String lower = m.toLowerCase(Locale.ROOT);
      for (String r : REASONS) {
        if (lower.contains(r.toLowerCase(Locale.ROOT))) {
          ExportEnvironmentException env = new ExportEnvironmentException(dir, r);
          env.initCause(e);
          return env;
        }
      }
    }
    return null;
  }
}
