"""The scripts' usage and input errors: one line "NAME: error: ..." on stderr, then an exit status."""

import json
import sys


def die(prog, message, code=2):
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(code)


def read_json(prog, path, what):
    """The JSON in `path`, or the exit-2 error "<what> not found: <path>" / "cannot read ..."."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        die(prog, f"{what} not found: {path}")
    except (OSError, json.JSONDecodeError) as e:
        die(prog, f"cannot read {what} {path}: {e}")
