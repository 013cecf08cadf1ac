package io.tfhybrid.interop.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads any checkpoint format we understand, detected from the bytes (never the extension): PyTorch
 * zip ({@code .pth}, {@code .pt}, {@code .pth.tar}, {@code .bin}), legacy PyTorch, {@code
 * .safetensors}, numpy {@code .npy} and {@code .npz}, and HDF5 ({@code .h5}: Keras {@code
 * save_weights} files such as Hugging Face's {@code tf_model.h5}, see {@link Hdf5Reader}). Wrapper
 * dicts are unwrapped, a common {@code module.} prefix is stripped, and {@link StateDict#notes()}
 * says what was done.
 */
public final class Checkpoints {
  /** The formats {@link #read} detects, in words, for error messages and help texts. */
  public static final String FORMATS_UNDERSTOOD =
      "PyTorch zip (.pth/.pt/.pth.tar/.bin, starts with 'PK\\3\\4'), legacy PyTorch (a pickle,"
          + " starts with 0x80), .safetensors (8-byte header length, then '{'), numpy .npy"
          + " (starts with '\\x93NUMPY'), .npz (a zip of .npy files) and HDF5 (Keras/Hugging Face"
          + " .h5 weights such as tf_model.h5, starts with '\\x89HDF\\r\\n\\x1a\\n' at byte 0 or"
          + " after a user block of 512, 1024, 2048, ... bytes)";

  /** What {@link #detect} finds. */
  public enum Format {
    PYTORCH_ZIP,
    PYTORCH_LEGACY,
    SAFETENSORS,
    NPY,
    NPZ,
    HDF5
  }

  private Checkpoints() {}

  public static StateDict read(Path file) throws IOException {
    return read(file, ReadOptions.defaults());
  }

  public static StateDict read(Path file, ReadOptions options) throws IOException {
    Format format = detect(file);
    if (format == Format.PYTORCH_ZIP || format == Format.PYTORCH_LEGACY) {
      return PthReader.read(file, options);
    }
    if (options.selectsWrapperEntry()) {
      throw new IllegalArgumentException(
          "'"
              + CheckpointFormatException.fileName(file)
              + "' is "
              + (format == Format.HDF5
                  ? "an HDF5"
                  : "a " + format.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
              + " file, which holds one flat set of tensors; "
              + (options.stateKey() != null
                  ? "the state key '" + options.stateKey() + "' (--state-key)"
                  : "EMA selection (--ema)")
              + " applies only to pickled PyTorch checkpoints");
    }
    StateDict sd =
        switch (format) {
          case SAFETENSORS -> SafetensorsReader.read(file, options.limits());
          case HDF5 -> Hdf5Reader.read(file, options.limits());
          default -> NpyReader.read(file, options.limits());
        };
    return options.stripModulePrefix() ? sd.withPrefixStripped("module.") : sd;
  }

  /** The format of {@code file}, from its first bytes (and, for zips, its entry names). */
  public static Format detect(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.min(size, 512);
      byte[] head = ByteReader.ofChannel(file, ch, 0, n).bytes(n, "the file header");
      if (size == 0) {
        throw new CheckpointFormatException(
            file, 0, "the file is empty; expected one of " + FORMATS_UNDERSTOOD);
      }
      if (n >= 4
          && head[0] == 'P'
          && head[1] == 'K'
          && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
        ZipArchive zip = ZipArchive.open(file, ch);
        boolean torch = false;
        boolean allNpy = !zip.names().isEmpty();
        for (String name : zip.names()) {
          torch |= name.equals("data.pkl") || name.endsWith("/data.pkl");
          allNpy &= name.endsWith(".npy") || name.endsWith("/");
        }
        if (torch) {
          return Format.PYTORCH_ZIP;
        }
        if (allNpy) {
          return Format.NPZ;
        }
        throw new CheckpointFormatException(
            file,
            -1,
            "a zip archive that is neither a PyTorch checkpoint (no '<name>/data.pkl') nor a numpy"
                + " .npz (not only '.npy' entries); its entries are "
                + Describe.quotedList(zip.names(), 10));
      }
      if (Hdf5Reader.isSignatureAt(head, 0)) {
        return Format.HDF5;
      }
      if ((head[0] & 0xff) == 0x80) {
        return Format.PYTORCH_LEGACY;
      }
      if (NpyReader.isNpy(head)) {
        return Format.NPY;
      }
      if (n >= 9 && head[8] == '{') {
        return Format.SAFETENSORS;
      }
      if (hdf5AfterUserBlock(file, ch, size)) {
        return Format.HDF5;
      }
      throw new CheckpointFormatException(
          file,
          0,
          "unrecognised format: the file starts with bytes "
              + Describe.hex(head, 8)
              + hint(head, n)
              + "; expected one of "
              + FORMATS_UNDERSTOOD);
    }
  }

  /**
   * Whether the HDF5 signature follows a user block: HDF5 looks for it at 0, 512, 1024, 2048, …
   * (checked last, as a user block may hold anything).
   */
  private static boolean hdf5AfterUserBlock(Path file, FileChannel ch, long size)
      throws IOException {
    int len = Hdf5Reader.SIGNATURE.length;
    for (long at = 512; at > 0 && at + len <= size; at *= 2) {
      byte[] b = ByteReader.ofChannel(file, ch, at, len).bytes(len, "a possible HDF5 signature");
      if (Hdf5Reader.isSignatureAt(b, 0)) {
        return true;
      }
    }
    return false;
  }

  /** The file name without its last extension ({@code input.npy} → {@code input}). */
  static String stem(Path file) {
    String name = CheckpointFormatException.fileName(file);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static String hint(byte[] head, int n) {
    String text = new String(head, 0, Math.min(n, 64), StandardCharsets.ISO_8859_1);
    if (text.startsWith("version https://git-lfs")) {
      return " (a Git LFS pointer, not the file itself: run 'git lfs pull')";
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return " (gzip-compressed: decompress it first)";
    }
    if (n >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
      return " (a tar archive: the PyTorch < 0.4 tar format is not supported; re-save with a newer"
                 + " torch)";
    }
    if (text.startsWith("<")
        || text.startsWith("<!DOCTYPE")
        || text.toLowerCase(java.util.Locale.ROOT).startsWith("<html")) {
      return " (an HTML page: the download probably returned an error page)";
    }
    return "";
  }
}
