package io.tfhybrid.arch.transcnn;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stage sizes and the input-size rule of TransCNN / HAT-Net. Height and width are independent:
 * the stem halves twice and every downsample once more, each rounding up
 * ({@code H1 = ceil(ceil(H/2)/2)}, {@code H(s+1) = ceil(Hs/2)}); a stage with windows of G needs
 * its side to be a multiple of G, and its average pooling by r needs a side of at least r. The
 * reference fails with a reshape error otherwise, so the port rejects such sizes up front instead
 * of padding or cropping. For the official grids 8/7/7/1 the legal sides are 221–224, 445–448,
 * 669–672, … (256, the TransCNN v1 resolution, is not one of them).
 */
public final class HatNetGeometry {
  private HatNetGeometry() {}

  /** Sides are scanned up to this bound when listing the legal ones. */
  static final long SCAN_LIMIT = 1L << 16;

  /** The map side of each of the four stages for an input side {@code side}. */
  public static long[] stageSides(long side) {
    long[] s = new long[HatNetConfig.NUM_STAGES];
    long n = ceilHalf(ceilHalf(side));
    for (int i = 0; i < s.length; i++) {
      s[i] = n;
      n = ceilHalf(n);
    }
    return s;
  }

  private static long ceilHalf(long n) {
    return (n + 1) / 2;
  }

  /** Why {@code side} cannot be a height or width of this config, or empty when it can. */
  public static Optional<String> sideProblem(HatNetConfig config, long side) {
    if (side < 1) {
      return Optional.of("must be positive");
    }
    long[] sides = stageSides(side);
    for (int s = 0; s < HatNetConfig.NUM_STAGES; s++) {
      HatNetStageConfig st = config.stage(s);
      if (st.depth() == 0 || !st.hierarchical()) {
        continue;
      }
      if (sides[s] % st.gridSize() != 0) {
        return Optional.of(String.format(
            "gives a stage-%d map side of %d, which is not a multiple of its window size %d",
            s + 1, sides[s], st.gridSize()));
      }
      if (sides[s] / st.dsRatio() < 1) {
        return Optional.of(String.format(
            "gives a stage-%d map side of %d, smaller than its pooling ratio %d", s + 1, sides[s],
            st.dsRatio()));
      }
    }
    return Optional.empty();
  }

  public static boolean isLegalSide(HatNetConfig config, long side) {
    return sideProblem(config, side).isEmpty();
  }

  /**
   * The first {@code maxRanges} runs of consecutive legal sides, as {@code [first, last]} pairs
   * (a side limit of {@value #SCAN_LIMIT} applies).
   */
  public static List<long[]> legalSideRanges(HatNetConfig config, int maxRanges) {
    List<long[]> ranges = new ArrayList<>();
    long start = -1;
    for (long n = 1; n <= SCAN_LIMIT && ranges.size() < maxRanges; n++) {
      boolean ok = isLegalSide(config, n);
      if (ok && start < 0) {
        start = n;
      } else if (!ok && start >= 0) {
        ranges.add(new long[] {start, n - 1});
        start = -1;
      }
    }
    if (start >= 0 && ranges.size() < maxRanges) {
      ranges.add(new long[] {start, SCAN_LIMIT});
    }
    return ranges;
  }

  /** {@code "221-224, 445-448, 669-672, 893-896, ..."} for the official grids. */
  public static String describeLegalSides(HatNetConfig config) {
    List<long[]> ranges = legalSideRanges(config, 5);
    if (ranges.isEmpty()) {
      return "none up to " + SCAN_LIMIT;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, ranges.size()); i++) {
      long[] r = ranges.get(i);
      sb.append(i == 0 ? "" : ", ").append(r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1]);
    }
    if (ranges.size() > 4) {
      sb.append(", ...");
    }
    return sb.toString();
  }
}
