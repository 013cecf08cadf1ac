package io.tfhybrid.cli;

import io.tfhybrid.interop.TfHybridException;
import io.tfhybrid.interop.checkpoint.CheckpointFormatException;
import io.tfhybrid.interop.load.CheckpointMismatchException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tfhybrid}: PyTorch checkpoints in, TF Serving SavedModels out. Exit status 0 on success, 1
 * for an internal fault or a failed verification, 2 for a user error (bad arguments, missing or
 * malformed files, a checkpoint that does not fit the model).
 */
@Command(
    name = "tfhybrid",
    mixinStandardHelpOptions = true,
    version = "tfhybrid 0.1.0-SNAPSHOT",
    description =
        "Convert PyTorch checkpoints of ConTNet, Conv2Former, CvT, CoAtNet and TransCNN"
            + " to TensorFlow Serving SavedModels; inspect, run and verify SavedModels.",
    subcommands = {
      QuickstartCommand.class,
      ListCommand.class,
      ConvertCommand.class,
      VerifyCommand.class,
      PredictCommand.class,
      InspectCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status of a user error. */
  static final int USER_ERROR = 2;

  /** Exit status of an internal fault (and of a verification beyond tolerance). */
  static final int INTERNAL_ERROR = 1;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    // The HDF5 reader (jHDF) logs through SLF4J; without a provider SLF4J warns on stderr that it
    // uses its no-op logger. That is what the command line wants, so the warning is noise.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit status. */
  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(out);
    cl.setErr(err);
    boolean verbose = Arrays.asList(args).contains("--verbose");
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, cmd, err, verbose));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine cmd = ex.getCommandLine();
          err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + ex.getMessage());
          err.println(
              "hint: "
                  + (String.valueOf(ex.getMessage()).contains("InvalidPathException")
                      ? "the locale's charset ("
                          + System.getProperty("sun.jnu.encoding")
                          + ") cannot encode this path; run with a UTF-8 locale (LC_ALL=C.UTF-8)"
                      : cmd.getCommandSpec().qualifiedName() + " --help shows the usage"));
          err.flush();
          return USER_ERROR;
        });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      return outOfMemory(e, args, err, verbose);
    }
  }

  /**
   * The Java heap ran out: one line that says which limit was hit and how to raise it, never a raw
   * stack trace (unless --verbose).
   */
  static int outOfMemory(OutOfMemoryError e, String[] args, PrintWriter err, boolean verbose) {
    String command =
        Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    long maxMib = Runtime.getRuntime().maxMemory() >> 20;
    err.println(
        "tfhybrid"
            + (command.isEmpty() ? "" : " " + command)
            + ": error: out of memory ("
            + (e.getMessage() == null ? "OutOfMemoryError" : e.getMessage())
            + ") with a Java heap limit of "
            + maxMib
            + " MiB");
    if (String.valueOf(e.getMessage()).contains("maxPhysicalBytes")) {
      // JavaCPP (under TF Java) caps the process at 4 × the heap by default: with a heap much
      // smaller than the checkpoint, native memory (the variables) reaches that cap first.
      err.println(
          "hint: the TensorFlow runtime's native memory hit JavaCPP's cap of 4 × the heap; lift it"
              + " with JAVA_OPTS=\"-Xmx" + maxMib + "m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0\"");
      err.flush();
      return INTERNAL_ERROR;
    }
    err.println(
        "hint: raise the heap with JAVA_OPTS=-Xmx"
            + Math.max(8, 2 * ((maxMib + 1023) >> 10))
            + "g (the launcher's default is -Xmx4g); a file that declares more than it holds is"
            + " refused by the read limits instead (-D"
            + io.tfhybrid.interop.checkpoint.ReadLimits.RATIO_PROPERTY
            + ")");
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return INTERNAL_ERROR;
  }

  /** Prints an error as one line (what, expected, found), a hint line, and maps it to a status. */
  static int report(Exception ex, CommandLine cmd, PrintWriter err, boolean verbose) {
    if (ex instanceof java.io.UncheckedIOException u) {
      ex = u.getCause(); // e.g. a checkpoint read lazily while loading, truncated since
    }
    String name = cmd.getCommandSpec().qualifiedName();
    boolean user = isUserError(ex);
    String message = message(ex);
    List<String> lines = message.lines().toList();
    List<String> hints = new java.util.ArrayList<>();
    StringBuilder sb = new StringBuilder();
    sb.append(name)
        .append(": error: ")
        .append(lines.isEmpty() ? ex.getClass().getSimpleName() : lines.get(0));
    for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
      if (l.startsWith("Hint: ")) {
        hints.add(l.substring(6));
      } else {
        sb.append('\n').append("  ").append(l.strip());
      }
    }
    if (ex instanceof TfHybridException c && c.hint() != null) {
      hints.add(c.hint());
    }
    String generic = hint(ex, user, verbose);
    if (!user || hints.isEmpty() || ex instanceof NoSuchFileException) {
      hints.add(generic);
    }
    err.println(sb);
    hints.stream().filter(h -> h != null && !h.isEmpty()).forEach(h -> err.println("hint: " + h));
    if (verbose) {
      ex.printStackTrace(err);
    }
    err.flush();
    return user ? USER_ERROR : INTERNAL_ERROR;
  }

  static boolean isUserError(Throwable ex) {
    return ex instanceof TfHybridException
        || ex instanceof IllegalArgumentException
        || ex instanceof CheckpointFormatException
        || ex instanceof NoSuchFileException
        || ex instanceof FileAlreadyExistsException
        || ex instanceof AccessDeniedException
        || ex instanceof java.nio.file.NotDirectoryException
        || ex instanceof io.tfhybrid.interop.serving.ExportEnvironmentException
        || ex instanceof CommandLine.ParameterException;
  }

  private static String message(Throwable ex) {
    if (ex instanceof NoSuchFileException e) {
      return "no such file or directory '"
          + e.getFile()
          + "'"
          + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
    }
    if (ex instanceof FileAlreadyExistsException e && e.getReason() != null) {
      return "'" + e.getFile() + "' already exists: " + e.getReason();
    }
    if (ex instanceof FileSystemException e) {
      return e.getMessage();
    }
    String m = ex.getMessage();
    return m == null || m.isBlank() ? ex.getClass().getName() : m;
  }

  private static String hint(Throwable ex, boolean user, boolean verbose) {
    if (ex instanceof NoSuchFileException) {
      return "paths are relative to " + System.getProperty("user.dir");
    }
    if (ex instanceof CheckpointMismatchException) {
      return "--model auto detects the variant from the keys; tfhybrid list shows every variant";
    }
    if (!user) {
      return verbose
          ? "this is a bug in tfhybrid: please report it with the stack trace above"
          : "this looks like a bug in tfhybrid: rerun with --verbose for the stack trace";
    }
    return verbose ? "" : "add --verbose for the stack trace";
  }
}
