"""Properties of the two zips the program takes from a USB stick it did not make (docs/formats.md
"Bounds"): a bundle, whatever its bytes, gets a report and never another exception, unpacking no
more than its limits; a backup, however mutated, is restored correctly or refused with a
UserError, and a refused one leaves the ledger as it was. Derandomized as in test_fuzz.py."""

from __future__ import annotations

import hashlib
import shutil
import struct
import time
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.bundle import read as bundle_read
from app.bundle.write import export_bundle
from app.bundle.zipsafety import Limits
from app.errors import UserError
from app.models import close_database, open_database
from app.paths import DB_FILENAME, database_path
from app.services.backup import backup_to, content_fingerprint, restore
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.test_fuzz import assert_answered, byte_edits, fuzz, overwritten

# Small limits so that "bounded" is seen: a mutated header may claim anything.
SMALL = Limits(max_file_bytes=4 << 20, max_total_bytes=8 << 20, max_data_bytes=2 << 20)
SECONDS = 20  # for one verify of a ~1 MB bundle on a slow PC, with room to spare


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(data dir, its bundle, a 备份到… zip of it), made once; each example works on copies."""
    from app.services.demo import create_demo

    root = tmp_path_factory.mktemp("properties")
    data_dir = root / "data"
    open_database(database_path(data_dir))
    try:
        create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
        bundle = export_bundle(DEMO_YEAR, root, today=DEMO_TODAY)
        stick = root / "U盘"
        stick.mkdir()
        backup = backup_to(data_dir, stick)
    finally:
        close_database()
    return data_dir, bundle, backup


def _headers(raw: bytes) -> list[int]:
    """Offsets of every local and central header in a zip."""
    found, pos = [], raw.find(b"PK")
    while pos >= 0:
        if raw[pos : pos + 4] in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"):
            found.append(pos)
        pos = raw.find(b"PK", pos + 2)
    return found


# (offset in a local header, offset in a central header, struct format) of fields worth lying in
FIELDS = [(6, 8, "<H"), (8, 10, "<H"), (14, 16, "<I"), (18, 20, "<I"), (22, 24, "<I")]
FIELDS += [(26, 28, "<H"), (28, 30, "<H"), (None, 42, "<I"), (None, 34, "<H")]


# One lie: (which header, which field, the number written); applied by `told`.
lies = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, len(FIELDS) - 1),
        st.integers(0, 0xFFFFFFFF) | st.sampled_from([0, 1, 0xFFFF, 0xFFFFFFFF, 1 << 20]),
    ),
    min_size=1,
    max_size=4,
)
END_FIELDS = [(8, "<H"), (10, "<H"), (12, "<I"), (16, "<I")]


def told(raw: bytes, chosen: list[tuple[int, int, int]]) -> bytes:
    """The zip with header fields set to other numbers (sizes, offsets, name and extra lengths,
    flags, method, CRC), as a hand with a hex editor would."""
    damaged = bytearray(raw)
    heads = _headers(raw)
    for which, field, value in chosen:
        at = heads[which % len(heads)]
        kind = bytes(damaged[at : at + 4])
        local_off, central_off, fmt = FIELDS[field]
        off = local_off if kind == b"PK\x03\x04" else central_off
        if kind == b"PK\x05\x06":
            off, fmt = END_FIELDS[field % len(END_FIELDS)]
        if off is None or at + off + struct.calcsize(fmt) > len(damaged):
            continue
        struct.pack_into(fmt, damaged, at + off, value % (1 << (8 * struct.calcsize(fmt))))
    return bytes(damaged)


def _verify_counting(path: Path) -> tuple[object, int, float]:
    """verify_bundle with SMALL limits, counting every byte it unpacked."""
    produced = [0]
    real = bundle_read.read_limited

    def counting(zf, info, cap):
        for chunk in real(zf, info, cap):
            produced[0] += len(chunk)
            yield chunk

    started = time.monotonic()
    with mock.patch.object(bundle_read, "read_limited", counting):
        report = verify_bundle(path, keep_data=True, limits=SMALL)
    return report, produced[0], time.monotonic() - started


@fuzz(100)
@given(raw=st.binary(max_size=4096), zip_like=st.booleans())
def test_any_bytes_get_a_report(tmp_path, raw, zip_like):
    if zip_like:  # past the first check: it starts like a zip
        raw = b"PK\x03\x04" + raw + b"PK\x05\x06" + bytes(18)
    path = tmp_path / "某支部-2026-党日活动.zip"
    path.write_bytes(raw)
    report = verify_bundle(path)
    assert_answered(report)
    assert not report.ok


@fuzz(150)
@given(data=st.data())
def test_a_mutated_bundle_gets_a_report_within_its_bounds(ledger, tmp_path, data):
    _, bundle, _ = ledger
    raw = bundle.read_bytes()
    if data.draw(st.booleans()):
        mutated = told(raw, data.draw(lies))
    else:
        mutated = bytes(overwritten(raw, data.draw(byte_edits(4, 8))))
    assume(mutated != raw)
    path = tmp_path / bundle.name
    path.write_bytes(mutated)

    report, unpacked, seconds = _verify_counting(path)

    assert_answered(report)
    assert unpacked <= SMALL.max_total_bytes + SMALL.max_manifest_bytes
    assert seconds < SECONDS
    if report.ok:  # only when what the township reads is what was exported
        with zipfile.ZipFile(bundle) as good, zipfile.ZipFile(path) as bad:
            assert bad.read("data.json") == good.read("data.json")


def _ledger_bytes(data_dir: Path) -> str:
    return hashlib.sha256(database_path(data_dir).read_bytes()).hexdigest()


@fuzz(40)
@given(data=st.data())
def test_a_mutated_backup_is_restored_right_or_refused_leaving_the_ledger(
    ledger, tmp_path_factory, data
):
    source, _, backup = ledger
    raw = backup.read_bytes()
    if data.draw(st.booleans()):
        mutated = told(raw, data.draw(lies))
    else:
        mutated = bytes(overwritten(raw, data.draw(byte_edits(3, 8))))
    assume(mutated != raw)
    root = tmp_path_factory.mktemp("restore")
    data_dir = root / "data"
    shutil.copytree(source, data_dir)
    bad = root / backup.name
    bad.write_bytes(mutated)
    before = _ledger_bytes(data_dir)

    open_database(database_path(data_dir))
    try:
        restore(data_dir, bad)
    except UserError as refused:
        assert refused.message.strip()
        close_database()
        assert _ledger_bytes(data_dir) == before  # refused: not a byte of the ledger changed
        return
    finally:
        close_database()
    # Restored: exactly the backup's ledger (what the intact zip holds).
    with zipfile.ZipFile(backup) as zf:
        (root / "expected.sqlite3").write_bytes(zf.read(DB_FILENAME))
    assert content_fingerprint(database_path(data_dir)) == content_fingerprint(
        root / "expected.sqlite3"
    )
