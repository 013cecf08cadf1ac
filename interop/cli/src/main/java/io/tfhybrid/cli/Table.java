package io.tfhybrid.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  void row(Object... cells) {
    String[] s = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      s[i] = String.valueOf(cells[i]);
    }
    rows.add(s);
  }

  void print(PrintWriter out) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols && i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int n = 0; n < rows.size(); n++) {
      String[] r = rows.get(n);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        String cell = i < r.length ? r[i] : "";
        sb.append(i == cols - 1 ? cell : String.format("%-" + width[i] + "s  ", cell));
      }
      out.println(sb.toString().stripTrailing());
      if (n == 0) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cols; i++) {
          line.append("-".repeat(width[i])).append(i == cols - 1 ? "" : "  ");
        }
        out.println(line);
      }
    }
    out.flush();
  }
}
