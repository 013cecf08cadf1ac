package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.interop.checkpoint.Pickled.Tuple;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted pickle virtual machine (protocols 0–5) that <b>never executes anything</b>. This
 * class is the machine: opcodes, stack, marks, memo, scalars and containers. What a global means —
 * the allow-list in the spirit of {@code torch.load(weights_only=True)} and the torch tensor
 * rebuilders — is {@link TorchRebuild}'s job:
 *
 * <ul>
 *   <li>tensor and storage rebuilders ({@code torch._utils._rebuild_tensor_v2}, {@code
 *       torch.FloatStorage}, …), torch dtypes and containers ({@code collections.OrderedDict},
 *       {@code builtins.list}, {@code torch.Size}, …) are interpreted;
 *   <li>a short list of inert data classes real training checkpoints hold ({@code
 *       argparse.Namespace}, numpy scalars, dtypes and arrays, {@code _codecs.encode}, …) become
 *       {@link Placeholder}s, listed in a note;
 *   <li>any other global rejects the file, naming it: {@code torch.load} would import and call it.
 *       With {@link ReadOptions#allowUnknownGlobals()} it becomes a placeholder instead; globals
 *       known to run code and dotted names are refused even then.
 * </ul>
 *
 * <p>Every length read from the data is checked against what is left before anything is allocated;
 * the Java objects a pickle builds are charged against {@link ReadLimits#budget(long)} of the
 * pickle's length; dict keys and set members whose hash codes collide more than a few times reject
 * the file (hash flooding); integers are at most {@value #MAX_INT_BYTES} bytes.
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
   * An object of an inert data class on the allow-list (e.g. {@code argparse.Namespace}, {@code
   * numpy.dtype}) or, when the caller allowed it, of any class. Nothing is imported or called: the
   * arguments of its REDUCE/NEWOBJ, the states of its BUILDs and any items set on it are only
   * recorded. Identity equality.
   */
  public static final class Placeholder {
    private final String module;
    private final String name;
    private final List<Object> args;
    final List<Object> state = new ArrayList<>();
    final List<Object> items = new ArrayList<>();
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

  /**
   * A global that became a placeholder, and where (file byte, or -1). {@code allowListed}: an inert
   * data class of the allow-list; false: outside it, let through by {@link
   * ReadOptions#allowUnknownGlobals()}.
   */
  public record UnknownGlobal(String qualifiedName, long offset, boolean allowListed) {}

  /** Longest LONG1/LONG4 integer read, in bytes (a 2,466-digit number). */
  static final int MAX_INT_BYTES = 1024;

  /** Longest INT/LONG text literal, in digits. */
  static final int MAX_INT_DIGITS = 2500;

  /** Dict keys or set members of one container that may share a hash code. */
  static final int MAX_HASH_COLLISIONS = 16;

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  // Rough Java heap costs, charged against the budget.
  private static final int SLOT = 16;
  private static final int CONTAINER = 64;
  private static final int MARK = 48;
  private static final int MEMO_ENTRY = 64;

  final ByteReader in;
  private final PersistentLoader loader;
  private final TorchRebuild torch;
  private final ReadLimits limits;
  private final long budget;
  private long spent;

  private ArrayList<Object> stack;
  private Deque<ArrayList<Object>> metastack;
  private Map<Long, Object> memo;
  private final Map<Object, Map<Integer, int[]>> keyHashes = new IdentityHashMap<>();

  /**
   * An unpickler over {@code pickle} with the default options (the allow-list, default limits);
   * error offsets count from the array's start.
   *
   * @param file the checkpoint, for messages
   * @param loader resolves persistent ids; null makes a persistent id an error
   */
  public Unpickler(Path file, byte[] pickle, PersistentLoader loader) {
    this(file, pickle, loader, ReadOptions.defaults());
  }

  /** As {@link #Unpickler(Path, byte[], PersistentLoader)}, with the trust and limits of {@code options}. */
  public Unpickler(Path file, byte[] pickle, PersistentLoader loader, ReadOptions options) {
    this(ByteReader.ofArray(file, pickle, 0, null), loader, options);
  }

  Unpickler(ByteReader in, PersistentLoader loader, ReadOptions options) {
    this.in = in;
    this.loader = loader;
    this.limits = options.limits();
    this.budget = limits.budget(in.length());
    this.torch = new TorchRebuild(this, options.allowUnknownGlobals());
  }

  /** Globals that became placeholders, in the order the file named them. */
  public List<UnknownGlobal> unknownGlobals() {
    return torch.placeholderGlobals();
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
          keyHashes.clear();
          return result;
        }
        case '(' -> { // MARK
          charge(MARK, at);
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
        case '2' -> push(peek(at, op), at); // DUP
        case 'N' -> push(null, at);
        case 0x88 -> push(Boolean.TRUE, at);
        case 0x89 -> push(Boolean.FALSE, at);
        case 'K' -> push((long) in.u8("BININT1"), at);
        case 'M' -> push((long) in.u16("BININT2"), at);
        case 'J' -> push((long) in.i32("BININT"), at);
        case 0x8a -> push(decodeLong(in.bytes(in.u8("LONG1 length"), "LONG1")), at); // LONG1
        case 0x8b -> { // LONG4
          int n = in.i32("LONG4 length");
          if (n > MAX_INT_BYTES) {
            throw in.fail(
                at,
                "LONG4 integer of "
                    + n
                    + " bytes; expected at most "
                    + MAX_INT_BYTES
                    + " (checkpoints hold no larger numbers; a hostile or damaged pickle)");
          }
          push(decodeLong(in.bytes(n, "LONG4")), at);
        }
        case 'G' -> push(ByteBuffer.wrap(in.bytes(8, "BINFLOAT")).getDouble(), at); // big-endian
        case 'X' -> push(utf8(bytes(in.u32("BINUNICODE length"), "a BINUNICODE string", at)), at);
        case 0x8c ->
            push(utf8(in.bytes(in.u8("SHORT_BINUNICODE length"), "a SHORT_BINUNICODE string")), at);
        case 0x8d ->
            push(utf8(bytes(in.i64("BINUNICODE8 length"), "a BINUNICODE8 string", at)), at);
        case 'B' -> push(bytes(in.u32("BINBYTES length"), "a BINBYTES value", at), at);
        case 'C' -> push(in.bytes(in.u8("SHORT_BINBYTES length"), "a SHORT_BINBYTES value"), at);
        case 0x8e -> push(bytes(in.i64("BINBYTES8 length"), "a BINBYTES8 value", at), at);
        case 0x96 -> push(bytes(in.i64("BYTEARRAY8 length"), "a BYTEARRAY8 value", at), at);
        case 'T' -> push(latin1(bytes(in.i32("BINSTRING length"), "a BINSTRING value", at)), at);
        case 'U' ->
            push(latin1(in.bytes(in.u8("SHORT_BINSTRING length"), "a SHORT_BINSTRING value")), at);
        case 'I' -> push(parseInt(at, in.line("an INT line")), at);
        case 'L' -> push(parseLong(at, in.line("a LONG line")), at);
        case 'F' -> push(parseFloat(at, in.line("a FLOAT line")), at);
        case 'S' -> push(parseQuoted(at, in.lineBytes("a STRING line")), at);
        case 'V' -> push(rawUnicodeEscape(at, in.lineBytes("a UNICODE line")), at);
        case ']' -> push(newList(List.of(), at), at);
        case 'l' -> push(newList(popMark(at, op), at), at);
        case '}' -> push(newDict(at), at);
        case 'd' -> {
          List<Object> items = popMark(at, op);
          Map<Object, Object> d = newDict(at);
          setItems(d, items, at);
          push(d, at);
        }
        case ')' -> push(newTuple(List.of(), at), at);
        case 't' -> push(newTuple(popMark(at, op), at), at);
        case 0x85 -> push(newTuple(Arrays2.of(pop(at, op)), at), at);
        case 0x86 -> {
          Object b = pop(at, op);
          Object a = pop(at, op);
          push(newTuple(Arrays2.of(a, b), at), at);
        }
        case 0x87 -> {
          Object c = pop(at, op);
          Object b = pop(at, op);
          Object a = pop(at, op);
          push(newTuple(Arrays2.of(a, b, c), at), at);
        }
        case 0x8f -> push(newSet(at), at); // EMPTY_SET
        case 0x90 -> { // ADDITEMS
          List<Object> items = popMark(at, op);
          Object set = peek(at, op);
          if (!(set instanceof Set)) {
            throw in.fail(at, "ADDITEMS onto a " + Pickled.typeName(set) + "; expected a set");
          }
          addAll(castSet(set), items, at);
        }
        case 0x91 -> { // FROZENSET
          Set<Object> s = newSet(at);
          addAll(s, popMark(at, op), at);
          push(Collections.unmodifiableSet(s), at);
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
        case 'p' -> memoPut(memoIndex(at, in.line("a PUT index")), peek(at, op), at);
        case 'q' -> memoPut(in.u8("BINPUT index"), peek(at, op), at);
        case 'r' -> memoPut(in.u32("LONG_BINPUT index"), peek(at, op), at);
        case 0x94 -> memoPut(memo.size(), peek(at, op), at); // MEMOIZE
        case 'g' -> push(memoGet(at, memoIndex(at, in.line("a GET index"))), at);
        case 'h' -> push(memoGet(at, in.u8("BINGET index")), at);
        case 'j' -> push(memoGet(at, in.u32("LONG_BINGET index")), at);
        case 'c' -> { // GLOBAL
          String module = in.line("a GLOBAL module name");
          String name = in.line("a GLOBAL name");
          push(torch.resolve(module, name, at), at);
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
          push(torch.resolve(m, n, at), at);
        }
        case 'R' -> { // REDUCE
          Object args = pop(at, op);
          Object callable = pop(at, op);
          push(torch.call(callable, args, at), at);
        }
        case 0x81 -> { // NEWOBJ
          Object args = pop(at, op);
          Object cls = pop(at, op);
          push(torch.newObject(cls, args, at), at);
        }
        case 0x92 -> { // NEWOBJ_EX
          pop(at, op); // kwargs
          Object args = pop(at, op);
          Object cls = pop(at, op);
          push(torch.newObject(cls, args, at), at);
        }
        case 'i' -> { // INST
          String module = in.line("an INST module name");
          String name = in.line("an INST name");
          Object cls = torch.resolve(module, name, at);
          List<Object> args = popMark(at, op);
          push(torch.newObject(cls, newTuple(args, at), at), at);
        }
        case 'o' -> { // OBJ
          List<Object> items = popMark(at, op);
          if (items.isEmpty()) {
            throw in.fail(at, "OBJ without a class on the stack (corrupt pickle)");
          }
          Tuple args = newTuple(items.subList(1, items.size()), at);
          push(torch.newObject(items.get(0), args, at), at);
        }
        case 'b' -> { // BUILD
          Object state = pop(at, op);
          torch.build(peek(at, op), state, at);
        }
        case 'Q' -> push(persistent(pop(at, op), at), at); // BINPERSID
        case 'P' -> push(persistent(in.line("a PERSID line"), at), at); // PERSID
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

  private Object persistent(Object pid, long at) throws CheckpointFormatException {
    if (loader == null) {
      throw in.fail(at, "unexpected persistent id " + Describe.value(pid) + " in this pickle");
    }
    return loader.load(pid, in.fileOffset(at));
  }

  // ---------------------------------------------------------------- the memory budget

  /**
   * Charges {@code bytes} of Java heap against the budget: a pickle may build at most {@link
   * ReadLimits#budget(long)} of its own length.
   */
  void charge(long bytes, long at) throws CheckpointFormatException {
    spent += bytes;
    if (spent > budget) {
      throw in.fail(
          at,
          "the pickle builds more objects than its size can account for: over "
              + ReadLimits.mib(budget)
              + " of Java objects, the read limit of "
              + limits.describe(in.length(), "the pickle")
              + " (a memory bomb: MEMOIZE/MARK/EMPTY_* floods or repeated copies); "
              + ReadLimits.howToRaise());
    }
  }

  private byte[] bytes(long n, String what, long at) throws CheckpointFormatException {
    byte[] b = in.bytes(n, what);
    charge(b.length, at);
    return b;
  }

  // ---------------------------------------------------------------- containers

  ArrayList<Object> newList(Collection<?> items, long at) throws CheckpointFormatException {
    charge(CONTAINER + 8L * items.size(), at);
    return new ArrayList<>(items);
  }

  Map<Object, Object> newDict(long at) throws CheckpointFormatException {
    charge(CONTAINER, at);
    return new LinkedHashMap<>();
  }

  Set<Object> newSet(long at) throws CheckpointFormatException {
    charge(CONTAINER, at);
    return new LinkedHashSet<>();
  }

  Tuple newTuple(List<Object> items, long at) throws CheckpointFormatException {
    charge(CONTAINER + 8L * items.size(), at);
    return new Tuple(items);
  }

  void append(Object target, Object v, long at) throws CheckpointFormatException {
    charge(SLOT, at);
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

  void setItem(Object target, Object k, Object v, long at) throws CheckpointFormatException {
    if (target instanceof Map<?, ?>) {
      Map<Object, Object> m = castMap(target);
      checkKey(m, m.containsKey(k), k, at);
      charge(SLOT * 3, at);
      m.put(k, v);
    } else if (target instanceof Placeholder p) {
      charge(SLOT * 3, at);
      p.items.add(Tuple.of(k, v));
    } else {
      throw in.fail(
          at, "SETITEM on a " + Pickled.typeName(target) + "; expected a dict (corrupt pickle)");
    }
  }

  void addAll(Set<Object> s, Collection<Object> items, long at) throws CheckpointFormatException {
    for (Object o : items) {
      checkKey(s, s.contains(o), o, at);
      charge(SLOT * 2, at);
      s.add(o);
    }
  }

  /**
   * A key must be hashable, and at most {@link #MAX_HASH_COLLISIONS} distinct keys of one container
   * may share a hash code: Java's hash maps degrade to linear scans when they do, and keys crafted
   * to collide ({@code ('Aa', 'BB')} and {@code ('BB', 'Aa')}) would make reading quadratic.
   */
  private void checkKey(Object container, boolean present, Object k, long at)
      throws CheckpointFormatException {
    if (!Pickled.isHashable(k)) {
      throw in.fail(
          at,
          "unhashable "
              + Pickled.typeName(k)
              + " used as a dict key or set member (corrupt pickle)");
    }
    if (present || k instanceof String && ((String) k).length() < 2) {
      return;
    }
    int[] n =
        keyHashes
            .computeIfAbsent(container, c -> new HashMap<>())
            .computeIfAbsent(k == null ? 0 : k.hashCode(), h -> new int[1]);
    charge(MEMO_ENTRY, at);
    if (++n[0] > MAX_HASH_COLLISIONS) {
      throw in.fail(
          at,
          "more than "
              + MAX_HASH_COLLISIONS
              + " dict keys or set members share the hash code of "
              + Describe.value(k)
              + "; real checkpoints never do (keys crafted to collide: a CPU bomb)");
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

  private void push(Object o, long at) throws CheckpointFormatException {
    charge(SLOT, at);
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

  private void memoPut(long index, Object v, long at) throws CheckpointFormatException {
    charge(MEMO_ENTRY, at);
    memo.put(index, v);
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
      throw in.fail(at, "memo index " + Describe.value(line) + " is not a number");
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
    if (s.length() > MAX_INT_DIGITS) {
      throw in.fail(
          at,
          "integer literal of "
              + s.length()
              + " digits; expected at most "
              + MAX_INT_DIGITS
              + " (checkpoints hold no larger numbers; a hostile or damaged pickle)");
    }
    try {
      return narrow(new BigInteger(s));
    } catch (NumberFormatException e) {
      throw in.fail(at, "expected an integer literal, found " + Describe.value(s));
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

  /** Python's raw-unicode-escape: {@code \\uXXXX} and {@code \\UXXXXXXXX}, up to U+10FFFF. */
  private String rawUnicodeEscape(long at, byte[] line) throws CheckpointFormatException {
    String s = latin1(line);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char k = s.charAt(i + 1);
        int n = k == 'u' ? 4 : k == 'U' ? 8 : 0;
        if (n > 0 && i + 2 + n <= s.length() && isHex(s, i + 2, n)) {
          long cp = Long.parseLong(s.substring(i + 2, i + 2 + n), 16);
          if (cp > Character.MAX_CODE_POINT) {
            throw in.fail(
                at,
                "UNICODE escape \\"
                    + s.substring(i + 1, i + 2 + n)
                    + " is beyond U+10FFFF; expected a valid code point (corrupt pickle)");
          }
          out.appendCodePoint((int) cp);
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

  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Small fixed-arity lists that may hold nulls (List.of may not). */
  private static final class Arrays2 {
    static List<Object> of(Object... items) {
      return java.util.Arrays.asList(items);
    }
  }
}
