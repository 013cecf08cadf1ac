package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The minimised reproducer of every hostile-file class of issue 14, committed in the Jazzer
 * regression corpus, each with the exact error it must give: file, byte offset, what was expected
 * and what was found.
 */
class HostileFilesTest {
  static final Path CORPUS =
      TestFiles.resource("/io/tfhybrid/interop/checkpoint/ReaderFuzzTestInputs/readAnyFormat");

  static Stream<Arguments> expected() throws IOException {
    if (Boolean.getBoolean("tfhybrid.hostile.print")) {
      try (Stream<Path> files = Files.list(CORPUS)) {
        return files.sorted().map(f -> Arguments.of(f.getFileName().toString(), -2L, ""));
      }
    }
    return Stream.of(EXPECTED).map(e -> Arguments.of(e[0], Long.parseLong(e[1]), e[2]));
  }

  /** File, byte offset, detail: the after-state of each class (before: see README, "Safety"). */
  private static final String[][] EXPECTED = {
    {
      "global-functools-partial.pth",
      "48",
      "refuses global 'functools.partial' (code execution); nothing from the file was"
          + " run. The file is built to do this when opened with"
          + " torch.load(weights_only=False); do not open it that way"
    },
    {
      "global-inst-dotted.pth",
      "84",
      "refuses global 'posixpath.os.system' (a dotted name, which reaches other"
          + " objects through attribute access ('os' of 'posixpath'): a route to code"
          + " execution); nothing from the file was run. The file is built to do this when"
          + " opened with torch.load(weights_only=False); do not open it that way"
    },
    {
      "global-newobj-nn-module.pth",
      "48",
      "refuses global 'torch.nn.modules.conv.Conv2d': it is not on the allow-list"
          + " (tensor and storage rebuilders, containers and inert data classes such as"
          + " argparse.Namespace), and torch.load would import and call it, which can"
          + " execute code; nothing from the file was run. To read the tensors anyway (still"
          + " running nothing) pass --allow-unknown-globals"
          + " (ReadOptions.withAllowUnknownGlobals(true))"
    },
    {
      "global-operator-attrgetter.pth",
      "48",
      "refuses global 'operator.attrgetter' (code execution); nothing from the file"
          + " was run. The file is built to do this when opened with"
          + " torch.load(weights_only=False); do not open it that way"
    },
    {
      "global-pkgutil-resolve-name.pth",
      "48",
      "refuses global 'pkgutil.resolve_name' (code execution); nothing from the file"
          + " was run. The file is built to do this when opened with"
          + " torch.load(weights_only=False); do not open it that way"
    },
    {
      "global-posixpath-os-system.pth",
      "48",
      "refuses global 'posixpath.os.system' (a dotted name, which reaches other"
          + " objects through attribute access ('os' of 'posixpath'): a route to code"
          + " execution); nothing from the file was run. The file is built to do this when"
          + " opened with torch.load(weights_only=False); do not open it that way"
    },
    {
      "global-torch-serialization-os-system.pth",
      "48",
      "refuses global 'torch.serialization.os.system' (a dotted name, which reaches"
          + " other objects through attribute access ('os' of 'torch.serialization'): a"
          + " route to code execution); nothing from the file was run. The file is built to"
          + " do this when opened with torch.load(weights_only=False); do not open it that"
          + " way"
    },
    {
      "global-torch-storage-load-from-bytes.pth",
      "48",
      "refuses global 'torch.storage._load_from_bytes' (code execution: loads another"
          + " pickle); nothing from the file was run. The file is built to do this when"
          + " opened with torch.load(weights_only=False); do not open it that way"
    },
    {
      "h5-object-header-size.h5",
      "214",
      "not a readable HDF5 file: Failed to load children for group '/a/' at address"
          + " '214'; the file is 280 bytes: is it complete?"
    },
    {
      "h5-truncated-object-header.h5",
      "64",
      "not a readable HDF5 file: Failed to load attributes for '//' at address '64';"
          + " the file is 73 bytes: is it complete?"
    },
    {
      "legacy-deep-storage-keys.pth",
      "76",
      "expected the storage keys after the main pickle to be strings, found [[[[…]]]]"
    },
    {
      "legacy-view-offset-overflow.pth",
      "248",
      "storage '0' (the legacy storage record '0') holds 0 bytes from its view offset"
          + " 2305843009213693952, tensor 'w' needs more than 2^63 (torch.float32 [1],"
          + " storage offset 0, stride [1])"
    },
    {
      "npz-deflate-bomb.npz",
      "35",
      "deflated entry 'w.npy' inflates to 100663424 bytes; with the 0 bytes inflated"
          + " before it that exceeds the read limit of 64.0 MiB + 16 × the file (98040"
          + " bytes) = 65.5 MiB (a zip bomb?); raise it with"
          + " ReadOptions.withLimits(ReadLimits...) or, on the command line,"
          + " JAVA_OPTS=\"-Dtfhybrid.read.expansionRatio=<n> -Dtfhybrid.read.baseMiB=<MiB>\""
          + " (defaults 16 and 64)"
    },
    {
      "pickle-bad-unicode-escape.pth",
      "46",
      "UNICODE escape \\UFFFFFFFF is beyond U+10FFFF; expected a valid code point"
          + " (corrupt pickle)"
    },
    {
      "pickle-colliding-tuple-keys.pth",
      "74802",
      "more than 16 dict keys or set members share the hash code of ('Aa', 'Aa', 'Aa',"
          + " 'Aa', 'BB', 'Aa', … (4 more)); real checkpoints never do (keys crafted to"
          + " collide: a CPU bomb)"
    },
    {
      "pickle-empty-set-flood.pth",
      "1058909",
      "the pickle builds more objects than its size can account for: over 80.8 MiB of"
          + " Java objects, the read limit of 64.0 MiB + 16 × the pickle (1100003 bytes) ="
          + " 80.8 MiB (a memory bomb: MEMOIZE/MARK/EMPTY_* floods or repeated copies);"
          + " raise it with ReadOptions.withLimits(ReadLimits...) or, on the command line,"
          + " JAVA_OPTS=\"-Dtfhybrid.read.expansionRatio=<n> -Dtfhybrid.read.baseMiB=<MiB>\""
          + " (defaults 16 and 64)"
    },
    {
      "pickle-long4-integer.pth",
      "48",
      "LONG4 integer of 1025 bytes; expected at most 1024 (checkpoints hold no larger"
          + " numbers; a hostile or damaged pickle)"
    },
    {
      "tensor-stride0-2pow62.pth",
      "214",
      "tensor 'w' has size [4611686018427387904] and stride [0], whose element count,"
          + " byte size or extent overflow 64 bits"
    },
    {
      "zip-overlapping-entries.pth",
      "1182",
      "zip entries 'archive/data/0' (local header at byte 1182, 32617 bytes of data)"
          + " and 'archive/data/1' (local header at byte 1182) overlap; expected each"
          + " entry's data to end before the next entry begins (overlapping entries are a"
          + " zip bomb or a damaged archive)"
    },
  };

  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void eachReproducerGivesItsError(String name, long offset, String detail) {
    Path f = CORPUS.resolve(name);
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
    assertEquals(detail, e.detail());
    assertEquals(offset, e.byteOffset());
    assertEquals(f, e.file());
  }

  @Test
  void theOptInMakesUnknownGlobalsPlaceholdersButStillRefusesCodeExecution() throws IOException {
    ReadOptions optIn = ReadOptions.defaults().withAllowUnknownGlobals(true);
    CheckpointFormatException module =
        assertThrows(
            CheckpointFormatException.class,
            () -> Checkpoints.read(CORPUS.resolve("global-newobj-nn-module.pth"), optIn));
    assertEquals(
        "expected a dict of tensors (a state dict) or a dict that holds one, found an object of"
            + " 'torch.nn.modules.conv.Conv2d' (a whole pickled nn.Module? re-save it with"
            + " torch.save(model.state_dict(), path))",
        module.detail());
    for (String payload :
        new String[] {
          "global-posixpath-os-system.pth",
          "global-pkgutil-resolve-name.pth",
          "global-functools-partial.pth",
          "global-torch-storage-load-from-bytes.pth",
          "global-inst-dotted.pth"
        }) {
      CheckpointFormatException e =
          assertThrows(
              CheckpointFormatException.class,
              () -> Checkpoints.read(CORPUS.resolve(payload), optIn));
      assertEquals(
          true, e.detail().startsWith("refuses global '"), payload + ": " + e.detail());
    }
  }

  @Test
  void theCommittedReproducersAreWhatTheGeneratorBuilds() throws IOException {
    for (Map.Entry<String, byte[]> e : HostileFiles.all().entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(CORPUS.resolve(e.getKey())), e.getKey());
    }
  }
}
