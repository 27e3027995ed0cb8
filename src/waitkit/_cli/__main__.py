"""``python -m waitkit._cli``: the same as the ``waitkit`` console script."""

from __future__ import annotations

import sys

from waitkit._cli._main import main

if __name__ == "__main__":
    sys.exit(main())
