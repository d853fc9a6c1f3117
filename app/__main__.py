"""Entry point: `python -m app [--data-dir DIR] [command …]`; no command opens the window."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    # As in the built program, which leaves numpy out (build.spec): openpyxl imports it only
    # to know numpy's number types, which the program never writes (0.2 s of every start).
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]
    sys.exit(main())
