package io.tfhybrid.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in class-index order, from the resource {@code
 * imagenet1k_classes.txt} (torchvision's {@code _IMAGENET_CATEGORIES}; see the comment lines at the
 * top of that file for the source).
 */
final class ImageNetClasses {
  private ImageNetClasses() {}

  static final String RESOURCE = "imagenet1k_classes.txt";

  private static List<String> names;

  static synchronized List<String> names() {
    if (names == null) {
      List<String> out = new ArrayList<>();
      try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "resource " + RESOURCE + " is missing from the class path");
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (!line.startsWith("#") && !line.isBlank()) {
            out.add(line.strip());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (out.size() != 1000) {
        throw new IllegalStateException(
            RESOURCE + " holds " + out.size() + " names, expected 1000");
      }
      names = List.copyOf(out);
    }
    return names;
  }

  /** The name of class {@code index} for a model with {@code numClasses} outputs. */
  static String name(int index, int numClasses) {
    return numClasses == 1000 ? names().get(index) : "class " + index;
  }
}
