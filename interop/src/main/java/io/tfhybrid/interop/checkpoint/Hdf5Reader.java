package io.tfhybrid.interop.checkpoint;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads HDF5 weight files (with the pure-Java jHDF library), above all Keras {@code save_weights}
 * files such as Hugging Face's {@code tf_model.h5}. In the Keras layout the root (or, in a whole
 * Keras model file, its {@code model_weights} group) lists its layers in the attribute {@code
 * layer_names}; each layer group lists its weights in {@code weight_names} (split into {@code
 * weight_names0}, {@code weight_names1}, … when it exceeds HDF5's 64 KiB attribute limit), e.g.
 * {@code tf_cvt_for_image_classification/cvt/encoder/stages.0/.../kernel:0}, and holds each one as
 * the dataset at that path below the layer group. Every such tensor is keyed by its full weight
 * name, in the order the attributes list them. Datasets outside a layer that lists its weights (any
 * other HDF5 file, or Keras 3's {@code .weights.h5}) are keyed by their path without the leading
 * {@code /}. Integer and floating-point datasets are read (float16 is widened to float32); others
 * (strings, compounds) are skipped with a note. Values keep TensorFlow's layout: converting them to
 * a PyTorch state_dict is a per-model renaming (e.g. {@code CvtHfNames}).
 */
public final class Hdf5Reader {
  /** The 8-byte HDF5 format signature, at offset 0 or at the end of a user block. */
  static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private static final String LAYER_NAMES = "layer_names";
  private static final String WEIGHT_NAMES = "weight_names";
  private static final String MODEL_WEIGHTS = "model_weights";

  private Hdf5Reader() {}

  /** True when {@code bytes} holds the HDF5 signature at {@code offset}. */
  static boolean isSignatureAt(byte[] bytes, int offset) {
    if (bytes.length < offset + SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (bytes[offset + i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  public static StateDict read(Path file) throws IOException {
    return read(file, ReadLimits.defaults());
  }

  /**
   * As {@link #read(Path)}. The datasets read may hold at most {@code limits.budget(file size)}
   * bytes in total.
   *
   * <p>jHDF trusts the sizes a file declares: reading through a file channel it allocates a buffer
   * of each declared size before reading (a 1 KB file can ask for 512 MB). So the file is mapped
   * into memory and handed to jHDF as a buffer, from which it takes slices: a size beyond the file
   * is an error, never an allocation. Files over 2 GiB (the limit of one mapping) are refused.
   */
  public static StateDict read(Path file, ReadLimits limits) throws IOException {
    long size = Files.size(file);
    try (HdfFile h5 = open(file, size)) {
      return read(file, h5, limits.budget(size), limits, size);
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw unreadable(file, e);
    }
  }

  private static HdfFile open(Path file, long size) throws IOException {
    if (size > Integer.MAX_VALUE) {
      throw new CheckpointFormatException(
          file,
          -1,
          "HDF5 file of "
              + size
              + " bytes; files over 2 GiB are not supported (re-save the weights as"
              + " .safetensors)");
    }
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
      ByteBuffer mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size);
      return HdfFile.fromByteBuffer(mapped);
    } catch (RuntimeException | StackOverflowError e) {
      throw unreadable(file, e);
    }
  }

  /** jHDF reports malformed or truncated files with unchecked exceptions. */
  private static CheckpointFormatException unreadable(Path file, Throwable e)
      throws IOException {
    String m = e instanceof StackOverflowError ? "structures nested too deeply" : e.getMessage();
    // jHDF names the address it failed at (relative to the superblock's base address).
    java.util.regex.Matcher at =
        java.util.regex.Pattern.compile("address '?(\\d{1,18})").matcher(m == null ? "" : m);
    return new CheckpointFormatException(
        file,
        at.find() ? Long.parseLong(at.group(1)) : -1,
        "not a readable HDF5 file: "
            + (m == null || m.isBlank() ? e.getClass().getSimpleName() : Describe.name(m))
            + "; the file is "
            + Files.size(file)
            + " bytes: is it complete?",
        e);
  }


  private static StateDict read(
      Path file, HdfFile h5, long budget, ReadLimits limits, long fileSize) throws IOException {
    Reading r = new Reading(file, budget, limits, fileSize);
    LinkedHashMap<String, HostTensor> out = r.out;
    List<String> skipped = r.skipped;
    List<String> notes = new ArrayList<>();

    Group weightsRoot = h5;
    if (strings(file, h5, LAYER_NAMES) == null
        && h5.getChild(MODEL_WEIGHTS) instanceof Group mw
        && strings(file, mw, LAYER_NAMES) != null) {
      weightsRoot = mw;
    }
    List<String> layerNames = strings(file, weightsRoot, LAYER_NAMES);
    int layers = 0;
    int listed = 0;
    if (layerNames != null) {
      for (String layer : layerNames) {
        Node n = byPath(weightsRoot, layer);
        if (n instanceof Dataset d) {
          // Hugging Face's sharded TF files list the weights themselves in 'layer_names'.
          r.put(layer, d);
          listed++;
          continue;
        }
        if (!(n instanceof Group g)) {
          throw new CheckpointFormatException(
              file,
              -1,
              "'"
                  + weightsRoot.getPath()
                  + "' lists layer '"
                  + layer
                  + "' in its '"
                  + LAYER_NAMES
                  + "' attribute, but holds "
                  + (n == null ? "no such group" : "a " + n.getType() + " there")
                  + "; expected one group per layer (Keras save_weights layout) or the weight's"
                  + " dataset (Hugging Face's sharded layout)");
        }
        layers++;
        listed += r.readLayer(g);
      }
      notes.add(
          "HDF5 file in the Keras save_weights layout"
              + (weightsRoot == h5 ? "" : " (group '" + MODEL_WEIGHTS + "' of a Keras model file)")
              + ": "
              + count(layers, "layer")
              + ", "
              + count(listed, "weight")
              + " keyed by their weight names");
    } else {
      r.walk(h5);
      notes.add(
          "HDF5 file without Keras 'layer_names': "
              + count(out.size(), "dataset")
              + " keyed by their paths (or the weight names of groups that list them)");
    }
    if (h5.getUserBlockSize() > 0) {
      notes.add("skipped a user block of " + h5.getUserBlockSize() + " bytes before the HDF5 data");
    }
    if (r.widened > 0) {
      notes.add(count(r.widened, "float16 dataset") + " widened to float32");
    }
    if (!skipped.isEmpty()) {
      notes.add(
          "skipped "
              + skipped.size()
              + (skipped.size() == 1 ? " dataset that holds" : " datasets that hold")
              + " no numbers: "
              + Describe.quotedList(skipped, 5));
    }
    String dtypes = PthReader.dtypeNote(out);
    if (dtypes != null) {
      notes.add(dtypes);
    }
    return StateDict.of(CheckpointFormatException.fileName(file), out, notes);
  }

  /** One read in progress: the tensors found so far, their dataset paths, what was skipped. */
  private static final class Reading {
    final Path file;
    final LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
    final Map<String, String> origin = new LinkedHashMap<>();
    final List<String> skipped = new ArrayList<>();
    final long budget;
    final ReadLimits limits;
    final long fileSize;
    long spent;
    int widened;

    Reading(Path file, long budget, ReadLimits limits, long fileSize) {
      this.file = file;
      this.budget = budget;
      this.limits = limits;
      this.fileSize = fileSize;
    }

    /** The datasets a layer group lists in {@code weight_names}; returns how many. */
    int readLayer(Group layer) throws IOException {
      List<String> names = strings(file, layer, WEIGHT_NAMES);
      if (names == null) {
        // A layer without the attribute (Keras always writes it, possibly empty): read what it holds.
        int before = out.size();
        walk(layer);
        return out.size() - before;
      }
      for (String name : names) {
        Node n = byPath(layer, name);
        if (!(n instanceof Dataset d)) {
          throw new CheckpointFormatException(
              file,
              -1,
              "layer '"
                  + layer.getPath()
                  + "' lists weight '"
                  + name
                  + "' in its '"
                  + WEIGHT_NAMES
                  + "' attribute, but holds "
                  + (n == null ? "no dataset" : "a " + n.getType())
                  + " at '"
                  + layer.getPath()
                  + name
                  + "'; expected each listed weight as a dataset at that path");
        }
        put(name, d);
      }
      return names.size();
    }

    /** Every dataset below {@code g}; groups that list {@code weight_names} are read as layers. */
    void walk(Group g) throws IOException {
      for (Node n : g.getChildren().values()) {
        if (n instanceof Dataset d) {
          put(stripRoot(d.getPath()), d);
        } else if (n instanceof Group child) {
          if (strings(file, child, WEIGHT_NAMES) != null) {
            readLayer(child);
          } else {
            walk(child);
          }
        }
      }
    }

    /** Adds one dataset under {@code key}; a second dataset with the same key is an error. */
    void put(String key, Dataset d) throws IOException {
      HostTensor t = tensor(file, d, this);
      if (t == null) {
        skipped.add(stripRoot(d.getPath()));
        return;
      }
      if (d.getDataType().getSize() == 2 && primitive(d.getJavaType()) == float.class) {
        widened++;
      }
      String before = origin.putIfAbsent(key, d.getPath());
      if (before != null) {
        throw new CheckpointFormatException(
            file,
            -1,
            "two datasets, '"
                + before
                + "' and '"
                + d.getPath()
                + "', have the weight name '"
                + key
                + "'; expected unique weight names");
      }
      out.put(key, t);
    }
  }

  /**
   * The node at {@code relativePath} below {@code g}, or null when there is none. Walked child by
   * child: jHDF's {@code getByPath} reports a missing path with the backing file's name, which an
   * in-memory file does not have.
   */
  private static Node byPath(Group g, String relativePath) {
    Node n = g;
    for (String seg : relativePath.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (!(n instanceof Group group)) {
        return null;
      }
      n = group.getChildren().get(seg);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  private static String stripRoot(String path) {
    return path.startsWith("/") ? path.substring(1) : path;
  }

  /** The dataset as a tensor (torch shape = HDF5 dimensions), or null when it holds no numbers. */
  private static HostTensor tensor(Path file, Dataset d, Reading r)
      throws CheckpointFormatException {
    long[] shape = d.isScalar() ? new long[0] : d.getDimensionsAsLong();
    Class<?> type = primitive(d.getJavaType());
    if (type == null) {
      return null;
    }
    long numel;
    long bytes;
    try {
      numel = HostTensor.numel(shape);
      bytes = Math.multiplyExact(numel, (long) Math.max(1, d.getDataType().getSize()));
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new CheckpointFormatException(
          file,
          -1,
          "dataset '"
              + Describe.name(d.getPath())
              + "' declares dimensions "
              + Checks.shape(shape)
              + " whose size overflows 64 bits");
    }
    if (bytes > r.budget - r.spent) {
      throw new CheckpointFormatException(
          file,
          -1,
          "dataset '"
              + Describe.name(d.getPath())
              + "' declares "
              + Checks.shape(shape)
              + " ("
              + bytes
              + " bytes); with the "
              + r.spent
              + " bytes read before it that exceeds the read limit of "
              + r.limits.describe(r.fileSize, "the file")
              + "; "
              + ReadLimits.howToRaise());
    }
    r.spent += bytes;
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new CheckpointFormatException(
          file,
          -1,
          "dataset '"
              + d.getPath()
              + "' holds "
              + numel
              + " elements; tensors over 2 GiB are not supported");
    }
    Object flat;
    if (numel == 0) {
      flat = Array.newInstance(type, 0);
    } else if (d.isScalar()) {
      flat = Array.newInstance(type, 1);
      Array.set(flat, 0, d.getData());
    } else {
      flat = d.getDataFlat();
    }
    int n = Array.getLength(flat);
    if (n != numel) {
      throw new CheckpointFormatException(
          file,
          -1,
          "dataset '"
              + d.getPath()
              + "' has dimensions "
              + Checks.shape(shape)
              + " ("
              + numel
              + " elements) but its data holds "
              + n);
    }
    if (flat instanceof float[] f) {
      return HostTensor.ofFloats(shape, f);
    }
    if (flat instanceof long[] l) {
      return HostTensor.ofLongs(shape, l);
    }
    if (flat instanceof double[] v) {
      ByteBuffer b = little(n, 8);
      b.asDoubleBuffer().put(v);
      return HostTensor.of(DType.F64, shape, b);
    }
    if (flat instanceof int[] v) {
      ByteBuffer b = little(n, 4);
      b.asIntBuffer().put(v);
      return HostTensor.of(DType.I32, shape, b);
    }
    if (flat instanceof short[] v) {
      ByteBuffer b = little(n, 2);
      b.asShortBuffer().put(v);
      return HostTensor.of(DType.I16, shape, b);
    }
    if (flat instanceof byte[] v) {
      return HostTensor.of(DType.I8, shape, ByteBuffer.wrap(v.clone()));
    }
    if (flat instanceof boolean[] v) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) (v[i] ? 1 : 0);
      }
      return HostTensor.of(DType.BOOL, shape, ByteBuffer.wrap(b));
    }
    return null;
  }

  /** The primitive element type (jHDF reports scalars boxed), or null for non-numbers. */
  private static Class<?> primitive(Class<?> t) {
    if (t == null || t == char.class || t == Character.class) {
      return null;
    }
    if (t.isPrimitive()) {
      return t;
    }
    for (Class<?> p :
        List.of(
            float.class, double.class, long.class, int.class, short.class, byte.class,
            boolean.class)) {
      if (MethodType.methodType(p).wrap().returnType() == t) {
        return p;
      }
    }
    return null;
  }

  private static ByteBuffer little(int n, int size) {
    return ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * A string-list attribute ({@code name}, or Keras' chunks {@code name0}, {@code name1}, …), or
   * null when the node has neither.
   */
  private static List<String> strings(Path file, Node node, String name)
      throws CheckpointFormatException {
    Map<String, Attribute> attrs = node.getAttributes();
    if (attrs.containsKey(name)) {
      return stringList(file, node, name, attrs.get(name));
    }
    if (!attrs.containsKey(name + "0")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; attrs.containsKey(name + i); i++) {
      out.addAll(stringList(file, node, name + i, attrs.get(name + i)));
    }
    return out;
  }

  private static List<String> stringList(Path file, Node node, String name, Attribute a)
      throws CheckpointFormatException {
    Object data = a.isEmpty() ? new String[0] : a.getData();
    List<String> out = new ArrayList<>();
    if (data instanceof String s) {
      out.add(s);
    } else if (data instanceof String[] arr) {
      out.addAll(List.of(arr));
    } else if (data != null && data.getClass().isArray() && Array.getLength(data) == 0) {
      return out;
    } else {
      throw new CheckpointFormatException(
          file,
          -1,
          "attribute '"
              + name
              + "' of '"
              + node.getPath()
              + "' holds "
              + (data == null ? "nothing" : data.getClass().getSimpleName())
              + "; expected a list of strings (Keras save_weights layout)");
    }
    return out;
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
