package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.DType;
import io.tfhybrid.nn.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HDF5 weight files (Keras save_weights layout and plain HDF5), written here with jHDF. */
class Hdf5ReaderTest {
  @TempDir Path tmp;

  static final String SCOPE = "tf_cvt_for_image_classification/";
  static final String KERNEL = SCOPE + "cvt/encoder/stages.0/embedding/projection/kernel:0";
  static final String BIAS = SCOPE + "cvt/encoder/stages.0/embedding/projection/bias:0";
  static final String CLS = "cvt.encoder.stages.2.cls_token:0";
  static final String HEAD = SCOPE + "classifier/kernel:0";

  static HostTensor ramp(long... shape) {
    float[] v = new float[(int) HostTensor.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.25f - 3f;
    }
    return HostTensor.ofFloats(shape, v);
  }

  /** Two layers; in each, weight_names lists the kernel before the bias (not name order). */
  static LinkedHashMap<String, LinkedHashMap<String, HostTensor>> layers() {
    LinkedHashMap<String, HostTensor> cvt = new LinkedHashMap<>();
    cvt.put(KERNEL, ramp(7, 7, 3, 4));
    cvt.put(BIAS, ramp(4));
    cvt.put(CLS, ramp(1, 1, 4));
    LinkedHashMap<String, HostTensor> head = new LinkedHashMap<>();
    head.put(HEAD, ramp(4, 5));
    LinkedHashMap<String, LinkedHashMap<String, HostTensor>> layers = new LinkedHashMap<>();
    layers.put("cvt", cvt);
    layers.put("classifier", head);
    return layers;
  }

  static void assertSame(HostTensor expected, HostTensor actual, String what) {
    assertEquals(expected.dtype(), actual.dtype(), what);
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertTrue(expected.contentEquals(actual), what + " values");
  }

  @Test
  void kerasLayoutIsKeyedByWeightNamesInListedOrder() throws IOException {
    Path f = tmp.resolve("tf_model.h5");
    KerasH5.write(f, layers(), 0);
    assertEquals(Checkpoints.Format.HDF5, Checkpoints.detect(f));
    StateDict sd = Checkpoints.read(f);
    assertEquals("tf_model.h5", sd.source());
    assertEquals(List.of(KERNEL, BIAS, CLS, HEAD), sd.keys());
    layers().values().forEach(l -> l.forEach((k, t) -> assertSame(t, sd.get(k), k)));
    assertEquals(
        List.of(
            "HDF5 file in the Keras save_weights layout: 2 layers, 4 weights keyed by their"
                + " weight names"),
        sd.notes());
  }

  @Test
  void weightNamesSplitIntoChunksAreJoined() throws IOException {
    Path f = tmp.resolve("chunked.h5");
    KerasH5.write(f, layers(), 2);
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of(KERNEL, BIAS, CLS, HEAD), sd.keys());
    assertSame(ramp(1, 1, 4), sd.get(CLS), CLS);
  }

  @Test
  void withoutKerasAttributesDatasetPathsAreTheKeys() throws IOException {
    Path f = tmp.resolve("plain.h5");
    LinkedHashMap<String, Object> ds = new LinkedHashMap<>();
    ds.put("layers/dense/vars/0", ramp(3, 2));
    ds.put("layers/dense/vars/1", new double[] {1.5, -2.5});
    ds.put("step", 7L);
    ds.put("counts", new int[][] {{1, 2}, {3, 4}});
    ds.put("note", "not a tensor");
    KerasH5.writePlain(f, ds);
    StateDict sd = Checkpoints.read(f);
    assertEquals(
        List.of("counts", "layers/dense/vars/0", "layers/dense/vars/1", "step"),
        sd.keys().stream().sorted().toList());
    assertSame(ramp(3, 2), sd.get("layers/dense/vars/0"), "vars/0");
    HostTensor d = sd.get("layers/dense/vars/1");
    assertEquals(DType.F64, d.dtype());
    assertArrayEquals(new float[] {1.5f, -2.5f}, d.toFloatArray());
    HostTensor step = sd.get("step");
    assertEquals(DType.I64, step.dtype());
    assertArrayEquals(new long[0], step.shape());
    assertArrayEquals(new long[] {7}, step.toLongArray());
    HostTensor counts = sd.get("counts");
    assertEquals(DType.I32, counts.dtype());
    assertArrayEquals(new long[] {2, 2}, counts.shape());
    assertArrayEquals(new long[] {1, 2, 3, 4}, counts.toLongArray());
    assertTrue(
        sd.notes().contains("skipped 1 dataset that holds no numbers: ['note']"), sd.notes().toString());
    assertTrue(sd.notes().get(0).startsWith("HDF5 file without Keras 'layer_names': 4 datasets"));
  }

  @Test
  void shardedHuggingFaceFilesListTheWeightsThemselves() throws IOException {
    // transformers' sharded TF checkpoints: 'layer_names' names datasets (by weight name).
    Path f = tmp.resolve("tf_model-00001-of-00002.h5");
    try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(f)) {
      h5.putAttribute("layer_names", new String[] {HEAD, CLS});
      h5.putDataset(CLS, KerasH5.nested(ramp(1, 1, 4)));
      java.util.Map<String, io.jhdf.api.WritableGroup> groups = new java.util.HashMap<>();
      String[] seg = HEAD.split("/");
      KerasH5.group(h5, groups, seg).putDataset(seg[seg.length - 1], KerasH5.nested(ramp(4, 5)));
    }
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of(HEAD, CLS), sd.keys());
    assertSame(ramp(4, 5), sd.get(HEAD), HEAD);
    assertEquals(
        List.of(
            "HDF5 file in the Keras save_weights layout: 0 layers, 2 weights keyed by their"
                + " weight names"),
        sd.notes());
  }

  @Test
  void aWholeKerasModelFileGivesTheWeightsOfItsModelWeightsGroup() throws IOException {
    Path f = tmp.resolve("model.h5");
    try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(f)) {
      h5.putAttribute("model_config", "{\"class_name\": \"Functional\"}");
      io.jhdf.api.WritableGroup mw = h5.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"classifier"});
      io.jhdf.api.WritableGroup c = mw.putGroup("classifier");
      c.putAttribute("weight_names", new String[] {HEAD});
      java.util.Map<String, io.jhdf.api.WritableGroup> groups = new java.util.HashMap<>();
      String[] seg = HEAD.split("/");
      KerasH5.group(c, groups, seg).putDataset(seg[seg.length - 1], KerasH5.nested(ramp(4, 5)));
      h5.putGroup("optimizer_weights").putDataset("iterations:0", 1000L);
    }
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of(HEAD), sd.keys());
    assertEquals(
        List.of(
            "HDF5 file in the Keras save_weights layout (group 'model_weights' of a Keras model"
                + " file): 1 layer, 1 weight keyed by their weight names"),
        sd.notes());
  }

  @Test
  void aUserBlockBeforeTheHdf5DataIsSkipped() throws IOException {
    Path plain = tmp.resolve("plain.h5");
    KerasH5.write(plain, layers(), 0);
    Path f = KerasH5.withUserBlock(plain, tmp.resolve("userblock.h5"), 1024);
    assertEquals(Checkpoints.Format.HDF5, Checkpoints.detect(f));
    StateDict sd = Checkpoints.read(f);
    assertEquals(List.of(KERNEL, BIAS, CLS, HEAD), sd.keys());
    assertSame(ramp(7, 7, 3, 4), sd.get(KERNEL), KERNEL);
    assertTrue(
        sd.notes().contains("skipped a user block of 1024 bytes before the HDF5 data"),
        sd.notes().toString());
  }

  @Test
  void aListedWeightWithoutItsDatasetIsAnError() throws IOException {
    // The classifier lists one more weight than it holds.
    Path g = tmp.resolve("listed.h5");
    try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(g)) {
      h5.putAttribute("layer_names", new String[] {"classifier"});
      io.jhdf.api.WritableGroup c = h5.putGroup("classifier");
      c.putAttribute("weight_names", new String[] {HEAD, SCOPE + "classifier/bias:0"});
      c.putGroup("tf_cvt_for_image_classification")
          .putGroup("classifier")
          .putDataset("kernel:0", KerasH5.nested(ramp(4, 5)));
    }
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(g));
    assertEquals(
        "Cannot read checkpoint 'listed.h5': layer '/classifier/' lists weight '"
            + SCOPE
            + "classifier/bias:0' in its 'weight_names' attribute, but holds no dataset at"
            + " '/classifier/"
            + SCOPE
            + "classifier/bias:0'; expected each listed weight as a dataset at that path",
        e.getMessage());
    assertEquals(g, e.file());
  }

  @Test
  void aTruncatedFileIsAnErrorNamingTheFile() throws IOException {
    Path full = tmp.resolve("full.h5");
    KerasH5.write(full, layers(), 0);
    byte[] bytes = Files.readAllBytes(full);
    Path f = Files.write(tmp.resolve("truncated.h5"), Arrays.copyOf(bytes, bytes.length / 3));
    assertEquals(Checkpoints.Format.HDF5, Checkpoints.detect(f));
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertTrue(
        e.getMessage()
            .startsWith("Cannot read checkpoint 'truncated.h5' at byte 64: not a readable HDF5 file: "),
        e.getMessage());
    assertTrue(
        e.getMessage().endsWith("; the file is " + Files.size(f) + " bytes: is it complete?"),
        e.getMessage());
  }

  @Test
  void wrapperOptionsDoNotApplyToHdf5() throws IOException {
    Path f = tmp.resolve("w.h5");
    KerasH5.write(f, layers(), 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpoints.read(f, ReadOptions.defaults().withEma()));
    assertEquals(
        "'w.h5' is an HDF5 file, which holds one flat set of tensors; EMA selection (--ema)"
            + " applies only to pickled PyTorch checkpoints",
        e.getMessage());
  }

  @Test
  void theSignatureIsRecognisedOnlyWhereHdf5PutsIt() throws IOException {
    byte[] bytes = new byte[700];
    System.arraycopy(Hdf5Reader.SIGNATURE, 0, bytes, 300, Hdf5Reader.SIGNATURE.length);
    bytes[0] = 0x42;
    Path f = Files.write(tmp.resolve("odd.bin"), bytes);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.detect(f));
    assertTrue(e.getMessage().contains("unrecognised format"), e.getMessage());
  }
}
