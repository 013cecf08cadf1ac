package io.tfhybrid.nn;

/**
 * The spatial layout of a token sequence {@code [B, T, C]}: {@code height × width} grid tokens in
 * row-major order, possibly after a fixed number of leading non-grid tokens (a class token) that
 * the module itself knows about. A module that sets it with {@link Ctx#withTokenGrid} passes it to
 * every module below; a module that needs it reads {@link Ctx#tokenGrid}.
 */
public record TokenGrid(long height, long width) {
  public TokenGrid {
    Checks.checkArg(height > 0 && width > 0, "token grid: expected a positive height and width,"
        + " found %s x %s", height, width);
  }

  /** The number of grid tokens, {@code height · width}. */
  public long size() {
    return height * width;
  }
}
