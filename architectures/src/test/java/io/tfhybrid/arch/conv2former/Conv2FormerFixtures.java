package io.tfhybrid.arch.conv2former;

import static io.tfhybrid.arch.GoldenJson.ints;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Conv2Former fixtures' records of the reference constructor, read without TensorFlow (the
 * golden tests use them through the test-jar).
 */
public final class Conv2FormerFixtures {
  private Conv2FormerFixtures() {}

  /** The config of the reference's {@code model_kwargs} (a case's config.json records them). */
  public static Conv2FormerConfig config(JsonNode kwargs) {
    return new Conv2FormerConfig(kwargs.get("kernel_size").asInt(), ints(kwargs.get("dims")),
        ints(kwargs.get("depths")), ints(kwargs.get("mlp_ratios")),
        kwargs.get("num_classes").asInt());
  }
}
