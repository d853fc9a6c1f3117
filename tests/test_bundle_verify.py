"""The township's check of a bundle: each attack is rejected with its own reason naming the file,
and no input, however hostile, makes the check itself crash."""

from __future__ import annotations

import json
import random
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.bundle.checks import check_data_consistency
from app.bundle.zipsafety import Limits
from app.township.verify import verify_bundle
from tests.hostile_bundles import entries_of, export_demo, relist_signed, write_zip


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real export of the demo branch, shared by the attacks (each works on a copy)."""
    return export_demo(tmp_path_factory.mktemp("branch"))


def _record_names(entries: dict[str, bytes]) -> list[str]:
    return sorted(n for n in entries if n.startswith("records/"))


# Each attack takes (good bundle, where to write) and returns (the bad zip, the file the township
# should see named, a phrase of the reason).
Attack = Callable[[Path, Path], tuple[Path, str, str]]


def changed_byte_in_the_zip(good: Path, out: Path):
    """One byte flipped inside a record's compressed data, as a bad USB stick would."""
    shutil.copy(good, out)
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(_record_names(entries_of(good))[2])
        raw = good.read_bytes()
        start = info.header_offset + 30
        start += int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
        start += int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    buf = bytearray(raw)
    buf[start + info.compress_size // 2] ^= 0x01
    out.write_bytes(bytes(buf))
    return out, info.filename, "文件已损坏"


def changed_content_with_a_consistent_zip(good: Path, out: Path):
    """data.json edited (one character) and re-zipped properly: only the manifest's sha256 knows."""
    entries = entries_of(good)
    text = entries["data.json"].decode()
    entries["data.json"] = text.replace('"缺席"', '"出席"', 1).encode()
    return write_zip(out, entries), "data.json", "sha256 校验值不符"


def missing_file(good: Path, out: Path):
    entries = entries_of(good)
    gone = _record_names(entries)[0]
    del entries[gone]
    return write_zip(out, entries), gone, "清单列出的文件在包中缺失"


def extra_file(good: Path, out: Path):
    entries = entries_of(good)
    entries["records/13-2026-12-05.pdf"] = b"%PDF-1.4 slipped in later"
    return write_zip(out, entries), "records/13-2026-12-05.pdf", "清单中没有列出的多余文件"


def data_hidden_in_a_folder_entry(good: Path, out: Path):
    """A name ending in '/' is a folder to unzip tools, yet the zip can still carry bytes in it."""
    entries = entries_of(good)
    entries["attachments/"] = b"MZ hidden program"
    return write_zip(out, entries), "attachments/", "文件夹条目中藏有数据"


def dot_dot_path(good: Path, out: Path):
    entries = entries_of(good)
    entries["attachments/../../startup/evil.bat"] = b"format c:"
    relist_signed(entries, good)
    return write_zip(out, entries), "attachments/../../startup/evil.bat", "zip-slip"


def absolute_path(good: Path, out: Path):
    entries = entries_of(good)
    entries["/etc/cron.d/evil"] = b"* * * * * root rm -rf /"
    relist_signed(entries, good)
    return write_zip(out, entries), "/etc/cron.d/evil", "绝对路径"


def symlink_entry(good: Path, out: Path):
    entries = entries_of(good)
    entries["attachments/link"] = b"/etc/passwd"
    relist_signed(entries, good)
    link = zipfile.ZipInfo("attachments/link")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return write_zip(out, entries, {"attachments/link": link}), "attachments/link", "符号链接"


def truncated_zip(good: Path, out: Path):
    raw = good.read_bytes()
    out.write_bytes(raw[: len(raw) * 2 // 3])  # copying stopped when the stick was pulled
    return out, out.name, "文件不完整"


def zip_bomb(good: Path, out: Path):
    """50 MB of zeros in a ~50 kB entry, even listed in the manifest with its right hash."""
    entries = entries_of(good)
    entries["attachments/2026/photo.jpg"] = bytes(50 * 1024 * 1024)
    relist_signed(entries, good)
    return write_zip(out, entries), "attachments/2026/photo.jpg", "压缩炸弹"


def unknown_manifest_version(good: Path, out: Path):
    entries = entries_of(good)
    manifest = json.loads(entries["manifest.json"])
    manifest["format_version"] = 3
    entries["manifest.json"] = json.dumps(manifest).encode()
    return write_zip(out, entries), "manifest.json", "格式版本 3"


def missing_manifest(good: Path, out: Path):
    entries = entries_of(good)
    del entries["manifest.json"]
    return write_zip(out, entries), "manifest.json", "缺少清单文件"


def member_who_does_not_exist(good: Path, out: Path):
    entries = entries_of(good)
    data = json.loads(entries["data.json"])
    held = next(a for a in data["activities"] if a["attendance"])
    held["attendance"][0]["member_id"] = 9999
    entries["data.json"] = json.dumps(data, ensure_ascii=False).encode()
    relist_signed(entries, good)
    return write_zip(out, entries), "data.json", "不存在的党员（member_id=9999）"


def counts_that_do_not_match_the_statuses(good: Path, out: Path):
    entries = entries_of(good)
    data = json.loads(entries["data.json"])
    held = next(a for a in data["activities"] if a["attendance"])
    held["took_part"] += 2  # a flattering 实际参加 not borne out by the attendance
    entries["data.json"] = json.dumps(data, ensure_ascii=False).encode()
    relist_signed(entries, good)
    return write_zip(out, entries), "data.json", "与考勤状态统计的"


ATTACKS: list[Attack] = [
    changed_byte_in_the_zip,
    changed_content_with_a_consistent_zip,
    missing_file,
    extra_file,
    data_hidden_in_a_folder_entry,
    dot_dot_path,
    absolute_path,
    symlink_entry,
    truncated_zip,
    zip_bomb,
    unknown_manifest_version,
    missing_manifest,
    member_who_does_not_exist,
    counts_that_do_not_match_the_statuses,
]


def test_an_intact_bundle_passes_and_the_cli_exits_zero(good_bundle: Path, capsys):
    from app.cli import main

    report = verify_bundle(good_bundle)
    assert report.ok and report.problems == []
    assert main(["verify", str(good_bundle)]) == 0
    assert "校验通过" in capsys.readouterr().out


def test_empty_folder_entries_as_zip_tools_write_them_still_pass(good_bundle: Path, tmp_path):
    entries = {"records/": b"", "attachments/": b"", **entries_of(good_bundle)}
    report = verify_bundle(write_zip(tmp_path / "rezipped.zip", entries))
    assert report.ok, report.problems


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_each_attack_is_rejected_naming_the_file_and_the_reason(
    attack: Attack, good_bundle: Path, tmp_path: Path, capsys
):
    from app.cli import main

    bad, file, phrase = attack(good_bundle, tmp_path / "中共某村支部委员会-2026-党日活动.zip")
    report = verify_bundle(bad)
    assert not report.ok
    assert any(f == file and phrase in reason for f, reason in report.problems), report.problems
    assert main(["verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert file in err and phrase in err


def test_the_attacks_are_told_apart_by_their_reasons(good_bundle: Path, tmp_path: Path):
    seen: dict[tuple[str, str], str] = {}
    for attack in ATTACKS:
        bad, file, phrase = attack(good_bundle, tmp_path / f"{attack.__name__}.zip")
        reasons = {(f, r) for f, r in verify_bundle(bad).problems if f == file and phrase in r}
        for key in reasons:
            seen.setdefault(key, attack.__name__)
    assert len(set(seen.values())) == len(ATTACKS)


def wrong_crc_only(good: Path, out: Path):
    """A record's bytes intact but its CRC-32 in the central directory changed: the sha256
    matches, yet an unzip tool would call the file damaged, and so does the township."""
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(_record_names(entries_of(good))[1])
    raw = bytearray(good.read_bytes())
    at = len(raw)  # its central directory header: the one pointing at its local header
    while True:
        at = raw.rfind(b"PK\x01\x02", 0, at)
        if int.from_bytes(raw[at + 42 : at + 46], "little") == info.header_offset:
            break
    raw[at + 16 : at + 20] = ((info.CRC ^ 1) & 0xFFFFFFFF).to_bytes(4, "little")
    out.write_bytes(bytes(raw))
    return out, info.filename, "文件已损坏"


def test_a_wrong_crc_alone_still_fails_as_damage(good_bundle: Path, tmp_path: Path):
    bad, file, phrase = wrong_crc_only(good_bundle, tmp_path / "crc.zip")
    with zipfile.ZipFile(bad) as zf:
        assert zf.getinfo(file).compress_type == zipfile.ZIP_STORED  # read by read_stored
    problems = verify_bundle(bad).problems
    assert problems == [(file, "文件已损坏（解压出错或 CRC 校验失败），内容可能被改动")]


def test_a_crc_rewritten_in_both_headers_over_intact_bytes_is_not_damage(
    good_bundle: Path, tmp_path: Path
):
    """Bytes that match the signed sha256 are the bytes exported: with both headers stating
    the same (wrong) CRC-32, verify does not compute it (the sha256 says more), and an edit of
    those bytes is still caught: by the sha256, named as damage when the CRC-32 fails too."""
    bad, file, _ = wrong_crc_only(good_bundle, tmp_path / "crc.zip")
    raw = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as zf:
        info = zf.getinfo(file)
    raw[info.header_offset + 14 : info.header_offset + 18] = info.CRC.to_bytes(4, "little")
    both = tmp_path / "both.zip"
    both.write_bytes(bytes(raw))
    assert verify_bundle(both).ok
    at = info.header_offset
    start = at + 30 + int.from_bytes(raw[at + 26 : at + 28], "little")
    start += int.from_bytes(raw[at + 28 : at + 30], "little")
    raw[start + 10] ^= 0x01  # and now one byte of the record itself
    both.write_bytes(bytes(raw))
    assert verify_bundle(both).problems == [
        (file, "文件已损坏（解压出错或 CRC 校验失败），内容可能被改动")
    ]


def test_size_limits_hold_per_file_and_in_total(good_bundle: Path):
    per_file = verify_bundle(good_bundle, limits=Limits(max_file_bytes=60_000))
    too_big = {f for f, r in per_file.problems if "解压后过大" in r}
    assert too_big and all(f.startswith(("records/", "plan.pdf")) for f in too_big)

    with zipfile.ZipFile(good_bundle) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    packed = good_bundle.stat().st_size
    assert packed < unpacked
    total = verify_bundle(good_bundle, limits=Limits(max_total_bytes=(packed + unpacked) // 2))
    assert [r for f, r in total.problems if f == good_bundle.name and "总大小" in r]


def test_data_json_is_checked_against_the_roll_and_the_rule_4_words(good_bundle: Path):
    data = json.loads(entries_of(good_bundle)["data.json"])
    assert check_data_consistency(data) == []
    act = next(a for a in data["activities"] if a["attendance"])
    act["attendance"][1]["status"] = "迟到"
    act["attendance"].append(dict(act["attendance"][0]))
    act["expected"] += 1
    problems = check_data_consistency(data)
    assert any("“迟到”不是规定用语" in p for p in problems)
    assert any("考勤重复" in p for p in problems)
    assert any("应参加党员数" in p and "在册党员" in p for p in problems)


def test_no_damaged_file_makes_the_check_crash(good_bundle: Path, tmp_path: Path):
    """Hundreds of random one-byte changes anywhere in the zip: verify always answers, and a
    change inside any file's data is always caught unless every file still unpacks to exactly
    what was exported (the last byte of a deflate stream has padding bits no reader uses)."""
    raw = good_bundle.read_bytes()
    contents = entries_of(good_bundle)
    with zipfile.ZipFile(good_bundle) as zf:
        data_ranges = []
        for info in zf.infolist():
            o = info.header_offset
            start = o + 30 + int.from_bytes(raw[o + 26 : o + 28], "little")
            start += int.from_bytes(raw[o + 28 : o + 30], "little")
            data_ranges.append((start, start + info.compress_size))
    rng = random.Random(7)
    bad = tmp_path / "bad.zip"
    for _ in range(300):
        pos = rng.randrange(len(raw))
        buf = bytearray(raw)
        buf[pos] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(buf))
        report = verify_bundle(bad)  # must not raise
        assert all(isinstance(f, str) and isinstance(r, str) for f, r in report.problems)
        if any(s <= pos < e for s, e in data_ranges) and report.ok:
            assert entries_of(bad) == contents, pos  # only an unused padding bit changed
    for garbage in (b"", b"PK\x05\x06" + bytes(18), b"not a zip at all" * 100):
        bad.write_bytes(garbage)
        assert not verify_bundle(bad).ok


@pytest.mark.parametrize(
    "vandalise",
    [
        lambda d: d["activities"][0].update(attendee_ids=[[1]]),
        lambda d: d["activities"][0].update(attendance="出席"),
        lambda d: d["members"].append({"member_id": "1", "name": None}),
        lambda d: d.update(activities={"1": "x"}),
        lambda d: d.update(year="二〇二六"),
        lambda d: d["activities"][1].update(plan_date=20260205),
    ],
    ids=["unhashable-id", "attendance-string", "member-id-text", "dict-not-list", "year", "date"],
)
def test_data_json_of_the_wrong_shape_is_named_not_crashed_on(
    vandalise, good_bundle: Path, tmp_path: Path
):
    entries = entries_of(good_bundle)
    data = json.loads(entries["data.json"])
    vandalise(data)
    entries["data.json"] = json.dumps(data, ensure_ascii=False).encode()
    relist_signed(entries, good_bundle)
    report = verify_bundle(write_zip(tmp_path / "b.zip", entries))
    assert report.problems and all(f == "data.json" for f, _ in report.problems), report.problems
    assert not any("无法检查" in r for _, r in report.problems)
