"""How the sweep writes and checks values: --set text, CSV cells, plot labels."""

import math


def set_value_text(v):
    """A JSON scalar as the text of --set key=value (floats in the shortest exact form)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def is_scalar(v):
    return isinstance(v, (bool, int, float, str)) and not (isinstance(v, float) and not math.isfinite(v))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def csv_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def label_value(v):
    if isinstance(v, float) or (isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 100000):
        return f"{v:g}"
    return csv_value(v)
