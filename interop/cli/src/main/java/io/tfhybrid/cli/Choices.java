package io.tfhybrid.cli;

import io.tfhybrid.arch.cvt.GeluKind;
import io.tfhybrid.interop.InputLayout;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The closed-set options, typed as enums and written in lower case on the command line. */
final class Choices {
  private Choices() {}

  /** {@code --gelu quick|erf}. */
  static final class Gelu implements ITypeConverter<GeluKind> {
    @Override
    public GeluKind convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "quick" -> GeluKind.QUICK;
        case "erf" -> GeluKind.ERF;
        default ->
            throw new TypeConversionException(
                "expected quick (QuickGELU, the official CvT) or erf (exact GELU, Hugging Face's"
                    + " Python CvT), found '"
                    + value
                    + "'");
      };
    }
  }

  /** {@code --layout auto|nchw|nhwc}. */
  static final class Layout implements ITypeConverter<InputLayout> {
    @Override
    public InputLayout convert(String value) {
      for (InputLayout l : InputLayout.values()) {
        if (l.name().equalsIgnoreCase(value)) {
          return l;
        }
      }
      throw new TypeConversionException("expected auto, nchw or nhwc, found '" + value + "'");
    }
  }
}
