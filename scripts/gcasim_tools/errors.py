"""The scripts' usage and input errors: one line "NAME: error: ..." on stderr, then an exit status."""

import sys


def die(prog, message, code=2):
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(code)
