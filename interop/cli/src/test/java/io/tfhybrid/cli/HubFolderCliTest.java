package io.tfhybrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Preprocessing;
import io.tfhybrid.arch.Preprocessing.CropMode;
import io.tfhybrid.arch.Preprocessing.Interpolation;
import io.tfhybrid.arch.golden.GoldenFixture;
import io.tfhybrid.interop.ImageTensors;
import io.tfhybrid.interop.checkpoint.Checkpoints;
import io.tfhybrid.interop.serving.ExportMetadata;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.verify.Tolerance;
import io.tfhybrid.nn.HostTensor;
import io.tfhybrid.ops.Layouts;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face hub folder (the golden case hub_rmlp1_tiny: timm's config.json +
 * model.safetensors) converts with no --model flag, its export's metadata carries the config's
 * transform and the SavedModel reproduces the reference logits; verify and predict take the
 * folder; the bare weights file is identified from its keys and says what it assumed.
 */
class HubFolderCliTest {
  @TempDir Path tmp;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  static GoldenFixture hubCase() throws Exception {
    return GoldenFixture.open(
        Arch.COATNET_TIMM, CliTest.GOLDEN.resolve("coatnet_timm/hub_rmlp1_tiny"));
  }

  /** The case's hub files (checksums verified) in a folder named like a hub download. */
  Path hubFolder() throws Exception {
    GoldenFixture c = hubCase();
    Path hub = tmp.resolve("coatnet_rmlp_1_rw_224.golden_tiny");
    Files.createDirectories(hub);
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(c.file(f), hub.resolve(f));
    }
    return hub;
  }

  static HostTensor npy(Path file) throws Exception {
    var sd = Checkpoints.read(file);
    return sd.get(sd.keys().get(0));
  }

  /**
   * serving_default (RGB 0-255, normalised in the graph) on the case's input reproduces the
   * reference logits.
   */
  static void assertReferenceLogits(Path version, Preprocessing p) throws Exception {
    GoldenFixture c = hubCase();
    HostTensor pixels =
        ImageTensors.pixelsFromNormalized(Layouts.nchwToNhwc(npy(c.file("input.npy"))), p);
    try (SavedModelImport imp = SavedModelImport.open(version)) {
      Map<String, HostTensor> y =
          imp.run(ServingSignatures.SERVING_DEFAULT, Map.of(ServingSignatures.INPUT_IMAGES, pixels));
      float[] got = y.get(ServingSignatures.OUTPUT_LOGITS).toFloatArray();
      float[] want = npy(c.file("logits.npy")).toFloatArray();
      double max = 0;
      double maxRef = 0;
      for (int i = 0; i < want.length; i++) {
        max = Math.max(max, Math.abs(got[i] - want[i]));
        maxRef = Math.max(maxRef, Math.abs(want[i]));
      }
      double bound = Tolerance.DEFAULT.bound(maxRef);
      System.out.printf("%s → SavedModel logits max|Δ| %.3e bound %.3e%n", version, max, bound);
      assertTrue(max <= bound, "max |Δ| " + max);
    }
  }

  @Test
  void aHubFolderConvertsWithItsConfigAndServingBytesUsesItsTransform() throws Exception {
    Path hub = hubFolder();
    Path out = tmp.resolve("exported/rmlp1");
    Run r = run("convert", hub.toString(), "--out", out.toString());
    System.out.println(r.out() + r.err());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("detected: coatnet_rmlp_1_rw_224.golden_tiny (CoAtNet (timm))"), r.out());
    assertTrue(r.out().contains("why: timm config.json"), r.out());

    Path version = out.resolve("1");
    ExportMetadata meta = ExportMetadata.read(version.resolve("assets.extra/tfhybrid.json"));
    assertEquals("coatnet_timm", meta.arch());
    assertEquals("coatnet_rmlp_1_rw_224.golden_tiny", meta.model());
    assertEquals(6, meta.numClasses());
    // pretrained_cfg: input 64, crop_pct 0.95 center → bicubic resize floor(64 / 0.95) = 67,
    // centre crop 64, mean = std = 0.5.
    List<Float> half = List.of(0.5f, 0.5f, 0.5f);
    assertEquals(
        new Preprocessing(Interpolation.BICUBIC, CropMode.CENTER, 67, 67, 64, 64, half, half),
        meta.preprocessing());
    assertReferenceLogits(version, meta.preprocessing());
  }

  @Test
  void verifyAndPredictTakeTheHubFolder() throws Exception {
    GoldenFixture c = hubCase();
    Path hub = hubFolder();
    Run v =
        run("verify", hub.toString(), "--input", c.file("input.npy").toString(), "--expect",
            c.file("logits.npy").toString());
    System.out.println(v.out() + v.err());
    assertEquals(0, v.status(), v.out() + v.err());
    assertTrue(v.out().contains("coatnet_rmlp_1_rw_224.golden_tiny"), v.out());

    // predict: class indices without names, --labels FILE with them; a wrong count is refused.
    BufferedImage img = new BufferedImage(80, 70, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < 80; x++) {
        img.setRGB(x, y, (x * 3) << 16 | (y * 3) << 8 | (x + y));
      }
    }
    Path png = tmp.resolve("gradient.png");
    ImageIO.write(img, "png", png.toFile());
    Run plain = run("predict", hub.toString(), png.toString(), "--top", "6");
    assertEquals(0, plain.status(), plain.err());
    assertTrue(plain.out().contains("  1. class "), plain.out());
    Path labels = tmp.resolve("labels.txt");
    Files.writeString(labels, "# six tiny classes\nzero\none\ntwo\nthree\nfour\nfive\n");
    Run named =
        run("predict", hub.toString(), png.toString(), "--top", "6", "--labels",
            labels.toString());
    assertEquals(0, named.status(), named.err());
    for (String name : List.of("zero", "one", "two", "three", "four", "five")) {
      assertTrue(named.out().contains(" " + name + " "), named.out());
    }
    Files.writeString(labels, "zero\none\n");
    Run wrong = run("predict", hub.toString(), png.toString(), "--labels", labels.toString());
    assertEquals(2, wrong.status(), wrong.out());
    assertTrue(wrong.err().contains("6 names (the model has 6 classes)"), wrong.err());
    assertTrue(wrong.err().contains("found 2 names"), wrong.err());
  }

  @Test
  void theBareWeightsFileIsIdentifiedFromItsKeysAndSaysWhatItAssumed() throws Exception {
    Path bare = tmp.resolve("bare/model.safetensors");
    Files.createDirectories(bare.getParent());
    Files.copy(hubCase().file("model.safetensors"), bare);
    Path out = tmp.resolve("exported/bare");
    Run r = run("convert", bare.toString(), "--out", out.toString(), "--size", "64");
    System.out.println(r.out() + r.err());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("detected: coatnet_timm_inferred (CoAtNet (timm))"), r.out());
    assertTrue(r.out().contains("assumed those of coatnet_rmlp_1_rw_224"), r.out());
    assertTrue(
        r.out().contains("input 224x224: assumed (bias-MLP weights fit any multiple of 8):"),
        r.out());
    assertReferenceLogits(
        out.resolve("1"),
        ExportMetadata.read(out.resolve("1/assets.extra/tfhybrid.json")).preprocessing());
  }
}
