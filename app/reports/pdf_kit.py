"""What the PDFs' tables share (`plan_pdf`, `statistics_pdf`): a ruled grid whose header row is
grey, its cells centred vertically with a little padding."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import TableStyle

HEAD_BG = colors.HexColor("#eeeeee")


def grid_style(line_width: float) -> TableStyle:
    """Black rules `line_width` points wide around every cell; the first row grey."""
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), line_width, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
