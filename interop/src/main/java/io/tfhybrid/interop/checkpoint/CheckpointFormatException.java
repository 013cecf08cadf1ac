package io.tfhybrid.interop.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file is malformed, truncated, hostile or in a shape we cannot read. The message
 * names the file and, where known, the byte offset: {@code Cannot read checkpoint 'weights.pth' at
 * byte 1234: <what was expected, what was found>}.
 */
public final class CheckpointFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long byteOffset;
  private final String detail;

  /**
   * @param file the checkpoint being read
   * @param byteOffset where in the file the problem is, or -1 when unknown
   * @param message what was expected and what was found
   */
  /** Longest message kept whole; the values it quotes come from the file. */
  static final int MAX_MESSAGE = 4000;

  public CheckpointFormatException(Path file, long byteOffset, String message) {
    super(format(file, byteOffset, cap(message)));
    this.file = file;
    this.byteOffset = byteOffset < 0 ? -1 : byteOffset;
    this.detail = cap(message);
  }

  public CheckpointFormatException(Path file, long byteOffset, String message, Throwable cause) {
    this(file, byteOffset, message);
    initCause(cause);
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }

  /** Byte offset of the problem in the file, or -1 when unknown. */
  public long byteOffset() {
    return byteOffset;
  }

  /** The message without the {@code Cannot read checkpoint '…' at byte N: } preamble. */
  public String detail() {
    return detail;
  }

  static String fileName(Path file) {
    if (file == null) {
      return "<unknown>";
    }
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }

  private static String cap(String m) {
    return m == null || m.length() <= MAX_MESSAGE
        ? m
        : m.substring(0, MAX_MESSAGE) + "… (" + (m.length() - MAX_MESSAGE) + " more characters)";
  }

  private static String format(Path file, long byteOffset, String message) {
    return "Cannot read checkpoint '"
        + fileName(file)
        + "'"
        + (byteOffset >= 0 ? " at byte " + byteOffset : "")
        + ": "
        + message;
  }
}
