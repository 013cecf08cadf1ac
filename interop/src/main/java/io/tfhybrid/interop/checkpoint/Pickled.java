package io.tfhybrid.interop.checkpoint;

import io.tfhybrid.nn.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The values the restricted {@link Unpickler} produces besides plain Java ones. Python values map
 * to: None → {@code null}, bool → {@link Boolean}, int → {@link Long} (or {@link
 * java.math.BigInteger}), float → {@link Double}, str → {@link String}, bytes → {@code byte[]},
 * list → {@link ArrayList}, dict → {@link java.util.LinkedHashMap}, set → {@link
 * java.util.LinkedHashSet}, tuple → {@link Tuple}.
 */
final class Pickled {
  private Pickled() {}

  /** A Python tuple. Immutable; hashable (usable as a dict key) when its items are. */
  static final class Tuple {
    private final List<Object> items;
    private final boolean hashable;
    private final int depth;
    private int hash;
    private boolean hashed;

    Tuple(List<Object> items) {
      this.items = Collections.unmodifiableList(new ArrayList<>(items));
      boolean h = true;
      int d = 1;
      for (Object o : items) {
        if (o instanceof Tuple t) {
          h &= t.hashable;
          d = Math.max(d, t.depth + 1);
        } else {
          h &= isHashableScalar(o);
        }
      }
      this.hashable = h && d <= 100;
      this.depth = d;
    }

    static Tuple of(Object... items) {
      List<Object> l = new ArrayList<>(items.length);
      Collections.addAll(l, items);
      return new Tuple(l);
    }

    List<Object> items() {
      return items;
    }

    int size() {
      return items.size();
    }

    Object get(int i) {
      return items.get(i);
    }

    boolean hashable() {
      return hashable;
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof Tuple t) || !hashable || !t.hashable) {
        return false;
      }
      return hashCode() == t.hashCode() && items.equals(t.items);
    }

    @Override
    public int hashCode() {
      if (!hashable) {
        return System.identityHashCode(this);
      }
      if (!hashed) {
        hash = items.hashCode();
        hashed = true;
      }
      return hash;
    }

    @Override
    public String toString() {
      return Describe.value(this);
    }
  }

  /** True for values Python hashes by value that cannot recurse (or by identity, harmlessly). */
  static boolean isHashableScalar(Object o) {
    return o == null
        || o instanceof String
        || o instanceof Long
        || o instanceof java.math.BigInteger
        || o instanceof Double
        || o instanceof Boolean
        || o instanceof byte[] // hashed by identity: harmless, and it cannot recurse
        || o instanceof GlobalRef
        || o instanceof Interpreted
        || o instanceof StorageType
        || o instanceof DTypeRef
        || o instanceof Unpickler.Placeholder;
  }

  /** True when Python could use {@code o} as a dict key or set member. */
  static boolean isHashable(Object o) {
    return o instanceof Tuple t ? t.hashable() : isHashableScalar(o);
  }

  /** A global that is not on the allow-list: it is recorded and never called. */
  record GlobalRef(String module, String name, long offset) {
    String qualifiedName() {
      return module + "." + name;
    }
  }

  /** Globals the unpickler interprets itself (it never imports or calls anything). */
  enum Interpreted {
    ORDERED_DICT("collections.OrderedDict"),
    DEFAULT_DICT("collections.defaultdict"),
    DICT("builtins.dict"),
    LIST("builtins.list"),
    TUPLE("builtins.tuple"),
    SET("builtins.set"),
    FROZENSET("builtins.frozenset"),
    TORCH_SIZE("torch.Size"),
    REBUILD_TENSOR("torch._utils._rebuild_tensor"),
    REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
    REBUILD_TENSOR_V3("torch._utils._rebuild_tensor_v3"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter"),
    REBUILD_PARAMETER_WITH_STATE("torch._utils._rebuild_parameter_with_state"),
    REBUILD_FROM_TYPE_V2("torch._tensor._rebuild_from_type_v2"),
    /** Protocol 0/1 objects: {@code copyreg._reconstructor(cls, base, state)}, cls allow-listed. */
    RECONSTRUCTOR("copyreg._reconstructor");

    final String qualifiedName;

    Interpreted(String qualifiedName) {
      this.qualifiedName = qualifiedName;
    }
  }

  /**
   * A torch storage class such as {@code torch.FloatStorage}. {@code dtype} is null for types we do
   * not read (complex, quantized) and for {@code TypedStorage}, which does not say its dtype.
   */
  record StorageType(String qualifiedName, DType dtype, int elementSize) {}

  /** A torch dtype attribute such as {@code torch.float32}; {@code dtype} null when unsupported. */
  record DTypeRef(String qualifiedName, DType dtype) {}

  /**
   * A storage named by a persistent id: the zip entry {@code data/<key>} or, in the legacy format,
   * the record with that key after the pickles. {@code viewOffset} (elements) and {@code viewSize}
   * (-1: none) describe legacy storage views.
   */
  record StorageRef(
      String key,
      StorageType type,
      long declaredNumel,
      String location,
      long viewOffset,
      long viewSize) {}

  /**
   * A tensor as {@code torch._utils._rebuild_tensor_v2} would build it, not yet read: offsets and
   * strides count elements of {@link #dtype()}. {@code offset} is the file byte of the REDUCE.
   */
  record TensorRef(
      StorageRef storage,
      long storageOffset,
      long[] size,
      long[] stride,
      DType dtypeOverride,
      long offset) {
    DType dtype() {
      return dtypeOverride != null ? dtypeOverride : storage.type().dtype();
    }

    String dtypeName() {
      if (dtypeOverride != null) {
        return dtypeOverride.torchName();
      }
      return storage.type().dtype() != null
          ? storage.type().dtype().torchName()
          : storage.type().qualifiedName();
    }
  }

  /** Python's name for the type of {@code o}, for messages. */
  static String typeName(Object o) {
    if (o == null) {
      return "None";
    } else if (o instanceof Boolean) {
      return "bool";
    } else if (o instanceof Long || o instanceof java.math.BigInteger) {
      return "int";
    } else if (o instanceof Double) {
      return "float";
    } else if (o instanceof String) {
      return "str";
    } else if (o instanceof byte[]) {
      return "bytes";
    } else if (o instanceof Tuple) {
      return "tuple";
    } else if (o instanceof List) {
      return "list";
    } else if (o instanceof Map) {
      return "dict";
    } else if (o instanceof java.util.Set) {
      return "set";
    } else if (o instanceof TensorRef) {
      return "tensor";
    } else if (o instanceof StorageRef) {
      return "storage";
    } else if (o instanceof Unpickler.Placeholder p) {
      return "object of '" + p.qualifiedName() + "'";
    } else if (o instanceof GlobalRef g) {
      return "global '" + g.qualifiedName() + "'";
    } else if (o instanceof Interpreted i) {
      return "global '" + i.qualifiedName + "'";
    } else if (o instanceof StorageType s) {
      return "global '" + s.qualifiedName() + "'";
    } else if (o instanceof DTypeRef d) {
      return "global '" + d.qualifiedName() + "'";
    }
    return o.getClass().getSimpleName();
  }
}
