package io.tfhybrid.cli;

import io.tfhybrid.interop.serving.ConfigJson;
import io.tfhybrid.interop.serving.ExportMetadata;
import io.tfhybrid.interop.serving.SavedModelImport;
import io.tfhybrid.interop.serving.ServingSignatures;
import io.tfhybrid.interop.serving.WarmupRequests;
import io.tfhybrid.interop.serving.proto.PredictRequest;
import io.tfhybrid.interop.serving.proto.PredictionLog;
import io.tfhybrid.interop.serving.proto.TensorShapeProto;
import io.tfhybrid.nn.Checks;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfhybrid inspect}: what a SavedModel holds, without running it. */
@Command(
    mixinStandardHelpOptions = true,
    name = "inspect",
    description =
        "Show a SavedModel's signatures (like saved_model_cli"
            + " show --all), variables (names, shapes, sizes) and assets.")
final class InspectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SAVEDMODEL",
      description = "A SavedModel directory, or a model directory with numbered versions.")
  Path dir;

  @Option(
      names = "--max-variables",
      defaultValue = "50",
      paramLabel = "N",
      description = "List at most N variables (default: ${DEFAULT-VALUE}; 0 = all).")
  int maxVariables;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    try (SavedModelImport imp = SavedModelImport.open(dir)) {
      o.println("SavedModel " + imp.dir());
      if (!imp.note().isEmpty()) {
        o.println("  (" + imp.note() + ")");
      }
      Optional<ExportMetadata> meta = imp.metadata();
      meta.ifPresent(
          m -> {
            o.printf(
                "  tfhybrid export of %s '%s': %s parameters, input %dx%d, %d classes, features"
                    + " %d%n",
                m.arch(),
                m.model(),
                Format.params(m.parameters()),
                m.height(),
                m.width(),
                m.numClasses(),
                m.featureDim());
            o.printf(
                "  serving_bytes transform: %s, mean %s, std %s%n",
                ListCommand.describe(m.preprocessing()),
                m.preprocessing().mean(),
                m.preprocessing().std());
            if (m.config() != null) {
              o.println("  config (JSON, reads back into the record): " + ConfigJson.write(m.config()));
            }
            if (!m.source().isEmpty()) {
              o.println("  weights from '" + m.source() + "'");
            }
          });
      o.print(imp.show());

      List<SavedModelImport.VariableInfo> vars = imp.variableInfos();
      long values = vars.stream().mapToLong(SavedModelImport.VariableInfo::numel).sum();
      o.printf(
          "%nVariables: %d checkpoint entries, %s values%n",
          vars.size(), Format.params(values));
      java.util.Map<String, ExportMetadata.Variable> torch = new java.util.HashMap<>();
      meta.ifPresent(m -> m.variables().forEach(v -> torch.put(v.key(), v)));
      Table t =
          meta.isPresent()
              ? new Table("name", "dtype", "shape (stored)", "torch shape", "layout", "size")
              : new Table("name", "dtype", "shape", "size");
      int shown = 0;
      for (SavedModelImport.VariableInfo v : vars) {
        if (maxVariables > 0 && shown++ >= maxVariables) {
          break;
        }
        ExportMetadata.Variable tv = torch.get(v.key());
        if (meta.isPresent()) {
          t.row(
              v.key(),
              v.dtype(),
              Checks.shape(v.shape()),
              tv == null ? "-" : Checks.shape(tv.torchShape()),
              tv == null ? "-" : tv.layout(),
              v.numel());
        } else {
          t.row(v.key(), v.dtype(), Checks.shape(v.shape()), v.numel());
        }
      }
      t.print(o);
      if (maxVariables > 0 && vars.size() > maxVariables) {
        o.println("… and " + (vars.size() - maxVariables) + " more (--max-variables 0 lists all)");
      }

      List<Path> assets = imp.assets();
      o.printf("%nAssets: %s%n", assets.isEmpty() ? "none" : "");
      for (Path a : assets) {
        o.printf("  %s (%d bytes)%n", a, Files.size(imp.dir().resolve(a)));
      }
      Path warmup = imp.dir().resolve(ServingSignatures.WARMUP_FILE);
      if (Files.isRegularFile(warmup)) {
        List<PredictionLog> logs = WarmupRequests.read(warmup);
        o.printf("%nWarmup requests (%d, TFRecord CRCs ok):%n", logs.size());
        for (PredictionLog log : logs) {
          PredictRequest r = log.getPredictLog().getRequest();
          StringBuilder sb = new StringBuilder("  " + r.getModelSpec().getSignatureName() + ":");
          r.getInputsMap()
              .forEach(
                  (k, v) ->
                      sb.append(' ')
                          .append(k)
                          .append(' ')
                          .append(v.getDtype())
                          .append(
                              Checks.shape(
                                  v.getTensorShape().getDimList().stream()
                                      .mapToLong(TensorShapeProto.Dim::getSize)
                                      .toArray())));
          o.println(sb);
        }
      }
    }
    o.flush();
    return 0;
  }
}
