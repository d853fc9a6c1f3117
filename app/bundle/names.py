"""Names inside and of a bundle (docs/formats.md "Export bundle"): the format tag and version,
the fixed entry names, the record entries' pattern and the bundle's own file name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from app.filenames import safe_stem

FORMAT = "dangri-bundle"
FORMAT_VERSION = 2  # 2: signed (docs/signing.md); 1: unsigned, still read (未签名)
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"  # base64 of the Ed25519 signature over manifest.json's exact bytes
DATA = "data.json"
TALKS = "talks"  # data.json key of the 谈话提醒 records; absent in bundles made before it existed
PLAN_PDF = "plan.pdf"
STATISTICS_XLSX = "statistics.xlsx"
RECORDS_DIR = "records"
ATTACHMENTS_DIR = "attachments"
BUNDLE_SUFFIX = "-党日活动.zip"

ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the entry name is UTF-8 (Chinese on Windows)

_BUNDLE_NAME = re.compile(r"^(?P<branch>.+?)-(?P<year>\d{4})-党日活动")


def bundle_filename(branch_name: str, year: int) -> str:
    """`<branch>-<year>-党日活动.zip`: the branch name as a stem every Windows folder accepts
    (`app.filenames.safe_stem`: forbidden characters replaced, length bounded)."""
    return f"{safe_stem(branch_name, '党支部')}-{year}{BUNDLE_SUFFIX}"


def record_entry_name(number: int, held_date: dt.date) -> str:
    """`records/<NN>-<date>.pdf`: NN is the activity's 1-based position in data.json."""
    return f"{RECORDS_DIR}/{number:02d}-{held_date.isoformat()}.pdf"


def looks_like_bundle_name(path: Path) -> bool:
    """`<branch>-<year>-党日活动…zip`, as `bundle_filename` writes it (copies may add "(1)")."""
    return _BUNDLE_NAME.match(Path(path).stem) is not None


def guess_from_name(path: Path) -> tuple[str, int | None]:
    """Branch and year from a bundle's file name (`<branch>-<year>-党日活动.zip`, perhaps with
    "(1)" or other words added by copying) — for bundles too damaged to read the manifest."""
    m = _BUNDLE_NAME.match(Path(path).stem)
    return (m["branch"], int(m["year"])) if m else ("", None)
