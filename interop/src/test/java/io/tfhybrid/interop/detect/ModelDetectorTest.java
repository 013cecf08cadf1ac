package io.tfhybrid.interop.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Reason;
import io.tfhybrid.arch.Variant;
import io.tfhybrid.arch.contnet.ContNetConfig;
import io.tfhybrid.arch.contnet.ContNetFlags;
import io.tfhybrid.arch.contnet.ContNetVariants;
import io.tfhybrid.interop.TfHybridException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --model auto on state_dict layouts (no weights, no TensorFlow). */
class ModelDetectorTest {

  static Map<String, long[]> shapes(Variant<?> v) {
    return v.config().createModule().stateDictShapes();
  }

  @Test
  void everyRegisteredVariantIsRecognisedFromItsOwnLayout() {
    for (Variant<?> v : Models.all()) {
      ModelChoice c = ModelDetector.detect(v.id() + ".pth", shapes(v), null);
      assertEquals(v.arch(), c.arch(), v.id());
      // Variants whose weights look alike (same net at another resolution) resolve to the first.
      assertEquals(shapes(v).keySet(), c.createModule().stateDictShapes().keySet(), v.id());
      assertEquals(Reason.Kind.MATCHED, c.reasons().get(0).kind(), c.reasons().toString());
      assertTrue(c.reasonTexts().get(0).startsWith("all "), c.reasons().toString());
      if (!c.name().equals(v.id())) {
        assertTrue(
            c.reasonTexts().stream().anyMatch(r -> r.contains(v.id())), c.reasons().toString());
      }
    }
  }

  @Test
  void aHeadWithAnotherClassCountIsTheVariantWithThatCount() {
    Variant<?> n = Models.variant("conv2former_n_224");
    Map<String, long[]> s = shapes(n);
    s.put("pred.weight", new long[] {10, 1280});
    s.put("pred.bias", new long[] {10});
    ModelChoice c = ModelDetector.detect("n10.pth", s, null);
    assertEquals("conv2former_n_224", c.name());
    assertEquals(10, c.config().numClasses());
    assertEquals(
        "its classifier has 10 classes instead of 1000 (read from the head's shapes)",
        c.reasonTexts().get(1));
  }

  @Test
  void numClassesOptionApplies() {
    Map<String, long[]> s = shapes(Models.variant("conv2former_n_224"));
    s.put("pred.weight", new long[] {21, 1280});
    s.put("pred.bias", new long[] {21});
    assertEquals(21, ModelDetector.detect("x", s, 21).config().numClasses());
    assertEquals(21, ModelDetector.byId("conv2former_n_224", 21).config().numClasses());
  }

  @Test
  void aConTNetTiTrainedWithRelativePositionsIsDetectedWithItsFlags() {
    ContNetConfig relTi =
        ContNetVariants.TI.config().withFlags(ContNetFlags.OFFICIAL.withRelative(true));
    ModelChoice m =
        ModelDetector.detect("ti_rel.pth", relTi.createModule().stateDictShapes(), null);
    assertEquals(Arch.CONTNET, m.arch());
    assertEquals("contnet_inferred", m.name());
    assertEquals(relTi, m.config());
    assertEquals(224, m.height());
    assertEquals(224, m.width());
    List<String> why = m.reasonTexts();
    assertEquals(
        "no registered variant has these keys and shapes; the ConTNet inference read the"
            + " configuration from them: ContNetConfig(inplanes=48, layers=[1, 1, 1, 1],"
            + " mlp_dim=[196, 392, 768, 768], head_num=[1, 2, 4, 8], num_classes=1000,"
            + " use_avgdown=False, relative=True, qkv_bias=True, pre_norm=False)",
        why.get(0));
    assertTrue(
        why.contains(
            "relative=True: found 'layer1.ConTBlock0.ste1.attn.relative_position_bias_table' and"
                + " no 'pe.0'/'pe.1'"),
        why.toString());
    assertTrue(why.contains("head_num=[1, 2, 4, 8]: from the relative tables' second dimension"));
    assertTrue(
        why.stream()
            .anyMatch(
                r ->
                    r.startsWith("pre_norm=False: not visible in a checkpoint")
                        && r.contains("--pre-norm")),
        why.toString());
    assertEquals(
        "the evaluation transform of 'contnet_ti_224' (the family's first variant) at 224x224;"
            + " --size changes the input",
        why.get(why.size() - 1));

    ModelChoice pre = m.withPreNorm();
    assertEquals(relTi.withPreNorm(true), pre.config());
    assertTrue(
        pre.reasonTexts().get(0).endsWith("qkv_bias=True, pre_norm=True)"),
        pre.reasonTexts().get(0));
    List<Reason> preNorm =
        pre.reasons().stream().filter(r -> r.isAbout(ContNetFlags.PRE_NORM)).toList();
    assertEquals(1, preNorm.size(), pre.reasons().toString());
    assertEquals(Reason.Kind.STATED, preNorm.get(0).kind());
    assertEquals(
        "pre_norm=True: --pre-norm (not visible in a checkpoint; the official default is"
            + " False)",
        preNorm.get(0).text());
  }

  @Test
  void preNormAppliesToConTNetOnly() {
    ModelChoice ti = ModelDetector.byId("contnet_ti_224", null).withPreNorm();
    assertTrue(((ContNetConfig) ti.config()).flags().preNorm());
    TfHybridException e =
        assertThrows(
            TfHybridException.class, () -> ModelDetector.byId("conv2former_n_224", null).withPreNorm());
    assertEquals(
        "--pre-norm for Conv2Former 'conv2former_n_224': expected a ConTNet model (pre_norm is a"
            + " ConTNet build flag), found Conv2Former",
        e.getMessage());
  }

  @Test
  void anUnknownLayoutFailsNamingTheClosestVariant() {
    Map<String, long[]> s = shapes(Models.variant("conv2former_n_224"));
    s.remove("stages.0.0.attn.att.2.weight");
    s.put("encoder.layer.0.weight", new long[] {3, 3});
    TfHybridException e = assertThrows(TfHybridException.class, () -> ModelDetector.detect("odd.pth", s, null));
    assertTrue(
        e.getMessage().startsWith("cannot detect the model of 'odd.pth': expected the keys"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("closest is Conv2Former 'conv2former_n_224'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("missing e.g. 'stages.0.0.attn.att.2.weight'"), e.getMessage());
    assertTrue(
        e.hint()
            .endsWith(
                "pass --model ID to load it into a variant and see every problem"
                    + " (tfhybrid list)"),
        e.hint());
  }

  @Test
  void anUnknownIdListsWhereToLook() {
    TfHybridException e = assertThrows(TfHybridException.class, () -> ModelDetector.byId("resnet50", null));
    assertEquals(
        "unknown model 'resnet50': expected 'auto' or a variant id, found 'resnet50'",
        e.getMessage());
  }

  @Test
  void anotherSizeRescalesTheTransform() {
    ModelChoice c = ModelDetector.byId("conv2former_n_224", null).atSize(384, 384);
    assertEquals(439, c.preprocessing().resizeHeight());
    assertEquals(384, c.preprocessing().cropHeight());
    TfHybridException e =
        assertThrows(
            TfHybridException.class, () -> ModelDetector.byId("conv2former_n_224", null).atSize(16, 16));
    assertTrue(
        e.getMessage()
            .startsWith(
                "input size 16x16 for 'conv2former_n_224': expected a size"
                    + " the model accepts, found 16x16 ("),
        e.getMessage());
  }
}
