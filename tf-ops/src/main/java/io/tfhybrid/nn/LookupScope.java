package io.tfhybrid.nn;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.OpScope;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * A graph {@link Scope} that names operations as TF Java's {@code OpScope} does ({@code
 * prefix/name}, {@code name_1}, {@code name_2} … for repeats), but finds a free name by looking it
 * up in the graph ({@code TF_GraphOperationByName}, a hash lookup) instead of TF Java 1.1's {@code
 * NameScope.withUsedFrom}, which walks every operation of the graph through JNI on each {@code
 * withSubScope}. A model enters one sub-scope per module, so with TF Java's scope building a
 * graph costs (modules × operations): 8 s of CvT-W24's 9 s graph build, and most of the time to
 * add the serving emission to a graph that already holds the model. Here it is linear.
 *
 * <p>Devices, control dependencies and init scopes are TF Java's own (a delegate {@code OpScope}
 * whose names are never used). Start from {@link #ops(Graph)}.
 */
public final class LookupScope implements Scope {
  private final Graph graph;
  private final Scope delegate;
  private final String prefix; // null at the root
  private final String opName; // set by withName, else null
  private final Map<String, Integer> ids; // shared by withName scopes, as in TF's NameScope
  private final Set<String> scopes; // every sub-scope prefix in use, shared by all our scopes

  private LookupScope(Graph graph, Scope delegate, String prefix, String opName,
      Map<String, Integer> ids, Set<String> scopes) {
    this.graph = graph;
    this.delegate = delegate;
    this.prefix = prefix;
    this.opName = opName;
    this.ids = ids;
    this.scopes = scopes;
  }

  /**
   * Ops at the root of {@code graph} whose names (and every sub-scope's) come from this scope. The
   * scope prefixes of operations already in the graph are read once, here, so a new sub-scope
   * avoids them as TF Java's does.
   */
  public static Ops ops(Graph graph) {
    Set<String> scopes = new HashSet<>();
    graph.operations().forEachRemaining(op -> {
      String name = op.name();
      for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
        scopes.add(name.substring(0, i));
      }
    });
    LookupScope root =
        new LookupScope(graph, new OpScope(graph), null, null, new HashMap<>(), scopes);
    // Ops' constructor from a Scope is package-private; Ops.create asks the environment for it.
    return Ops.create(new BaseScopeOf(graph, root));
  }

  @Override
  public ExecutionEnvironment env() {
    return graph;
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    return subScope(checked(opName != null ? opName : childScopeName));
  }

  @Override
  public Scope withName(String name) {
    return new LookupScope(graph, delegate, prefix, checked(name), ids, scopes);
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    return subScope(checked(opName != null ? opName : defaultName));
  }

  private Scope subScope(String name) {
    String qualified = qualify(unique(name));
    scopes.add(qualified);
    return new LookupScope(graph, delegate, qualified, null, new HashMap<>(), scopes);
  }

  @Override
  public Scope withDevice(DeviceSpec deviceSpec) {
    return new LookupScope(graph, delegate.withDevice(deviceSpec), prefix, opName, ids, scopes);
  }

  @Override
  public Scope withInitScope() {
    return new LookupScope(graph, delegate.withInitScope(), prefix, opName, ids, scopes);
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    return new LookupScope(graph, delegate.withControlDependencyOps(controls), prefix, opName, ids, scopes);
  }

  @Override
  public String makeOpName(String defaultName) {
    return qualify(unique(checked(opName != null ? opName : defaultName)));
  }

  @Override
  public String makeUnique(String id) {
    return next(id);
  }

  /** Nothing to import: names are looked up in the graph when they are made. */
  @Override
  public void refreshNames() {}

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    return delegate.apply(builder);
  }

  @Override
  public String getDeviceString() {
    return delegate.getDeviceString();
  }

  @Override
  public boolean isInit() {
    return delegate.isInit();
  }

  /**
   * The next of {@code name}, {@code name_1}, … that is neither an operation of the graph nor a
   * sub-scope in use.
   */
  private String unique(String name) {
    String candidate = next(name);
    while (graph.operation(qualify(candidate)) != null || scopes.contains(qualify(candidate))) {
      candidate = next(name);
    }
    return candidate;
  }

  /** TF's NameScope.makeUnique: the first request gives {@code id}, the n-th {@code id_(n-1)}. */
  private String next(String id) {
    int n = ids.merge(id, 1, Integer::sum);
    return n == 1 ? id : id + "_" + (n - 1);
  }

  private String qualify(String name) {
    return prefix == null ? name : prefix + "/" + name;
  }

  private static String checked(String name) {
    Checks.checkArg(Scope.isValidOpName(name),
        "invalid name: '%s' (expected [A-Za-z0-9.][A-Za-z0-9_.\\-]*)", name);
    return name;
  }

  /** The environment Ops.create asks for its base scope: the graph, with our root scope. */
  private record BaseScopeOf(Graph graph, Scope root) implements ExecutionEnvironment {
    @Override
    public Scope baseScope() {
      return root;
    }

    @Override
    public OperationBuilder opBuilder(String type, String name, Scope scope) {
      return graph.opBuilder(type, name, scope);
    }

    @Override
    public void attachFunction(ConcreteFunction function) {
      graph.attachFunction(function);
    }

    @Override
    public void checkInput(Operation input) {
      graph.checkInput(input);
    }

    @Override
    public Types environmentType() {
      return graph.environmentType();
    }

    @Override
    public boolean isInitializer(Operation op) {
      return graph.isInitializer(op);
    }
  }
}
