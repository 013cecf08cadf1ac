package io.tfhybrid.golden;

/** The two weight files of every golden case. */
public enum Format {
  PTH("weights.pth"),
  SAFETENSORS("weights.safetensors");

  private final String fileName;

  Format(String fileName) {
    this.fileName = fileName;
  }

  public String fileName() {
    return fileName;
  }
}
