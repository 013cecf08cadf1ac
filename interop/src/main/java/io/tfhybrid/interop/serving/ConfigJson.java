package io.tfhybrid.interop.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tfhybrid.arch.Arch;
import io.tfhybrid.arch.ModelConfig;
import io.tfhybrid.arch.Models;
import io.tfhybrid.arch.Variant;
import java.io.IOException;

/**
 * A family's config record as JSON and back: every record component under its snake_case name
 * ({@code kernel_size}, {@code mlp_ratios}, nested stage records, enums by name), read back through
 * the record's own constructor, which validates it. The record class of a family is the one its
 * registered variants use.
 */
public final class ConfigJson {
  private ConfigJson() {}

  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** The config as a JSON object. */
  public static JsonNode write(ModelConfig config) {
    return JSON.valueToTree(config);
  }

  /**
   * The config record of family {@code arch} that {@code json} describes.
   *
   * @throws IOException when the JSON does not describe a valid config of that family (unknown or
   *     missing fields, values the record rejects)
   */
  public static ModelConfig read(Arch arch, JsonNode json) throws IOException {
    Class<? extends ModelConfig> type = configClass(arch);
    try {
      return JSON.treeToValue(json, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(
          "config of " + arch.displayName() + ": not a valid " + type.getSimpleName() + " ("
              + e.getMessage().lines().findFirst().orElse("") + ")",
          e);
    }
  }

  /** The record class of a family's configs (that of its registered variants). */
  public static Class<? extends ModelConfig> configClass(Arch arch) {
    Variant<?> v =
        Models.of(arch).stream()
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException("no registered variant of " + arch.id()));
    return v.config().getClass();
  }
}
