"""Entry point: `python -m app [--data-dir DIR] [command …]`; no command opens the window."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
