package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.interop.checkpoint.Pickled.DTypeRef;
import io.tfhybrid.interop.checkpoint.Pickled.GlobalRef;
import io.tfhybrid.interop.checkpoint.Pickled.Interpreted;
import io.tfhybrid.interop.checkpoint.Pickled.StorageRef;
import io.tfhybrid.interop.checkpoint.Pickled.StorageType;
import io.tfhybrid.interop.checkpoint.Pickled.TensorRef;
import io.tfhybrid.interop.checkpoint.Pickled.Tuple;
import io.tfhybrid.nn.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted pickle virtual machine (protocols 0–5) that <b>never executes anything</b>. It
 * interprets a small allow-list of callables itself ({@code collections.OrderedDict}, the {@code
 * torch._utils._rebuild_*} tensor builders, torch storage classes and dtypes, {@code torch.Size}
 * and the builtin containers). A global that is known to run code ({@code os.system}, {@code
 * builtins.eval}, {@code subprocess.*}, …) rejects the whole file at its GLOBAL opcode, before any
 * REDUCE. Any other global becomes an inert {@link Placeholder} that records its arguments and is
 * never called. Every length read from the data is checked against what is left before anything is
 * allocated.
 *
 * <p>Python values become: None → {@code null}, bool → {@link Boolean}, int → {@link Long} (or
 * {@link BigInteger}), float → {@link Double}, str → {@link String}, bytes → {@code byte[]}, list →
 * {@link ArrayList}, dict → {@link LinkedHashMap}, set → {@link LinkedHashSet}, tuple → an
 * immutable tuple type of this package.
 */
public final class Unpickler {
  /** Resolves a persistent id (torch storages). */
  @FunctionalInterface
  public interface PersistentLoader {
    /**
     * @param pid the unpickled persistent id
     * @param fileOffset the file byte of the BINPERSID opcode, or -1
     */
    Object load(Object pid, long fileOffset) throws CheckpointFormatException;
  }

  /**
   * An object of a class the allow-list does not know (e.g. {@code argparse.Namespace}, {@code
   * numpy.dtype}). Nothing is imported or called: the arguments of its REDUCE/NEWOBJ, the states of
   * its BUILDs and any items set on it are only recorded. Identity equality.
   */
  public static final class Placeholder {
    private final String module;
    private final String name;
    private final List<Object> args;
    private final List<Object> state = new ArrayList<>();
    private final List<Object> items = new ArrayList<>();
    private final long offset;

    Placeholder(String module, String name, List<Object> args, long offset) {
      this.module = module;
      this.name = name;
      this.args = Collections.unmodifiableList(new ArrayList<>(args));
      this.offset = offset;
    }

    public String module() {
      return module;
    }

    public String name() {
      return name;
    }

    /** {@code module.name}. */
    public String qualifiedName() {
      return module + "." + name;
    }

    /** The arguments it was "called" with (REDUCE/NEWOBJ), never used to call anything. */
    public List<Object> args() {
      return args;
    }

    /** The states its BUILD opcodes passed, in order. */
    public List<Object> state() {
      return Collections.unmodifiableList(state);
    }

    /** Values APPENDed and (key, value) tuples SETITEMed onto it. */
    public List<Object> items() {
      return Collections.unmodifiableList(items);
    }

    /** File byte of the opcode that created it, or -1. */
    public long offset() {
      return offset;
    }

    @Override
    public String toString() {
      return "Placeholder(" + qualifiedName() + ")";
    }
  }

  /** A global the file named that is not on the allow-list, and where (file byte, or -1). */
  public record UnknownGlobal(String qualifiedName, long offset) {}

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final ByteReader in;
  private final PersistentLoader loader;
  private final List<UnknownGlobal> unknownGlobals = new ArrayList<>();

  private ArrayList<Object> stack;
  private Deque<ArrayList<Object>> metastack;
  private Map<Long, Object> memo;

  /**
   * An unpickler over {@code pickle}; error offsets count from the array's start.
   *
   * @param file the checkpoint, for messages
   * @param loader resolves persistent ids; null makes a persistent id an error
   */
  public Unpickler(Path file, byte[] pickle, PersistentLoader loader) {
    this(ByteReader.ofArray(file, pickle, 0, null), loader);
  }

  Unpickler(ByteReader in, PersistentLoader loader) {
    this.in = in;
    this.loader = loader;
  }

  /** Globals that became placeholders, in the order the file named them. */
  public List<UnknownGlobal> unknownGlobals() {
    return Collections.unmodifiableList(unknownGlobals);
  }

  /** Runs the VM up to the next STOP and returns the value it leaves. */
  public Object load() throws CheckpointFormatException {
    stack = new ArrayList<>();
    metastack = new ArrayDeque<>();
    memo = new HashMap<>();
    while (true) {
      long at = in.position();
      int op = in.u8("a pickle opcode");
      switch (op) {
        case 0x80 -> { // PROTO
          int v = in.u8("the PROTO version");
          if (v > 5) {
            throw in.fail(at, "pickle protocol " + v + "; expected 0 to 5");
          }
        }
        case 0x95 -> { // FRAME
          long n = in.i64("a FRAME length");
          if (n < 0 || n > in.remaining()) {
            throw in.fail(
                at,
                "truncated: FRAME announces "
                    + n
                    + " bytes, but only "
                    + in.remaining()
                    + " remain");
          }
        }
        case '.' -> { // STOP
          Object result = pop(at, op);
          stack = null;
          metastack = null;
          memo = null;
          return result;
        }
        case '(' -> { // MARK
          metastack.push(stack);
          stack = new ArrayList<>();
        }
        case '0' -> { // POP
          if (!stack.isEmpty()) {
            stack.remove(stack.size() - 1);
          } else {
            popMark(at, op);
          }
        }
        case '1' -> popMark(at, op); // POP_MARK
        case '2' -> push(peek(at, op)); // DUP
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'K' -> push((long) in.u8("BININT1"));
        case 'M' -> push((long) in.u16("BININT2"));
        case 'J' -> push((long) in.i32("BININT"));
        case 0x8a -> push(decodeLong(in.bytes(in.u8("LONG1 length"), "LONG1"))); // LONG1
        case 0x8b -> { // LONG4
          int n = in.i32("LONG4 length");
          push(decodeLong(in.bytes(n, "LONG4")));
        }
        case 'G' -> push(ByteBuffer.wrap(in.bytes(8, "BINFLOAT")).getDouble()); // big-endian
        case 'X' -> push(utf8(in.bytes(in.u32("BINUNICODE length"), "a BINUNICODE string")));
        case 0x8c ->
            push(utf8(in.bytes(in.u8("SHORT_BINUNICODE length"), "a SHORT_BINUNICODE string")));
        case 0x8d -> push(utf8(in.bytes(in.i64("BINUNICODE8 length"), "a BINUNICODE8 string")));
        case 'B' -> push(in.bytes(in.u32("BINBYTES length"), "a BINBYTES value"));
        case 'C' -> push(in.bytes(in.u8("SHORT_BINBYTES length"), "a SHORT_BINBYTES value"));
        case 0x8e -> push(in.bytes(in.i64("BINBYTES8 length"), "a BINBYTES8 value"));
        case 0x96 -> push(in.bytes(in.i64("BYTEARRAY8 length"), "a BYTEARRAY8 value"));
        case 'T' -> push(latin1(in.bytes(in.i32("BINSTRING length"), "a BINSTRING value")));
        case 'U' ->
            push(latin1(in.bytes(in.u8("SHORT_BINSTRING length"), "a SHORT_BINSTRING value")));
        case 'I' -> push(parseInt(at, in.line("an INT line")));
        case 'L' -> push(parseLong(at, in.line("a LONG line")));
        case 'F' -> push(parseFloat(at, in.line("a FLOAT line")));
        case 'S' -> push(parseQuoted(at, in.lineBytes("a STRING line")));
        case 'V' -> push(rawUnicodeEscape(in.lineBytes("a UNICODE line")));
        case ']' -> push(new ArrayList<>());
        case 'l' -> push(new ArrayList<>(popMark(at, op)));
        case '}' -> push(new LinkedHashMap<>());
        case 'd' -> {
          List<Object> items = popMark(at, op);
          Map<Object, Object> d = new LinkedHashMap<>();
          setItems(d, items, at);
          push(d);
        }
        case ')' -> push(new Tuple(List.of()));
        case 't' -> push(new Tuple(popMark(at, op)));
        case 0x85 -> push(Tuple.of(pop(at, op)));
        case 0x86 -> {
          Object b = pop(at, op);
          Object a = pop(at, op);
          push(Tuple.of(a, b));
        }
        case 0x87 -> {
          Object c = pop(at, op);
          Object b = pop(at, op);
          Object a = pop(at, op);
          push(Tuple.of(a, b, c));
        }
        case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
        case 0x90 -> { // ADDITEMS
          List<Object> items = popMark(at, op);
          Object set = peek(at, op);
          if (!(set instanceof Set)) {
            throw in.fail(at, "ADDITEMS onto a " + Pickled.typeName(set) + "; expected a set");
          }
          addAll(castSet(set), items, at);
        }
        case 0x91 -> { // FROZENSET
          Set<Object> s = new LinkedHashSet<>();
          addAll(s, popMark(at, op), at);
          push(Collections.unmodifiableSet(s));
        }
        case 'a' -> { // APPEND
          Object v = pop(at, op);
          append(peek(at, op), v, at);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark(at, op);
          Object list = peek(at, op);
          for (Object v : items) {
            append(list, v, at);
          }
        }
        case 's' -> { // SETITEM
          Object v = pop(at, op);
          Object k = pop(at, op);
          setItem(peek(at, op), k, v, at);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark(at, op);
          Object d = peek(at, op);
          setItems(d, items, at);
        }
        case 'p' -> memo.put(memoIndex(at, in.line("a PUT index")), peek(at, op));
        case 'q' -> memo.put((long) in.u8("BINPUT index"), peek(at, op));
        case 'r' -> memo.put(in.u32("LONG_BINPUT index"), peek(at, op));
        case 0x94 -> memo.put((long) memo.size(), peek(at, op)); // MEMOIZE
        case 'g' -> push(memoGet(at, memoIndex(at, in.line("a GET index"))));
        case 'h' -> push(memoGet(at, in.u8("BINGET index")));
        case 'j' -> push(memoGet(at, in.u32("LONG_BINGET index")));
        case 'c' -> { // GLOBAL
          String module = in.line("a GLOBAL module name");
          String name = in.line("a GLOBAL name");
          push(resolve(module, name, at));
        }
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop(at, op);
          Object module = pop(at, op);
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw in.fail(
                at,
                "STACK_GLOBAL expects two strings (module, name), found "
                    + Pickled.typeName(module)
                    + " and "
                    + Pickled.typeName(name));
          }
          push(resolve(m, n, at));
        }
        case 'R' -> { // REDUCE
          Object args = pop(at, op);
          Object callable = pop(at, op);
          push(call(callable, args, at));
        }
        case 0x81 -> { // NEWOBJ
          Object args = pop(at, op);
          Object cls = pop(at, op);
          push(newObject(cls, args, at));
        }
        case 0x92 -> { // NEWOBJ_EX
          pop(at, op); // kwargs
          Object args = pop(at, op);
          Object cls = pop(at, op);
          push(newObject(cls, args, at));
        }
        case 'i' -> { // INST
          String module = in.line("an INST module name");
          String name = in.line("an INST name");
          Object cls = resolve(module, name, at);
          List<Object> args = popMark(at, op);
          push(newObject(cls, new Tuple(args), at));
        }
        case 'o' -> { // OBJ
          List<Object> items = popMark(at, op);
          if (items.isEmpty()) {
            throw in.fail(at, "OBJ without a class on the stack (corrupt pickle)");
          }
          push(newObject(items.get(0), new Tuple(items.subList(1, items.size())), at));
        }
        case 'b' -> { // BUILD
          Object state = pop(at, op);
          build(peek(at, op), state, at);
        }
        case 'Q' -> push(persistent(pop(at, op), at)); // BINPERSID
        case 'P' -> push(persistent(in.line("a PERSID line"), at)); // PERSID
        case 0x82, 0x83, 0x84 ->
            throw in.fail(
                at,
                "the pickle uses the copyreg extension registry (EXT opcodes), which checkpoints"
                    + " never need; refusing it");
        case 0x97 ->
            throw in.fail(
                at,
                "the pickle expects an out-of-band buffer (NEXT_BUFFER); checkpoints never use"
                    + " them");
        case 0x98 -> {} // READONLY_BUFFER: a no-op for us
        default ->
            throw in.fail(
                at,
                String.format(
                    "unknown pickle opcode 0x%02x; expected an opcode of pickle protocols 0 to 5"
                        + " (corrupt or not a pickle)",
                    op));
      }
    }
  }

  // ---------------------------------------------------------------- globals

  private Object resolve(String module, String name, long at) throws CheckpointFormatException {
    String reason = dangerReason(module, name);
    if (reason != null) {
      throw in.fail(
          at,
          "refuses global '"
              + module
              + "."
              + name
              + "' ("
              + reason
              + "); nothing from the file was run. The file is built to do this when opened with"
              + " torch.load(weights_only=False); do not open it that way");
    }
    String q = module + "." + name;
    for (Interpreted i : Interpreted.values()) {
      if (i.qualifiedName.equals(q)) {
        return i;
      }
    }
    if (module.equals("__builtin__") || module.equals("builtins")) {
      switch (name) {
        case "dict":
          return Interpreted.DICT;
        case "list":
          return Interpreted.LIST;
        case "tuple":
          return Interpreted.TUPLE;
        case "set":
          return Interpreted.SET;
        case "frozenset":
          return Interpreted.FROZENSET;
        default:
          break;
      }
    }
    if (module.equals("torch") || module.equals("torch.cuda")) {
      StorageType st = storageType(module, name);
      if (st != null) {
        return st;
      }
    }
    if (module.equals("torch") || module.equals("torch.storage")) {
      if (name.equals("UntypedStorage") || name.equals("_UntypedStorage")) {
        return new StorageType(q, DType.U8, 1);
      }
      if (name.equals("TypedStorage") || name.equals("_TypedStorage")) {
        return new StorageType(q, null, 0);
      }
    }
    if (module.equals("torch")) {
      DTypeRef d = dtypeRef(name);
      if (d != null) {
        return d;
      }
    }
    unknownGlobals.add(new UnknownGlobal(q, in.fileOffset(at)));
    return new GlobalRef(module, name, in.fileOffset(at));
  }

  /** Modules (and their submodules) whose globals can run code or touch the system. */
  private static final Set<String> DANGEROUS_MODULES =
      Set.of(
          "os",
          "posix",
          "nt",
          "subprocess",
          "importlib",
          "runpy",
          "sys",
          "pickle",
          "_pickle",
          "shutil",
          "socket",
          "code",
          "codeop",
          "ctypes",
          "webbrowser",
          "pty",
          "commands",
          "multiprocessing",
          "_posixsubprocess",
          "marshal",
          "asyncio",
          "pdb",
          "bdb",
          "timeit",
          "profile",
          "cProfile",
          "trace",
          "doctest",
          "pydoc",
          "distutils",
          "setuptools",
          "pip",
          "venv",
          "ensurepip",
          "idlelib",
          "numpy.testing",
          "torch.jit",
          "torch.hub",
          "torch.package",
          "torch.utils.cpp_extension");

  private static final Set<String> DANGEROUS_BUILTINS =
      Set.of(
          "eval",
          "exec",
          "execfile",
          "compile",
          "__import__",
          "getattr",
          "setattr",
          "delattr",
          "globals",
          "locals",
          "vars",
          "open",
          "file",
          "input",
          "breakpoint",
          "reload");

  /** Single globals outside those modules. */
  private static final Set<String> DANGEROUS_NAMES =
      Set.of("io.open", "io.FileIO", "_io.open", "_io.FileIO", "codecs.open", "numpy.load");

  /** Why a global is refused outright, or null when it is not known to be dangerous. */
  static String dangerReason(String module, String name) {
    String top = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    if (module.equals("builtins") || module.equals("__builtin__")) {
      if (!DANGEROUS_BUILTINS.contains(top)) {
        return null;
      }
      return switch (top) {
        case "open", "file" -> "file access";
        case "getattr", "setattr", "delattr", "globals", "locals", "vars" ->
            "arbitrary attribute access, a route to code execution";
        default -> "code execution";
      };
    }
    if ((module.equals("torch") || module.equals("torch.serialization")) && top.equals("load")) {
      return "code execution: loads another pickle";
    }
    if (module.equals("torch")
        && (top.equals("jit") || top.equals("hub") || top.equals("package"))) {
      return "code execution";
    }
    if (DANGEROUS_NAMES.contains(module + "." + top)) {
      return top.equals("load") ? "code execution: loads another pickle" : "file access";
    }
    for (String m : DANGEROUS_MODULES) {
      if (module.equals(m) || module.startsWith(m + ".")) {
        return switch (m) {
          case "shutil" -> "file system access";
          case "socket" -> "network access";
          case "webbrowser" -> "launches programs";
          default -> "code execution";
        };
      }
    }
    return null;
  }

  private static StorageType storageType(String module, String name) {
    String q = module + "." + name;
    return switch (name) {
      case "FloatStorage" -> new StorageType(q, DType.F32, 4);
      case "HalfStorage" -> new StorageType(q, DType.F16, 2);
      case "BFloat16Storage" -> new StorageType(q, DType.BF16, 2);
      case "DoubleStorage" -> new StorageType(q, DType.F64, 8);
      case "LongStorage" -> new StorageType(q, DType.I64, 8);
      case "IntStorage" -> new StorageType(q, DType.I32, 4);
      case "ShortStorage" -> new StorageType(q, DType.I16, 2);
      case "CharStorage" -> new StorageType(q, DType.I8, 1);
      case "ByteStorage" -> new StorageType(q, DType.U8, 1);
      case "BoolStorage" -> new StorageType(q, DType.BOOL, 1);
        // Known but not read: their sizes let the legacy reader skip them.
      case "ComplexFloatStorage" -> new StorageType(q, null, 8);
      case "ComplexDoubleStorage" -> new StorageType(q, null, 16);
      case "QInt8Storage", "QUInt8Storage", "QUInt4x2Storage", "QUInt2x4Storage" ->
          new StorageType(q, null, 1);
      case "QInt32Storage" -> new StorageType(q, null, 4);
      default -> null;
    };
  }

  private static DTypeRef dtypeRef(String name) {
    String q = "torch." + name;
    return switch (name) {
      case "float32", "float" -> new DTypeRef(q, DType.F32);
      case "float16", "half" -> new DTypeRef(q, DType.F16);
      case "bfloat16" -> new DTypeRef(q, DType.BF16);
      case "float64", "double" -> new DTypeRef(q, DType.F64);
      case "int64", "long" -> new DTypeRef(q, DType.I64);
      case "int32", "int" -> new DTypeRef(q, DType.I32);
      case "int16", "short" -> new DTypeRef(q, DType.I16);
      case "int8" -> new DTypeRef(q, DType.I8);
      case "uint8" -> new DTypeRef(q, DType.U8);
      case "bool" -> new DTypeRef(q, DType.BOOL);
      case "complex64",
              "complex128",
              "cfloat",
              "cdouble",
              "uint16",
              "uint32",
              "uint64",
              "float8_e4m3fn",
              "float8_e5m2",
              "qint8",
              "quint8",
              "qint32" ->
          new DTypeRef(q, null);
      default -> null;
    };
  }

  // ---------------------------------------------------------------- calls

  private Object call(Object callable, Object args, long at) throws CheckpointFormatException {
    if (!(args instanceof Tuple t)) {
      throw in.fail(
          at,
          "REDUCE expects a tuple of arguments for "
              + Pickled.typeName(callable)
              + ", found "
              + Pickled.typeName(args));
    }
    long where = in.fileOffset(at);
    if (callable instanceof GlobalRef g) {
      return new Placeholder(g.module(), g.name(), t.items(), where);
    }
    if (callable instanceof Placeholder p) {
      return new Placeholder(p.module(), p.name() + "()", t.items(), where);
    }
    if (callable instanceof StorageType s) {
      return new Placeholder(module(s.qualifiedName()), name(s.qualifiedName()), t.items(), where);
    }
    if (callable instanceof DTypeRef d) {
      return new Placeholder(module(d.qualifiedName()), name(d.qualifiedName()), t.items(), where);
    }
    if (!(callable instanceof Interpreted fn)) {
      throw in.fail(
          at,
          "REDUCE calls a "
              + Pickled.typeName(callable)
              + ", which is not callable (corrupt pickle)");
    }
    List<Object> a = t.items();
    switch (fn) {
      case ORDERED_DICT, DICT -> {
        Map<Object, Object> d = new LinkedHashMap<>();
        if (!a.isEmpty()) {
          fillDict(d, a.get(0), fn, at);
        }
        return d;
      }
      case DEFAULT_DICT -> {
        Map<Object, Object> d = new LinkedHashMap<>();
        if (a.size() > 1) {
          fillDict(d, a.get(1), fn, at);
        }
        return d;
      }
      case LIST -> {
        return a.isEmpty() ? new ArrayList<>() : new ArrayList<>(iterable(a.get(0), fn, at));
      }
      case TUPLE, TORCH_SIZE -> {
        return a.isEmpty()
            ? new Tuple(List.of())
            : new Tuple(new ArrayList<>(iterable(a.get(0), fn, at)));
      }
      case SET, FROZENSET -> {
        Set<Object> s = new LinkedHashSet<>();
        if (!a.isEmpty()) {
          addAll(s, iterable(a.get(0), fn, at), at);
        }
        return fn == Interpreted.SET ? s : Collections.unmodifiableSet(s);
      }
      case REBUILD_TENSOR -> {
        requireArgs(fn, a, 4, "(storage, storage_offset, size, stride)", at);
        return tensor(fn, a, null, at);
      }
      case REBUILD_TENSOR_V2 -> {
        requireArgs(
            fn,
            a,
            4,
            "(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])",
            at);
        return tensor(fn, a, null, at);
      }
      case REBUILD_TENSOR_V3 -> {
        requireArgs(
            fn,
            a,
            7,
            "(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[,"
                + " metadata])",
            at);
        if (!(a.get(6) instanceof DTypeRef d)) {
          throw in.fail(
              at,
              "'"
                  + fn.qualifiedName
                  + "' expects a torch dtype as argument 7, found "
                  + Describe.value(a.get(6)));
        }
        if (d.dtype() == null) {
          throw in.fail(
              at,
              "tensor of dtype '"
                  + d.qualifiedName()
                  + "' is not supported; expected one of "
                  + supportedDtypes());
        }
        return tensor(fn, a, d.dtype(), at);
      }
      case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
        requireArgs(fn, a, 1, "(data, requires_grad, backward_hooks)", at);
        return a.get(0);
      }
      case REBUILD_FROM_TYPE_V2 -> {
        requireArgs(fn, a, 3, "(func, new_type, args, state)", at);
        // Only a tensor builder may be applied here, so this never recurses more than once.
        if (!(a.get(0) instanceof Interpreted inner)
            || !inner.qualifiedName.startsWith("torch._utils._rebuild_")) {
          throw in.fail(
              at,
              "'"
                  + fn.qualifiedName
                  + "' expects a torch._utils._rebuild_* function, found "
                  + Describe.value(a.get(0)));
        }
        return call(inner, a.get(2), at);
      }
    }
    throw new IllegalStateException("unhandled interpreted global " + fn);
  }

  private Object newObject(Object cls, Object args, long at) throws CheckpointFormatException {
    if (!(args instanceof Tuple t)) {
      throw in.fail(at, "NEWOBJ expects a tuple of arguments, found " + Pickled.typeName(args));
    }
    long where = in.fileOffset(at);
    if (cls instanceof GlobalRef g) {
      return new Placeholder(g.module(), g.name(), t.items(), where);
    }
    if (cls instanceof Interpreted fn) {
      switch (fn) {
        case ORDERED_DICT, DICT, DEFAULT_DICT -> {
          return new LinkedHashMap<>();
        }
        case LIST -> {
          return new ArrayList<>();
        }
        case SET -> {
          return new LinkedHashSet<>();
        }
        case TUPLE, TORCH_SIZE, FROZENSET -> {
          return call(fn, args, at);
        }
        default -> {
          // Tensor builders are functions, not classes.
        }
      }
    }
    throw in.fail(
        at,
        "NEWOBJ on a "
            + Pickled.typeName(cls)
            + ", which is not a class this reader accepts (corrupt pickle)");
  }

  private void build(Object inst, Object state, long at) throws CheckpointFormatException {
    if (inst instanceof Placeholder p) {
      p.state.add(state);
    } else if (inst instanceof Map || inst instanceof TensorRef) {
      // OrderedDict attributes (state dict '_metadata') or tensor state: nothing we need.
    } else {
      throw in.fail(
          at,
          "BUILD on a " + Pickled.typeName(inst) + ", which has no state to set (corrupt pickle)");
    }
  }

  private Object persistent(Object pid, long at) throws CheckpointFormatException {
    if (loader == null) {
      throw in.fail(at, "unexpected persistent id " + Describe.value(pid) + " in this pickle");
    }
    return loader.load(pid, in.fileOffset(at));
  }

  private TensorRef tensor(Interpreted fn, List<Object> a, DType dtypeOverride, long at)
      throws CheckpointFormatException {
    if (!(a.get(0) instanceof StorageRef storage)) {
      throw in.fail(
          at,
          "'"
              + fn.qualifiedName
              + "' expects a storage (a persistent id) as its first argument, found "
              + Describe.value(a.get(0)));
    }
    long offset = nonNegativeInt(fn, "storage_offset", a.get(1), at);
    long[] size = intTuple(fn, "size", a.get(2), at);
    long[] stride = intTuple(fn, "stride", a.get(3), at);
    if (size.length != stride.length) {
      throw in.fail(
          at,
          "'"
              + fn.qualifiedName
              + "': size "
              + io.tfhybrid.nn.Checks.shape(size)
              + " and stride "
              + io.tfhybrid.nn.Checks.shape(stride)
              + " have different lengths");
    }
    return new TensorRef(storage, offset, size, stride, dtypeOverride, in.fileOffset(at));
  }

  private void requireArgs(Interpreted fn, List<Object> a, int min, String signature, long at)
      throws CheckpointFormatException {
    if (a.size() < min) {
      throw in.fail(
          at,
          "'"
              + fn.qualifiedName
              + "' expects "
              + signature
              + ", found "
              + a.size()
              + " arguments "
              + Describe.value(new Tuple(a)));
    }
  }

  private long nonNegativeInt(Interpreted fn, String what, Object o, long at)
      throws CheckpointFormatException {
    if (o instanceof Long l && l >= 0) {
      return l;
    }
    throw in.fail(
        at,
        "'"
            + fn.qualifiedName
            + "' expects a non-negative int "
            + what
            + ", found "
            + Describe.value(o));
  }

  private long[] intTuple(Interpreted fn, String what, Object o, long at)
      throws CheckpointFormatException {
    List<?> items = o instanceof Tuple t ? t.items() : o instanceof List<?> l ? l : null;
    if (items == null) {
      throw in.fail(
          at,
          "'"
              + fn.qualifiedName
              + "' expects a tuple of ints as "
              + what
              + ", found "
              + Describe.value(o));
    }
    long[] out = new long[items.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(items.get(i) instanceof Long l) || l < 0) {
        throw in.fail(
            at,
            "'"
                + fn.qualifiedName
                + "' expects non-negative ints in "
                + what
                + ", found "
                + Describe.value(o));
      }
      out[i] = (Long) items.get(i);
    }
    return out;
  }

  private Collection<Object> iterable(Object o, Interpreted fn, long at)
      throws CheckpointFormatException {
    if (o instanceof Tuple t) {
      return t.items();
    }
    if (o instanceof List<?> l) {
      return Collections.unmodifiableList(l);
    }
    if (o instanceof Set<?> s) {
      return Collections.unmodifiableSet(s);
    }
    throw in.fail(
        at, "'" + fn.qualifiedName + "' expects a list or tuple, found " + Pickled.typeName(o));
  }

  private void fillDict(Map<Object, Object> d, Object source, Interpreted fn, long at)
      throws CheckpointFormatException {
    if (source instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        d.put(e.getKey(), e.getValue());
      }
      return;
    }
    for (Object pair : iterable(source, fn, at)) {
      List<?> kv = pair instanceof Tuple t ? t.items() : pair instanceof List<?> l ? l : null;
      if (kv == null || kv.size() != 2) {
        throw in.fail(
            at,
            "'" + fn.qualifiedName + "' expects (key, value) pairs, found " + Describe.value(pair));
      }
      checkKey(kv.get(0), at);
      d.put(kv.get(0), kv.get(1));
    }
  }

  // ---------------------------------------------------------------- containers

  private void append(Object target, Object v, long at) throws CheckpointFormatException {
    if (target instanceof List<?>) {
      castList(target).add(v);
    } else if (target instanceof Placeholder p) {
      p.items.add(v);
    } else {
      throw in.fail(
          at, "APPEND onto a " + Pickled.typeName(target) + "; expected a list (corrupt pickle)");
    }
  }

  private void setItems(Object target, List<Object> items, long at)
      throws CheckpointFormatException {
    if (items.size() % 2 != 0) {
      throw in.fail(
          at,
          "SETITEMS with an odd number (" + items.size() + ") of keys and values (corrupt pickle)");
    }
    for (int i = 0; i < items.size(); i += 2) {
      setItem(target, items.get(i), items.get(i + 1), at);
    }
  }

  private void setItem(Object target, Object k, Object v, long at)
      throws CheckpointFormatException {
    if (target instanceof Map<?, ?>) {
      checkKey(k, at);
      castMap(target).put(k, v);
    } else if (target instanceof Placeholder p) {
      p.items.add(Tuple.of(k, v));
    } else {
      throw in.fail(
          at, "SETITEM on a " + Pickled.typeName(target) + "; expected a dict (corrupt pickle)");
    }
  }

  private void addAll(Set<Object> s, Collection<Object> items, long at)
      throws CheckpointFormatException {
    for (Object o : items) {
      checkKey(o, at);
      s.add(o);
    }
  }

  private void checkKey(Object k, long at) throws CheckpointFormatException {
    if (!Pickled.isHashable(k)) {
      throw in.fail(
          at,
          "unhashable "
              + Pickled.typeName(k)
              + " used as a dict key or set member (corrupt pickle)");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(Object o) {
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> castMap(Object o) {
    return (Map<Object, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Set<Object> castSet(Object o) {
    return (Set<Object>) o;
  }

  // ---------------------------------------------------------------- stack and memo

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop(long at, int op) throws CheckpointFormatException {
    if (stack.isEmpty()) {
      throw in.fail(
          at, String.format("pickle stack underflow at opcode 0x%02x (corrupt pickle)", op));
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek(long at, int op) throws CheckpointFormatException {
    if (stack.isEmpty()) {
      throw in.fail(
          at, String.format("pickle stack underflow at opcode 0x%02x (corrupt pickle)", op));
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark(long at, int op) throws CheckpointFormatException {
    if (metastack.isEmpty()) {
      throw in.fail(
          at, String.format("opcode 0x%02x without a MARK before it (corrupt pickle)", op));
    }
    List<Object> items = stack;
    stack = metastack.pop();
    return items;
  }

  private Object memoGet(long at, long index) throws CheckpointFormatException {
    Object v = memo.get(index);
    if (v == null && !memo.containsKey(index)) {
      throw in.fail(at, "memo entry " + index + " is read before it is written (corrupt pickle)");
    }
    return v;
  }

  private long memoIndex(long at, String line) throws CheckpointFormatException {
    try {
      long v = Long.parseLong(line.trim());
      if (v < 0) {
        throw in.fail(at, "negative memo index " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw in.fail(at, "memo index '" + line + "' is not a number");
    }
  }

  // ---------------------------------------------------------------- scalars

  private static Object decodeLong(byte[] le) {
    if (le.length == 0) {
      return 0L;
    }
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) {
      be[i] = le[le.length - 1 - i];
    }
    return narrow(new BigInteger(be));
  }

  private static Object narrow(BigInteger v) {
    return v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0 ? (Object) v.longValue() : v;
  }

  private Object parseInt(long at, String line) throws CheckpointFormatException {
    String s = line.trim();
    if (s.equals("01")) {
      return Boolean.TRUE;
    }
    if (s.equals("00")) {
      return Boolean.FALSE;
    }
    return parseLong(at, s);
  }

  private Object parseLong(long at, String line) throws CheckpointFormatException {
    String s = line.trim();
    if (s.endsWith("L")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.length() > 10_000) {
      throw in.fail(
          at, "integer literal of " + s.length() + " digits; expected a reasonable number");
    }
    try {
      return narrow(new BigInteger(s));
    } catch (NumberFormatException e) {
      throw in.fail(at, "expected an integer literal, found '" + Describe.value(s) + "'");
    }
  }

  private Object parseFloat(long at, String line) throws CheckpointFormatException {
    try {
      return Double.parseDouble(line.trim());
    } catch (NumberFormatException e) {
      throw in.fail(at, "expected a float literal, found " + Describe.value(line));
    }
  }

  private Object parseQuoted(long at, byte[] line) throws CheckpointFormatException {
    String s = latin1(line).trim();
    if (s.length() < 2
        || (s.charAt(0) != '\'' && s.charAt(0) != '"')
        || s.charAt(s.length() - 1) != s.charAt(0)) {
      throw in.fail(at, "STRING expects a quoted literal, found " + Describe.value(s));
    }
    String body = s.substring(1, s.length() - 1);
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 == body.length()) {
        out.append(c);
        continue;
      }
      char e = body.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case '0' -> out.append('\0');
        case 'x' -> {
          if (isHex(body, i + 1, 2)) {
            out.append((char) Integer.parseInt(body.substring(i + 1, i + 3), 16));
            i += 2;
          } else {
            out.append("\\x");
          }
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  private static String rawUnicodeEscape(byte[] line) {
    String s = latin1(line);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char k = s.charAt(i + 1);
        int n = k == 'u' ? 4 : k == 'U' ? 8 : 0;
        if (n > 0 && i + 2 + n <= s.length() && isHex(s, i + 2, n)) {
          out.appendCodePoint(Integer.parseUnsignedInt(s.substring(i + 2, i + 2 + n), 16));
          i += 1 + n;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isHex(String s, int from, int n) {
    if (from + n > s.length()) {
      return false;
    }
    for (int i = from; i < from + n; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String module(String qualifiedName) {
    int dot = qualifiedName.lastIndexOf('.');
    return dot < 0 ? "" : qualifiedName.substring(0, dot);
  }

  private static String name(String qualifiedName) {
    return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
  }

  static String supportedDtypes() {
    List<String> names = new ArrayList<>();
    for (DType d : DType.values()) {
      names.add(d.torchName());
    }
    return Describe.list(names, names.size());
  }
}
