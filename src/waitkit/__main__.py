"""``python -m waitkit ...`` runs the ``waitkit`` command."""

from __future__ import annotations

import sys

from waitkit._cli import main

if __name__ == "__main__":
    sys.exit(main())
