package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.interop.checkpoint.Pickled.DTypeRef;
import io.tfhybrid.interop.checkpoint.Pickled.GlobalRef;
import io.tfhybrid.interop.checkpoint.Pickled.Interpreted;
import io.tfhybrid.interop.checkpoint.Pickled.StorageRef;
import io.tfhybrid.interop.checkpoint.Pickled.StorageType;
import io.tfhybrid.interop.checkpoint.Pickled.TensorRef;
import io.tfhybrid.interop.checkpoint.Pickled.Tuple;
import io.tfhybrid.interop.checkpoint.Unpickler.Placeholder;
import io.tfhybrid.interop.checkpoint.Unpickler.UnknownGlobal;
import io.tfhybrid.nn.Checks;
import io.tfhybrid.nn.DType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the globals of a pickle mean to the {@link Unpickler}: the allow-list in the spirit of
 * {@code torch.load(weights_only=True)} and the torch tensor rebuild. Nothing is imported or called:
 *
 * <ul>
 *   <li><b>Interpreted</b>: {@code collections.OrderedDict}, {@code builtins.dict/list/tuple/set/
 *       frozenset}, {@code torch.Size}, the {@code torch._utils._rebuild_tensor*} and {@code
 *       _rebuild_parameter*} builders, {@code torch._tensor._rebuild_from_type_v2}, torch storage
 *       classes and dtypes, {@code copyreg._reconstructor} of an allowed class.
 *   <li><b>Inert data classes</b> ({@link #INERT}): become {@link Placeholder}s with a note.
 *   <li><b>Refused always</b> ({@link #dangerReason}): globals known to run code, touch files or the
 *       network, load another pickle, or reach other objects through a dotted name.
 *   <li><b>Anything else</b>: refused, naming the global, unless {@link
 *       ReadOptions#allowUnknownGlobals()} makes it a placeholder (still never called).
 * </ul>
 */
final class TorchRebuild {
  /**
   * Inert data classes real training checkpoints hold: argument namespaces, numpy scalars, dtypes
   * and arrays (and the {@code _codecs.encode} that protocol 2 uses for their bytes), torch
   * devices and tensor classes, paths and dates, and torch tensor kinds this reader does not
   * support (quantized, sparse, …), which then fail as "not a dict of tensors".
   */
  static final Set<String> INERT =
      Set.of(
          "argparse.Namespace",
          "numpy.core.multiarray.scalar",
          "numpy._core.multiarray.scalar",
          "numpy.core.multiarray._reconstruct",
          "numpy._core.multiarray._reconstruct",
          "numpy.ndarray",
          "numpy.dtype",
          "_codecs.encode",
          "builtins.object",
          "builtins.bytearray",
          "builtins.complex",
          "builtins.slice",
          "torch.device",
          "torch.Tensor",
          "torch.nn.parameter.Parameter",
          "torch._utils._rebuild_qtensor",
          "torch._utils._rebuild_sparse_tensor",
          "torch._utils._rebuild_sparse_csr_tensor",
          "torch._utils._rebuild_meta_tensor_no_storage",
          "torch._utils._rebuild_wrapper_subclass",
          "torch._utils._rebuild_device_tensor_from_numpy",
          "torch._utils._rebuild_nested_tensor",
          "datetime.datetime",
          "datetime.date",
          "datetime.timedelta",
          "datetime.timezone",
          "pathlib.PosixPath",
          "pathlib.WindowsPath",
          "pathlib.PurePosixPath",
          "pathlib.PureWindowsPath");

  private final Unpickler vm;
  private final ByteReader in;
  private final boolean allowUnknown;
  private final List<UnknownGlobal> placeholders = new ArrayList<>();

  TorchRebuild(Unpickler vm, boolean allowUnknown) {
    this.vm = vm;
    this.in = vm.in;
    this.allowUnknown = allowUnknown;
  }

  List<UnknownGlobal> placeholderGlobals() {
    return Collections.unmodifiableList(placeholders);
  }

  // ---------------------------------------------------------------- globals

  Object resolve(String module, String name, long at) throws CheckpointFormatException {
    String reason = dangerReason(module, name);
    if (reason != null) {
      throw in.fail(
          at,
          "refuses global '"
              + Describe.name(module)
              + "."
              + Describe.name(name)
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
    String builtin = module.equals("__builtin__") ? "builtins." + name : q;
    boolean inert =
        INERT.contains(builtin) || module.equals("numpy.dtypes") && name.endsWith("DType");
    if (!inert && !allowUnknown) {
      throw in.fail(
          at,
          "refuses global '"
              + Describe.name(q)
              + "': it is not on the allow-list (tensor and storage rebuilders, containers and"
              + " inert data classes such as argparse.Namespace), and torch.load would import and"
              + " call it, which can execute code; nothing from the file was run. To read the"
              + " tensors anyway (still running nothing) pass --allow-unknown-globals"
              + " (ReadOptions.withAllowUnknownGlobals(true))");
    }
    placeholders.add(new UnknownGlobal(q, in.fileOffset(at), inert));
    return new GlobalRef(module, name, in.fileOffset(at));
  }

  /** Modules (and their submodules) whose globals can run code or touch the system. */
  private static final Set<String> DANGEROUS_MODULES =
      Set.of(
          "os",
          "posix",
          "nt",
          "posixpath",
          "ntpath",
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
          "pkgutil",
          "operator",
          "_operator",
          "functools",
          "_functools",
          "types",
          "inspect",
          "site",
          "imp",
          "zipimport",
          "numpy.testing",
          "torch.jit",
          "torch.hub",
          "torch.package",
          "torch._C",
          "torch.ops",
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
          "reload",
          "apply");

  /** Single globals outside those modules. */
  private static final Set<String> DANGEROUS_NAMES =
      Set.of(
          "io.open",
          "io.FileIO",
          "_io.open",
          "_io.FileIO",
          "codecs.open",
          "numpy.load",
          "torch.storage._load_from_bytes");

  /** Why a global is refused outright, or null when it is not known to be dangerous. */
  static String dangerReason(String module, String name) {
    if (name.contains(".")) {
      return "a dotted name, which reaches other objects through attribute access ('"
          + Describe.name(name.substring(0, name.indexOf('.')))
          + "' of '"
          + Describe.name(module)
          + "'): a route to code execution";
    }
    if (module.equals("builtins") || module.equals("__builtin__")) {
      if (!DANGEROUS_BUILTINS.contains(name)) {
        return null;
      }
      return switch (name) {
        case "open", "file" -> "file access";
        case "getattr", "setattr", "delattr", "globals", "locals", "vars" ->
            "arbitrary attribute access, a route to code execution";
        default -> "code execution";
      };
    }
    if ((module.equals("torch") || module.equals("torch.serialization")) && name.equals("load")) {
      return "code execution: loads another pickle";
    }
    if (module.equals("torch")
        && (name.equals("jit") || name.equals("hub") || name.equals("package"))) {
      return "code execution";
    }
    if (DANGEROUS_NAMES.contains(module + "." + name)) {
      return name.contains("load") ? "code execution: loads another pickle" : "file access";
    }
    if (module.equals("copyreg") || module.equals("copy_reg")) {
      return name.equals("_reconstructor") ? null : "code execution";
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

  Object call(Object callable, Object args, long at) throws CheckpointFormatException {
    if (!(args instanceof Tuple t)) {
      throw in.fail(
          at,
          "REDUCE expects a tuple of arguments for "
              + Pickled.typeName(callable)
              + ", found "
              + Pickled.typeName(args));
    }
    if (callable instanceof GlobalRef g) {
      return placeholder(g.module(), g.name(), t.items(), at);
    }
    if (callable instanceof Placeholder p) {
      if (!allowUnknown) {
        throw in.fail(
            at,
            "REDUCE calls an object of '"
                + Describe.name(p.qualifiedName())
                + "' built from the file; only allow-listed functions are interpreted, and"
                + " torch.load would call it, which can execute code; nothing from the file was"
                + " run. To read the tensors anyway (still running nothing) pass"
                + " --allow-unknown-globals (ReadOptions.withAllowUnknownGlobals(true))");
      }
      return placeholder(p.module(), p.name() + "()", t.items(), at);
    }
    if (callable instanceof StorageType s) {
      return placeholder(module(s.qualifiedName()), name(s.qualifiedName()), t.items(), at);
    }
    if (callable instanceof DTypeRef d) {
      return placeholder(module(d.qualifiedName()), name(d.qualifiedName()), t.items(), at);
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
        Map<Object, Object> d = vm.newDict(at);
        if (!a.isEmpty()) {
          fillDict(d, a.get(0), fn, at);
        }
        return d;
      }
      case DEFAULT_DICT -> {
        Map<Object, Object> d = vm.newDict(at);
        if (a.size() > 1) {
          fillDict(d, a.get(1), fn, at);
        }
        return d;
      }
      case LIST -> {
        return a.isEmpty() ? vm.newList(List.of(), at) : vm.newList(iterable(a.get(0), fn, at), at);
      }
      case TUPLE, TORCH_SIZE -> {
        return a.isEmpty()
            ? vm.newTuple(List.of(), at)
            : vm.newTuple(new ArrayList<>(iterable(a.get(0), fn, at)), at);
      }
      case SET, FROZENSET -> {
        Set<Object> s = vm.newSet(at);
        if (!a.isEmpty()) {
          vm.addAll(s, iterable(a.get(0), fn, at), at);
        }
        return fn == Interpreted.SET ? s : Collections.unmodifiableSet(s);
      }
      case RECONSTRUCTOR -> {
        requireArgs(fn, a, 2, "(cls, base, state)", at);
        if (a.get(0) instanceof GlobalRef g) {
          return placeholder(g.module(), g.name(), a.subList(1, a.size()), at);
        }
        throw in.fail(
            at,
            "'"
                + fn.qualifiedName
                + "' expects an allow-listed class as its first argument, found "
                + Describe.value(a.get(0)));
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

  private Placeholder placeholder(String module, String name, List<Object> args, long at)
      throws CheckpointFormatException {
    vm.charge(64 + 8L * args.size(), at);
    return new Placeholder(module, name, args, in.fileOffset(at));
  }

  Object newObject(Object cls, Object args, long at) throws CheckpointFormatException {
    if (!(args instanceof Tuple t)) {
      throw in.fail(at, "NEWOBJ expects a tuple of arguments, found " + Pickled.typeName(args));
    }
    if (cls instanceof GlobalRef g) {
      return placeholder(g.module(), g.name(), t.items(), at);
    }
    if (cls instanceof Interpreted fn) {
      switch (fn) {
        case ORDERED_DICT, DICT, DEFAULT_DICT -> {
          return vm.newDict(at);
        }
        case LIST -> {
          return vm.newList(List.of(), at);
        }
        case SET -> {
          return vm.newSet(at);
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

  void build(Object inst, Object state, long at) throws CheckpointFormatException {
    if (inst instanceof Placeholder p) {
      vm.charge(16, at);
      p.state.add(state);
    } else if (inst instanceof Map || inst instanceof TensorRef) {
      // OrderedDict attributes (state dict '_metadata') or tensor state: nothing we need.
    } else {
      throw in.fail(
          at,
          "BUILD on a " + Pickled.typeName(inst) + ", which has no state to set (corrupt pickle)");
    }
  }

  // ---------------------------------------------------------------- tensors

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
              + Checks.shape(size)
              + " and stride "
              + Checks.shape(stride)
              + " have different lengths");
    }
    vm.charge(96 + 16L * size.length, at);
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
    vm.charge(8L * items.size(), at);
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
        vm.setItem(d, e.getKey(), e.getValue(), at);
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
      vm.setItem(d, kv.get(0), kv.get(1), at);
    }
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
