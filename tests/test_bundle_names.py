"""Names that unpack differently on another system, and zips laid out to unpack far more than
they hold: each is built by hand (zipfile, then struct patches where zipfile would not write it)
and refused by verify with its own reason, before anything is unpacked."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from app.township.verify import verify_bundle
from tests.hostile_bundles import (
    entries_of,
    export_demo,
    overlap_bomb,
    relist,
    with_entry,
    with_unicode_path,
    write_zip,
)


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_demo(tmp_path_factory.mktemp("branch"))


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
