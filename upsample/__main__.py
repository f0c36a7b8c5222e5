"""``python -m upsample``: the ``upsample`` command line (see :mod:`upsample.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
