package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfhybrid.nn.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDictTest {
  private static StateDict of(String... keys) {
    LinkedHashMap<String, HostTensor> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      m.put(keys[i], HostTensor.ofFloats(new long[] {1}, new float[] {i}));
    }
    return StateDict.of("w.pth", m, List.of("read"));
  }

  @Test
  void keepsInsertionOrderAndIsImmutable() {
    StateDict sd = of("b", "a", "c");
    assertEquals(List.of("b", "a", "c"), sd.keys());
    assertEquals(3, sd.size());
    assertTrue(sd.contains("a"));
    assertEquals("b", sd.entries().get(0).getKey());
    assertThrows(UnsupportedOperationException.class, () -> sd.asMap().clear());
    assertThrows(UnsupportedOperationException.class, () -> sd.notes().add("x"));
    assertEquals("StateDict('w.pth', 3 tensors)", sd.toString());
  }

  @Test
  void shapesListsEveryKeyInFileOrder() {
    LinkedHashMap<String, HostTensor> m = new LinkedHashMap<>();
    m.put("w", HostTensor.ofFloats(new long[] {2, 3}, new float[6]));
    m.put("n", HostTensor.ofLongs(new long[] {}, new long[1]));
    Map<String, long[]> shapes = StateDict.of("w.pth", m, List.of()).shapes();
    assertEquals(List.of("w", "n"), List.copyOf(shapes.keySet()));
    assertArrayEquals(new long[] {2, 3}, shapes.get("w"));
    assertArrayEquals(new long[] {}, shapes.get("n"));
  }

  @Test
  void missingKeyNamesTheKeyTheFileAndCloseMatches() {
    StateDict sd = of("stages.0.norm.weight", "stages.0.norm.bias", "head.weight");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sd.get("stages.0.norm.weigth"));
    assertEquals(
        "no tensor 'stages.0.norm.weigth' in the state dict of 'w.pth' (3 keys); closest keys:"
            + " ['stages.0.norm.weight', 'stages.0.norm.bias']",
        e.getMessage());
  }

  @Test
  void prefixIsStrippedOnlyWhenEveryKeyHasIt() {
    StateDict all = of("module.a", "module.b");
    StateDict stripped = all.withPrefixStripped("module.");
    assertEquals(List.of("a", "b"), stripped.keys());
    assertEquals(
        List.of(
            "read",
            "stripped the prefix 'module.' from all 2 keys (saved from a"
                + " DataParallel/DistributedDataParallel model)"),
        stripped.notes());
    StateDict some = of("module.a", "b");
    assertSame(some, some.withPrefixStripped("module."));
    StateDict bare = of("module.");
    assertSame(
        bare, bare.withPrefixStripped("module."), "a key equal to the prefix would become empty");
  }

  @Test
  void renamedRejectsCollisions() {
    StateDict sd = of("a.x", "b.x");
    assertEquals(List.of("x.a", "x.b"), sd.renamed(k -> k.substring(2) + "." + k.charAt(0)).keys());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sd.renamed(k -> "x"));
    assertEquals(
        "renaming the state dict of 'w.pth' maps both 'a.x' and 'b.x' to 'x'; expected distinct"
            + " names",
        e.getMessage());
    assertSame(sd, sd.renamed(k -> k));
  }

  @Test
  void filteredNotesWhatItDropped() {
    StateDict sd = of("a", "head.weight", "head.bias").filtered(k -> !k.startsWith("head."));
    assertEquals(List.of("a"), sd.keys());
    assertEquals("dropped 2 of 3 keys: [head.weight, head.bias]", sd.notes().get(1));
  }
}
