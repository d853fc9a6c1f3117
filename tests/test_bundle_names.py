"""Names that unpack differently on another system, and zips laid out to unpack far more than
they hold: each is built by hand (zipfile, then struct patches where zipfile would not write it)
and refused by verify with its own reason, before anything is unpacked."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from app.bundle.write import export_bundle
from app.models import close_database, open_database
from app.paths import database_path
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR
from tests.hostile_bundles import entries_of, relist, with_entry, with_unicode_path, write_zip


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo

    root = tmp_path_factory.mktemp("branch")
    open_database(database_path(root / "data"))
    try:
        create_demo(root / "data", year=DEMO_YEAR, today=DEMO_TODAY)
        return export_bundle(DEMO_YEAR, root, today=DEMO_TODAY)
    finally:
        close_database()


PHOTO = b"\xff\xd8\xff\xe0 not really a photo"

NAMES = [
    # (the entry as an attacker names it, a phrase of the reason)
    ("attachments/2026/合影e\u0301.jpg", "不是标准写法"),  # NFD twin of 合影é.jpg
    ("attachments/2026/\uf900.jpg", "不是标准写法"),  # compatibility ideograph: NFKC gives 豈
    ("attachments/2026/ｐｈｏｔｏ.jpg", "不是标准写法"),  # full-width letters
    ("data.json.", "以点或空格结尾"),
    ("data.json ", "以点或空格结尾"),
    ("attachments/x.jpg:evil.exe", "NTFS 数据流"),
    ("attachments/CON.jpg", "保留的设备名"),
    ("attachments/nul.txt", "保留的设备名"),
    ("attachments/2026/发票\u202egpj.exe", "文字方向控制符"),
    ("attachments/2026/a\x07b.jpg", "控制字符"),
    ("attachments/2026/a?b.jpg", "Windows 不允许的字符"),
]


@pytest.mark.parametrize(("name", "phrase"), NAMES, ids=[repr(n) for n, _ in NAMES])
def test_a_name_that_unpacks_differently_is_refused(good_bundle, tmp_path, name, phrase):
    bad = with_entry(good_bundle, tmp_path / "中共某村支部委员会-2026-党日活动.zip", name, PHOTO)
    report = verify_bundle(bad)
    assert any(f == name and phrase in r for f, r in report.problems), report.problems


def test_nfc_and_nfd_twins_cannot_both_pass(good_bundle, tmp_path):
    entries = entries_of(good_bundle)
    entries["attachments/2026/合影\u00e9.jpg"] = PHOTO
    entries["attachments/2026/合影e\u0301.jpg"] = PHOTO + b"other"
    relist(entries)
    report = verify_bundle(write_zip(tmp_path / "b.zip", entries))
    named = {f for f, _ in report.problems}
    assert "attachments/2026/合影e\u0301.jpg" in named
    assert not report.ok


def test_a_unicode_path_field_naming_another_file_is_refused(good_bundle, tmp_path):
    """unzip extracts statistics.xlsx as 发票.exe; the manifest sees statistics.xlsx."""
    bad = with_unicode_path(good_bundle, tmp_path / "b.zip", "statistics.xlsx", "发票.exe")
    with zipfile.ZipFile(bad) as zf:
        assert zf.testzip() is None  # a well-formed zip: only the extra field lies
    report = verify_bundle(bad)
    assert any(
        f == "statistics.xlsx" and "Unicode Path" in r and "发票.exe" in r
        for f, r in report.problems
    ), report.problems


def test_a_unicode_path_field_that_agrees_is_fine(good_bundle, tmp_path):
    ok = with_unicode_path(good_bundle, tmp_path / "b.zip", "statistics.xlsx", "statistics.xlsx")
    assert not [r for f, r in verify_bundle(ok).problems if "Unicode Path" in r]


def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
    return (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, packed, size, len(name), 0)
        + name
    )


def _central_header(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            packed,
            size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


def overlap_bomb(path: Path, files: int = 10, kernel_bytes: int = 96_600_000) -> Path:
    """David Fifield's overlapping zip bomb: every entry's deflate data starts with a stored
    block quoting the next entry's local header and goes on into that entry's data, so all
    entries share one compressed kernel. About 100 kB that unpacks to `files` x 96.6 MB."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = b"".join(squeeze.compress(bytes(1 << 20)) for _ in range(kernel_bytes >> 20))
    kernel += squeeze.compress(bytes(kernel_bytes % (1 << 20))) + squeeze.flush()
    names = [f"attachments/{i:02d}.jpg".encode() for i in range(files)]
    # From the last entry back: each one's output is the next local header, then the next's.
    headers: list[bytes] = [b""] * files
    sizes = [0] * files
    packed = [0] * files
    tail_out: list[bytes] = []  # the headers quoted before the kernel's output, in order
    for i in reversed(range(files)):
        quoted = b"".join(tail_out)
        sizes[i] = len(quoted) + kernel_bytes
        crc = zlib.crc32(quoted)
        for _ in range(kernel_bytes >> 20):
            crc = zlib.crc32(bytes(1 << 20), crc)
        crc = zlib.crc32(bytes(kernel_bytes % (1 << 20)), crc)
        packed[i] = sum(5 + len(h) for h in tail_out) + len(kernel)
        headers[i] = _local_header(names[i], crc, packed[i], sizes[i])
        tail_out.insert(0, headers[i])
    body = bytearray()
    offsets = []
    for i in range(files):
        offsets.append(len(body))
        body += headers[i]
        if i + 1 < files:  # a non-final stored block quoting the next local header
            n = len(headers[i + 1])
            body += struct.pack("<BHH", 0, n, n ^ 0xFFFF)
    body += kernel
    central = b"".join(
        _central_header(names[i], *struct.unpack_from("<III", headers[i], 14), offsets[i])
        for i in range(files)
    )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, files, files, len(central), len(body), 0)
    path.write_bytes(bytes(body) + central + end)
    return path


def test_an_overlapping_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    bomb = overlap_bomb(tmp_path / "中共某村支部委员会-2026-党日活动.zip")
    assert bomb.stat().st_size < 1024 * 1024
    with zipfile.ZipFile(bomb) as zf:
        claimed = sum(i.file_size for i in zf.infolist())
        assert claimed > 900 * 1024 * 1024  # under the 1 GB total the headers are checked for
        with zf.open(zf.infolist()[-1]) as f:  # a real bomb: the kernel does unpack
            assert f.read(1 << 16) == bytes(1 << 16)

    def unpacking(*args, **kwargs):
        raise AssertionError("verify unpacked an entry of the bomb")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacking)
    report = verify_bundle(bomb)
    assert (bomb.name, "包内文件的数据相互重叠，疑似“重叠压缩炸弹”") in report.problems


def test_a_directory_claiming_too_many_entries_is_refused_before_zipfile_reads_it(
    good_bundle, tmp_path, monkeypatch
):
    raw = bytearray(good_bundle.read_bytes())
    end = raw.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", raw, end + 8, 65000, 65000)
    bad = tmp_path / "b.zip"
    bad.write_bytes(bytes(raw))

    def reading(*args, **kwargs):
        raise AssertionError("zipfile read the directory")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", reading)
    report = verify_bundle(bad)
    assert any(f == bad.name and "文件数过多（65000 个" in r for f, r in report.problems)
