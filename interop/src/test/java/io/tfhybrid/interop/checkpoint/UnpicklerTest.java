package io.tfhybrid.interop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The restricted pickle VM on hand-written opcodes. */
class UnpicklerTest {
  private static final Path FILE = Path.of("test.pkl");

  private static Object load(PickleWriter p) throws CheckpointFormatException {
    return new Unpickler(FILE, p.bytes(), null).load();
  }

  private static CheckpointFormatException fails(PickleWriter p) {
    return assertThrows(CheckpointFormatException.class, () -> load(p));
  }

  @Test
  void scalarsContainersAndMemo() throws CheckpointFormatException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().binput(0).mark();
    p.str("int")
        .integer(300)
        .str("neg")
        .op('J')
        .i32(-5)
        .str("big")
        .op(0x8a)
        .u8(9)
        .raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1});
    p.str("float").op('G').raw(ByteBuffer.allocate(8).putDouble(0.25).array());
    p.str("none").none().str("yes").bool(true);
    p.str("list").emptyList().binput(1).mark().integer(1).integer(2).appends();
    p.str("tuple")
        .integer(1)
        .str("x")
        .op(0x87 - 1)
        .str("again")
        .binget(1)
        .str("bytes")
        .op('C')
        .u8(2)
        .raw(new byte[] {7, 8});
    p.setitems().stop();
    Map<?, ?> d = assertInstanceOf(Map.class, load(p));
    assertEquals(
        List.of("int", "neg", "big", "float", "none", "yes", "list", "tuple", "again", "bytes"),
        List.copyOf(d.keySet()));
    assertEquals(300L, d.get("int"));
    assertEquals(-5L, d.get("neg"));
    assertEquals(BigInteger.ONE.shiftLeft(64), d.get("big"));
    assertEquals(0.25, d.get("float"));
    assertNull(d.get("none"));
    assertEquals(Boolean.TRUE, d.get("yes"));
    assertEquals(List.of(1L, 2L), d.get("list"));
    assertSame(d.get("list"), d.get("again"), "BINGET returns the memoised object itself");
    assertEquals("(1, 'x')", d.get("tuple").toString());
    assertEquals(2, ((byte[]) d.get("bytes")).length);
  }

  @Test
  void protocol4FramesAndMemoize() throws CheckpointFormatException {
    PickleWriter body =
        new PickleWriter().op(0x8f).op(0x94).mark().shortStr("a").shortStr("b").op(0x90).stop();
    byte[] b = body.bytes();
    PickleWriter p = new PickleWriter().proto(4).op(0x95).i64(b.length).raw(b);
    assertEquals(java.util.Set.of("a", "b"), load(p));
  }

  @Test
  void protocol0TextOpcodes() throws CheckpointFormatException {
    PickleWriter p =
        new PickleWriter()
            .op('(')
            .op('I')
            .raw("42\n".getBytes())
            .op('F')
            .raw("1.5\n".getBytes())
            .op('V')
            .raw("caf\\u00e9\n".getBytes())
            .op('I')
            .raw("01\n".getBytes())
            .op('l')
            .op('p')
            .raw("0\n".getBytes())
            .stop();
    assertEquals(List.of(42L, 1.5, "café", true), load(p));
  }

  @ParameterizedTest(name = "{0}.{1}")
  @CsvSource({
    "os, system, code execution",
    "posix, system, code execution",
    "nt, system, code execution",
    "subprocess, Popen, code execution",
    "subprocess, check_output, code execution",
    "builtins, eval, code execution",
    "builtins, exec, code execution",
    "builtins, __import__, code execution",
    "builtins, compile, code execution",
    "builtins, getattr, 'arbitrary attribute access, a route to code execution'",
    "builtins, setattr, 'arbitrary attribute access, a route to code execution'",
    "builtins, globals, 'arbitrary attribute access, a route to code execution'",
    "builtins, open, file access",
    "__builtin__, eval, code execution",
    "__builtin__, open, file access",
    "importlib, import_module, code execution",
    "importlib.machinery, SourceFileLoader, code execution",
    "runpy, run_path, code execution",
    "sys, modules, code execution",
    "pickle, loads, code execution",
    "_pickle, loads, code execution",
    "shutil, rmtree, file system access",
    "socket, create_connection, network access",
    "torch, load, 'code execution: loads another pickle'",
    "torch.jit, load, code execution",
    "torch.jit._serialization, load, code execution",
    "code, interact, code execution",
    "ctypes, CDLL, code execution",
    "webbrowser, open, launches programs",
    "os.path, join, code execution",
    "pdb, run, code execution",
    "timeit, timeit, code execution",
    "numpy.testing._private.utils, runstring, code execution",
    "numpy, load, 'code execution: loads another pickle'",
    "io, open, file access",
  })
  void dangerousGlobalsAreRefusedBeforeAnyReduce(String module, String name, String reason) {
    // The bytes after the GLOBAL are garbage: the refusal must come first, at the GLOBAL itself.
    PickleWriter p = new PickleWriter().proto(2).global(module, name).op(0xff);
    CheckpointFormatException e = fails(p);
    assertEquals(
        "refuses global '"
            + module
            + "."
            + name
            + "' ("
            + reason
            + "); nothing from the file was run. The file is built to do this when opened with"
            + " torch.load(weights_only=False); do not open it that way",
        e.detail());
    assertEquals(2, e.byteOffset());
    PickleWriter stack = new PickleWriter().proto(4).stackGlobal(module, name).op(0xff);
    assertTrue(fails(stack).detail().startsWith("refuses global '" + module + "." + name + "'"));
  }

  @Test
  void unknownGlobalsBecomeInertPlaceholders() throws CheckpointFormatException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("args")
        .global("argparse", "Namespace")
        .emptyTuple()
        .newobj()
        .emptyDict()
        .mark()
        .str("lr")
        .op('G')
        .raw(ByteBuffer.allocate(8).putDouble(0.1).array())
        .setitems()
        .build();
    p.str("metric")
        .global("numpy.core.multiarray", "scalar")
        .global("numpy", "dtype")
        .str("f8")
        .bool(false)
        .bool(true)
        .op(0x87)
        .reduce()
        .str("raw")
        .tuple2()
        .reduce();
    p.setitems().stop();
    Unpickler u = new Unpickler(FILE, p.bytes(), null);
    Map<?, ?> d = assertInstanceOf(Map.class, u.load());
    Unpickler.Placeholder args = assertInstanceOf(Unpickler.Placeholder.class, d.get("args"));
    assertEquals("argparse.Namespace", args.qualifiedName());
    assertEquals(List.of(), args.args());
    assertEquals(List.of(Map.of("lr", 0.1)), args.state());
    Unpickler.Placeholder metric = assertInstanceOf(Unpickler.Placeholder.class, d.get("metric"));
    assertEquals("numpy.core.multiarray.scalar", metric.qualifiedName());
    Unpickler.Placeholder dtype =
        assertInstanceOf(Unpickler.Placeholder.class, metric.args().get(0));
    assertEquals("numpy.dtype", dtype.qualifiedName());
    assertEquals(List.of("f8", false, true), dtype.args());
    assertEquals(
        List.of("argparse.Namespace", "numpy.core.multiarray.scalar", "numpy.dtype"),
        u.unknownGlobals().stream().map(Unpickler.UnknownGlobal::qualifiedName).toList());
    assertEquals(
        13,
        u.unknownGlobals().get(0).offset(),
        "PROTO, EMPTY_DICT, MARK and the 9-byte key come first");
  }

  @Test
  void corruptPicklesAreFormatErrors() {
    assertEquals(
        "pickle stack underflow at opcode 0x52 (corrupt pickle)",
        fails(new PickleWriter().proto(2).reduce()).detail());
    assertEquals(
        "opcode 0x74 without a MARK before it (corrupt pickle)",
        fails(new PickleWriter().proto(2).tuple()).detail());
    assertEquals(
        "memo entry 7 is read before it is written (corrupt pickle)",
        fails(new PickleWriter().proto(2).binget(7)).detail());
    assertEquals(
        "unknown pickle opcode 0xff; expected an opcode of pickle protocols 0 to 5 (corrupt or not"
            + " a pickle)",
        fails(new PickleWriter().op(0xff)).detail());
    assertEquals("pickle protocol 6; expected 0 to 5", fails(new PickleWriter().proto(6)).detail());
    assertEquals(
        "truncated: a pickle opcode needs 1 bytes, but only 0 remain",
        fails(new PickleWriter().proto(2).none()).detail());
    assertEquals(
        "truncated: a BINBYTES8 value needs 9223372036854775807 bytes, but only 0 remain",
        fails(new PickleWriter().proto(4).op(0x8e).i64(Long.MAX_VALUE)).detail());
    assertEquals(
        "REDUCE calls a str, which is not callable (corrupt pickle)",
        fails(new PickleWriter().proto(2).str("f").emptyTuple().reduce()).detail());
    assertEquals(
        "unhashable list used as a dict key or set member (corrupt pickle)",
        fails(new PickleWriter().proto(2).emptyDict().emptyList().none().setitem()).detail());
    assertEquals(
        "unexpected persistent id 'x' in this pickle",
        fails(new PickleWriter().proto(2).str("x").binpersid()).detail());
    assertTrue(
        fails(new PickleWriter().proto(2).op(0x82).u8(1)).detail().contains("extension registry"));
  }

  @Test
  void torchBuildersCheckTheirArguments() {
    PickleWriter p =
        new PickleWriter()
            .proto(2)
            .global("torch._utils", "_rebuild_tensor_v2")
            .mark()
            .str("nope")
            .integer(0)
            .ints(1)
            .ints(1)
            .tuple()
            .reduce();
    assertEquals(
        "'torch._utils._rebuild_tensor_v2' expects a storage (a persistent id) as its first"
            + " argument, found 'nope'",
        fails(p).detail());
  }

  @Test
  void deepNestingNeverOverflowsTheJavaStack() throws Exception {
    // 200,000 nested 1-tuples: 200 KB of pickle. Hashing or printing it must not recurse that deep.
    PickleWriter deep = new PickleWriter().proto(2).emptyDict().emptyTuple();
    for (int i = 0; i < 200_000; i++) {
      deep.tuple1();
    }
    deep.none().setitem().stop();
    assertEquals(
        "unhashable tuple used as a dict key or set member (corrupt pickle)", fails(deep).detail());

    PickleWriter root = new PickleWriter().proto(2).emptyTuple();
    for (int i = 0; i < 200_000; i++) {
      root.tuple1();
    }
    root.stop();
    Path f = java.nio.file.Files.createTempFile("deep", ".pth");
    try {
      java.nio.file.Files.write(f, TestFiles.torchZipBytes(root.bytes()));
      CheckpointFormatException e =
          assertThrows(CheckpointFormatException.class, () -> Checkpoints.read(f));
      assertEquals(
          "expected a dict of tensors (a state dict) or a dict that holds one, found a tuple"
              + " ((((…,),),),)",
          e.detail());
    } finally {
      java.nio.file.Files.delete(f);
    }
  }

  @Test
  void instOpcodeIsCheckedBeforeItsMark() {
    PickleWriter p =
        new PickleWriter()
            .op('i')
            .raw("os\nsystem\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertTrue(fails(p).detail().startsWith("refuses global 'os.system' (code execution)"));
  }

  @Test
  void rebuildFromTypeOnlyAppliesTensorBuilders() {
    PickleWriter p =
        new PickleWriter()
            .proto(2)
            .global("torch._tensor", "_rebuild_from_type_v2")
            .mark()
            .global("torch._tensor", "_rebuild_from_type_v2")
            .global("torch", "Tensor")
            .emptyTuple()
            .none()
            .tuple()
            .reduce();
    assertEquals(
        "'torch._tensor._rebuild_from_type_v2' expects a torch._utils._rebuild_* function, found"
            + " <global 'torch._tensor._rebuild_from_type_v2'>",
        fails(p).detail());
  }
}
