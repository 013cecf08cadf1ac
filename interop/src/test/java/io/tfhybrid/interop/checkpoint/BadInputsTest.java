package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file of {@code shared/bad-inputs} is rejected with the outcome its README states: a {@link
 * CheckpointFormatException} naming the file and the problem, and nothing run.
 */
class BadInputsTest {
  private static final Path PWNED = Path.of("/tmp/pwned_by_checkpoint");

  private static Path bad(String name) {
    return TestFiles.shared("bad-inputs/" + name);
  }

  private static CheckpointFormatException rejected(String name) {
    Path file = bad(name);
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () -> Checkpoints.read(file),
            name + " must be rejected");
    assertTrue(
        e.getMessage().startsWith("Cannot read checkpoint '" + name + "'"),
        "message must name the file: " + e.getMessage());
    assertEquals(file, e.file());
    return e;
  }

  private static void assertNotPwned(String when) {
    assertFalse(
        Files.exists(PWNED),
        PWNED
            + " exists "
            + when
            + " reading the evil checkpoints: something ran code from a file"
            + " (if it was left by an earlier unsafe loader, delete it and run again)");
  }

  @Test
  void everyBadInputHasATest() throws IOException {
    try (Stream<Path> files = Files.list(bad("README.md").getParent())) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("README.md"))
              .sorted()
              .toList();
      assertEquals(
          List.of(
              "evil_builtins_eval.pth",
              "evil_os_system.pth",
              "not_a_checkpoint.pth",
              "npy_bad_header.npy",
              "short_storage.pth",
              "st_bad_dtype.safetensors",
              "st_huge_header.safetensors",
              "st_out_of_bounds.safetensors",
              "truncated.pth"),
          names,
          "bad-inputs changed: add a test for each new file");
    }
  }

  @Test
  void evilOsSystemIsRefusedAtItsGlobalAndNothingRuns() {
    assertNotPwned("before");
    CheckpointFormatException e = rejected("evil_os_system.pth");
    assertTrue(
        e.getMessage()
            .contains("refuses global 'os.system' (code execution); nothing from the file was run"),
        e.getMessage());
    // archive/data.pkl data starts at byte 46; the GLOBAL opcode follows PROTO 2.
    assertEquals(48, e.byteOffset());
    CheckpointFormatException direct =
        assertThrows(
            CheckpointFormatException.class, () -> PthReader.read(bad("evil_os_system.pth")));
    assertEquals(e.getMessage(), direct.getMessage());
    assertNotPwned("after");
  }

  @Test
  void evilBuiltinsEvalIsRefused() {
    assertNotPwned("before");
    CheckpointFormatException e = rejected("evil_builtins_eval.pth");
    assertTrue(
        e.getMessage()
            .contains(
                "refuses global 'builtins.eval' (code execution); nothing from the file was run"),
        e.getMessage());
    assertNotPwned("after");
  }

  @Test
  void truncatedZipIsAClearError() {
    CheckpointFormatException e = rejected("truncated.pth");
    assertTrue(e.getMessage().contains("truncated or not a valid zip archive"), e.getMessage());
    assertTrue(e.getMessage().contains("end-of-central-directory record"), e.getMessage());
    assertTrue(e.getMessage().contains("the file is 499 bytes long"), e.getMessage());
  }

  @Test
  void notACheckpointNamesTheFormatsUnderstood() {
    CheckpointFormatException e = rejected("not_a_checkpoint.pth");
    assertEquals(
        "Cannot read checkpoint 'not_a_checkpoint.pth' at byte 0: unrecognised format: the file"
            + " starts with bytes 86 04 73 60 22 86 4c 0a; expected one of "
            + Checkpoints.FORMATS_UNDERSTOOD,
        e.getMessage());
    for (String format :
        List.of(
            "PyTorch zip",
            ".pth/.pt/.pth.tar/.bin",
            "legacy PyTorch",
            ".safetensors",
            ".npy",
            ".npz",
            "HDF5",
            ".h5")) {
      assertTrue(e.getMessage().contains(format), format + " missing from: " + e.getMessage());
    }
  }

  @Test
  void shortStorageSaysHowManyBytesItHoldsAndNeeds() {
    CheckpointFormatException e = rejected("short_storage.pth");
    assertTrue(
        e.getMessage()
            .contains(
                "storage '0' (entry 'archive/data/0') holds 6 bytes, tensor 'w' needs 16"
                    + " (torch.float32 [4], storage offset 0, stride [1])"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("the pickle declares 4 elements (16 bytes)"), e.getMessage());
  }

  @Test
  void hugeSafetensorsHeaderIsRejectedWithoutAllocating() {
    CheckpointFormatException e = rejected("st_huge_header.safetensors");
    assertEquals(
        "Cannot read checkpoint 'st_huge_header.safetensors' at byte 0: header length"
            + " 4611686018427387904 exceeds the limit of 100000000 bytes and what the file holds"
            + " (73 bytes, so at most 65); nothing was allocated for it",
        e.getMessage());
  }

  @Test
  void safetensorsOffsetsBeyondTheFileAreRejected() {
    CheckpointFormatException e = rejected("st_out_of_bounds.safetensors");
    assertEquals(
        "Cannot read checkpoint 'st_out_of_bounds.safetensors' at byte 70: data_offsets [0, 16] of"
            + " tensor 'a' point beyond the end of the file: the data section holds 8 bytes (file"
            + " bytes 70..78)",
        e.getMessage());
  }

  @Test
  void unknownSafetensorsDtypeIsNamed() {
    CheckpointFormatException e = rejected("st_bad_dtype.safetensors");
    assertTrue(
        e.getMessage()
            .contains(
                "tensor 'a' has unknown dtype 'F99'; expected one of [F64, F32, F16, BF16, I64,"
                    + " I32, I16, I8, U8, BOOL]"),
        e.getMessage());
  }

  @Test
  void malformedNpyHeaderIsRejected() {
    CheckpointFormatException e = rejected("npy_bad_header.npy");
    assertTrue(e.getMessage().contains("malformed .npy header"), e.getMessage());
    assertTrue(e.getMessage().contains("expected a value, found '}'"), e.getMessage());
    assertTrue(e.getMessage().contains("(header: {'descr': '<f4', 'shape': (3,})"), e.getMessage());
    assertEquals(39, e.byteOffset(), "10 bytes of preamble + character 29 of the header");
  }
}
