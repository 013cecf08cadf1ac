package io.tfhybrid.interop.load;

import java.util.List;

/**
 * What a load did: how many tensors and parameters were written, and notes (dtype widening,
 * prefixes stripped, computed buffers verified, warnings in non-strict mode).
 */
public record LoadReport(String source, String model, int tensorsLoaded, long valuesLoaded,
    List<String> notes, List<String> warnings) {
  public LoadReport {
    notes = List.copyOf(notes);
    warnings = List.copyOf(warnings);
  }
}
