package io.tfhybrid.interop.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so tests can build exactly the bytes they need. */
final class PickleWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleWriter proto(int v) {
    return op(0x80).u8(v);
  }

  PickleWriter op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleWriter u8(int v) {
    out.write(v);
    return this;
  }

  PickleWriter i32(int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
    return this;
  }

  PickleWriter i64(long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  PickleWriter raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  PickleWriter mark() {
    return op('(');
  }

  PickleWriter stop() {
    return op('.');
  }

  PickleWriter none() {
    return op('N');
  }

  PickleWriter bool(boolean b) {
    return op(b ? 0x88 : 0x89);
  }

  /** The shortest BININT* form. */
  PickleWriter integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K').u8((int) v);
    }
    if (v >= 0 && v < 65536) {
      return op('M').u8((int) (v & 0xff)).u8((int) (v >>> 8));
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      return op('J').i32((int) v);
    }
    return op(0x8a).u8(8).i64(v);
  }

  PickleWriter str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').i32(b.length).raw(b);
  }

  PickleWriter shortStr(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(0x8c).u8(b.length).raw(b);
  }

  PickleWriter global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  PickleWriter stackGlobal(String module, String name) {
    return shortStr(module).shortStr(name).op(0x93);
  }

  PickleWriter emptyDict() {
    return op('}');
  }

  PickleWriter emptyTuple() {
    return op(')');
  }

  PickleWriter emptyList() {
    return op(']');
  }

  PickleWriter tuple() {
    return op('t');
  }

  PickleWriter tuple1() {
    return op(0x85);
  }

  PickleWriter tuple2() {
    return op(0x86);
  }

  PickleWriter setitem() {
    return op('s');
  }

  PickleWriter setitems() {
    return op('u');
  }

  PickleWriter appends() {
    return op('e');
  }

  PickleWriter reduce() {
    return op('R');
  }

  PickleWriter build() {
    return op('b');
  }

  PickleWriter newobj() {
    return op(0x81);
  }

  PickleWriter binput(int i) {
    return op('q').u8(i);
  }

  PickleWriter binget(int i) {
    return op('h').u8(i);
  }

  PickleWriter binpersid() {
    return op('Q');
  }

  PickleWriter ints(long... values) {
    mark();
    for (long v : values) {
      integer(v);
    }
    return tuple();
  }

  /**
   * {@code _rebuild_tensor_v2(persistent(('storage', torch.<type>, key, 'cpu', numel)), offset,
   * size, stride, False, OrderedDict())}.
   */
  PickleWriter tensor(
      String storageType, String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2");
    mark();
    mark()
        .str("storage")
        .global("torch", storageType)
        .str(key)
        .str("cpu")
        .integer(numel)
        .tuple()
        .binpersid();
    integer(offset);
    ints(size);
    ints(stride);
    bool(false);
    global("collections", "OrderedDict").emptyTuple().reduce();
    tuple();
    return reduce();
  }

  /**
   * The first two pickles of the legacy format: the magic number 0x1950a86a20f9469cfc6c (as
   * LONG1) and the protocol version 1001. The sys_info pickle comes next.
   */
  PickleWriter legacyMagic() {
    proto(2)
        .op(0x8a)
        .u8(10)
        .raw(
            new byte[] {
              0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19
            })
        .stop();
    return proto(2).integer(1001).stop();
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
