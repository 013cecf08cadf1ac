package io.tfhybrid.interop.checkpoint;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.tfhybrid.nn.HostTensor;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes HDF5 files in the layout of Keras {@code save_weights} (what Hugging Face's {@code
 * TFPreTrainedModel.save_pretrained} writes as {@code tf_model.h5}), with jHDF's writer: root
 * attributes {@code layer_names}, {@code backend} and {@code keras_version}; one group per layer
 * with the attribute {@code weight_names}; each weight as the dataset at its name's path below the
 * layer group ({@code cvt/tf_cvt_for_image_classification/cvt/encoder/stages.0/.../kernel:0}).
 * Shared by the reader tests, the CLI tests and the golden tests (test-jar).
 */
public final class KerasH5 {
  private KerasH5() {}

  /**
   * Writes {@code weights} (weight name → tensor, values in TF layout), grouped into layers by
   * {@code layerOf}, layers and weights in the map's order.
   *
   * @param namesPerChunk 0 for one {@code weight_names} attribute per layer; else Keras' split into
   *     {@code weight_names0}, {@code weight_names1}, … of at most this many names (what Keras does
   *     past HDF5's 64 KiB attribute limit)
   */
  public static void write(
      Path file, Map<String, HostTensor> weights, Function<String, String> layerOf, int namesPerChunk) {
    LinkedHashMap<String, LinkedHashMap<String, HostTensor>> layers = new LinkedHashMap<>();
    weights.forEach(
        (name, t) -> layers.computeIfAbsent(layerOf.apply(name), l -> new LinkedHashMap<>()).put(name, t));
    write(file, layers, namesPerChunk);
  }

  /** Writes layers (layer name → weight name → tensor) in the Keras save_weights layout. */
  public static void write(
      Path file, LinkedHashMap<String, LinkedHashMap<String, HostTensor>> layers, int namesPerChunk) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      h5.putAttribute("layer_names", layers.keySet().toArray(new String[0]));
      h5.putAttribute("backend", "tensorflow");
      h5.putAttribute("keras_version", "2.15.0");
      for (Map.Entry<String, LinkedHashMap<String, HostTensor>> layer : layers.entrySet()) {
        WritableGroup g = h5.putGroup(layer.getKey());
        List<String> names = new ArrayList<>(layer.getValue().keySet());
        if (namesPerChunk <= 0) {
          g.putAttribute("weight_names", names.toArray(new String[0]));
        } else {
          for (int i = 0, c = 0; i < names.size(); i += namesPerChunk, c++) {
            g.putAttribute(
                "weight_names" + c,
                names.subList(i, Math.min(names.size(), i + namesPerChunk)).toArray(new String[0]));
          }
        }
        Map<String, WritableGroup> groups = new HashMap<>();
        for (Map.Entry<String, HostTensor> w : layer.getValue().entrySet()) {
          putAt(g, groups, w.getKey(), w.getValue());
        }
      }
    }
  }

  /** Writes each tensor as the dataset at its path ("a/b/c") below the root, no attributes. */
  public static void writePlain(Path file, Map<String, Object> datasets) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      Map<String, WritableGroup> groups = new HashMap<>();
      datasets.forEach(
          (path, value) -> {
            String[] seg = path.split("/");
            WritableGroup g = group(h5, groups, seg);
            g.putDataset(
                seg[seg.length - 1], value instanceof HostTensor t ? nested(t) : value);
          });
    }
  }

  /**
   * Copies an HDF5 file written by jHDF (superblock version 2, 8-byte addresses) to {@code dst}
   * behind a user block of {@code size} bytes (a power of two ≥ 512), as the HDF5 library writes
   * one: the superblock's base address becomes {@code size} (all other addresses are relative to
   * it) and its checksum is recomputed.
   */
  public static Path withUserBlock(Path src, Path dst, int size) throws java.io.IOException {
    byte[] h5 = java.nio.file.Files.readAllBytes(src);
    if (h5[8] != 2 || h5[9] != 8) {
      throw new IllegalStateException("expected superblock v2 with 8-byte offsets, found v" + h5[8]);
    }
    ByteBuffer sb = ByteBuffer.wrap(h5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    sb.putLong(12, size);
    sb.putInt(44, io.jhdf.checksum.ChecksumUtils.checksum(Arrays.copyOf(h5, 44)));
    byte[] out = new byte[size + h5.length];
    Arrays.fill(out, 0, size, (byte) 'u');
    System.arraycopy(h5, 0, out, size, h5.length);
    return java.nio.file.Files.write(dst, out);
  }

  /** A writable group below {@code root} for a path's parent segments, created on first use. */
  public static WritableGroup group(WritableGroup root, Map<String, WritableGroup> groups, String[] seg) {
    WritableGroup g = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < seg.length - 1; i++) {
      path.append('/').append(seg[i]);
      WritableGroup parent = g;
      String name = seg[i];
      g = groups.computeIfAbsent(path.toString(), p -> parent.putGroup(name));
    }
    return g;
  }

  private static void putAt(
      WritableGroup layer, Map<String, WritableGroup> groups, String name, HostTensor t) {
    String[] seg = name.split("/");
    group(layer, groups, seg).putDataset(seg[seg.length - 1], nested(t));
  }

  /** The tensor as a (nested) Java array of its element type, or a boxed scalar for rank 0. */
  public static Object nested(HostTensor t) {
    long[] s = t.shape();
    ByteBuffer b = t.data();
    Class<?> type;
    Object flat;
    int n = (int) t.numel();
    switch (t.dtype()) {
      case F32 -> {
        float[] f = new float[n];
        b.asFloatBuffer().get(f);
        type = float.class;
        flat = f;
      }
      case F64 -> {
        double[] f = new double[n];
        b.asDoubleBuffer().get(f);
        type = double.class;
        flat = f;
      }
      case I64 -> {
        long[] f = new long[n];
        b.asLongBuffer().get(f);
        type = long.class;
        flat = f;
      }
      case I32 -> {
        int[] f = new int[n];
        b.asIntBuffer().get(f);
        type = int.class;
        flat = f;
      }
      default -> throw new IllegalArgumentException("KerasH5 writes F32/F64/I64/I32, not " + t.dtype());
    }
    if (s.length == 0) {
      return Array.get(flat, 0);
    }
    int[] dims = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      dims[i] = Math.toIntExact(s[i]);
    }
    Object out = Array.newInstance(type, dims);
    fill(out, dims, 0, flat, new int[] {0});
    return out;
  }

  private static void fill(Object arr, int[] dims, int d, Object flat, int[] pos) {
    if (d == dims.length - 1) {
      System.arraycopy(flat, pos[0], arr, 0, dims[d]);
      pos[0] += dims[d];
      return;
    }
    for (int i = 0; i < dims[d]; i++) {
      fill(Array.get(arr, i), dims, d + 1, flat, pos);
    }
  }
}
