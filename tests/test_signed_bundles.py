"""Signed bundles (format 2) and the township's register (docs/signing.md): a forger who edits
the figures and recomputes every hash, re-signs with another key, or strips the signature is
caught, each with its reason; branches are told apart by key; the workbook names who has not
submitted."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.bundle.signature import TAMPERED, sign_manifest
from app.bundle.write import export_bundle
from app.cli import main
from app.models import close_database, open_database
from app.paths import database_path
from app.reports.township_xlsx import SHEET_NOT_SUBMITTED, SHEET_SUMMARY, SUMMARY_HEADERS
from app.signing import Signer, load_key, verify
from app.township.aggregate import aggregate_bundles
from app.township.register import MISMATCH, bind_key, import_names, list_register
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR

QINGSHAN = "中共青山村支部委员会"
DONGSHAN = "中共东山村支部委员会"


def _demo_bundle(root: Path, name: str) -> tuple[Path, Path]:
    """(bundle, data dir) of the demo branch exported from its own data dir (its own key)."""
    from app.services.demo import create_demo

    data_dir = root / name / "data"
    out = root / name / "U盘"
    out.mkdir(parents=True)
    open_database(database_path(data_dir))
    try:
        create_demo(data_dir, year=DEMO_YEAR, today=DEMO_TODAY)
        return export_bundle(DEMO_YEAR, out, today=DEMO_TODAY), data_dir
    finally:
        close_database()


@pytest.fixture(scope="module")
def two_qingshans(tmp_path_factory: pytest.TempPathFactory):
    """Two branches of one name (the demo's 青山村, on two PCs), each with its own key."""
    root = tmp_path_factory.mktemp("branches")
    return _demo_bundle(root, "青山甲"), _demo_bundle(root, "青山乙")


@pytest.fixture
def township(tmp_path: Path):
    """The township's own data dir: no branch, the register in its database."""
    t = tmp_path / "青山镇党委"
    open_database(database_path(t))
    yield t
    close_database()


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _write(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return path


def _relist(entries: dict[str, bytes], manifest: dict) -> None:
    manifest["files"] = [
        {"path": n, "sha256": hashlib.sha256(c).hexdigest(), "bytes": len(c)}
        for n, c in entries.items()
        if n not in ("manifest.json", "manifest.sig")
    ]
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()


def forged_figures(good: Path, out: Path) -> Path:
    """Every 缺席 of the year turned into 出席, the counts kept consistent, every sha256 in the
    manifest recomputed — but the manifest is not signed again."""
    entries = _entries(good)
    data = json.loads(entries["data.json"])
    changed = 0
    for activity in data["activities"]:
        for row in activity["attendance"]:
            if row["status"] == "缺席":
                row["status"], row["reason"] = "出席", ""
                activity["took_part"] += 1
                changed += 1
    assert changed  # the demo has absences to forge away
    entries["data.json"] = json.dumps(data, ensure_ascii=False, indent=1).encode()
    _relist(entries, json.loads(entries["manifest.json"]))
    return _write(out, entries)


def resigned_with_another_key(good: Path, out: Path) -> tuple[Path, Signer]:
    """The forged figures, signed by the forger's own key: a perfectly valid signature."""
    entries = _entries(forged_figures(good, out))
    forger = Signer.generate()
    manifest = json.loads(entries["manifest.json"])
    manifest["signer"] = forger.to_json()
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    entries["manifest.sig"] = sign_manifest(entries["manifest.json"], forger)
    return _write(out, entries), forger


def stripped_to_version_1(good: Path, out: Path) -> Path:
    """The forged figures passed off as an old, unsigned (format 1) bundle."""
    entries = _entries(forged_figures(good, out))
    del entries["manifest.sig"]
    manifest = json.loads(entries["manifest.json"])
    manifest["format_version"] = 1
    del manifest["signer"]
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    return _write(out, entries)


def test_an_exported_bundle_is_signed_by_the_key_printed_on_its_plan(two_qingshans, capsys):
    (bundle, data_dir), _ = two_qingshans
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    key = load_key(data_dir)
    manifest = report.manifest
    assert manifest["format_version"] == 2
    assert manifest["signer"] == {
        "algorithm": "ed25519",
        "public_key": key.public_key_b64,
        "fingerprint": key.fingerprint,
    }
    entries = _entries(bundle)
    signature = base64.b64decode(entries["manifest.sig"])
    assert verify(key.public_key_b64, entries["manifest.json"], signature)
    # The plan PDF in the bundle and `key` show the manifest's fingerprint.
    plan = PdfReader(io.BytesIO(entries["plan.pdf"])).pages[-1].extract_text()
    assert f"密钥指纹：{key.fingerprint}" in re.sub(r"\s+", "", plan)
    assert main(["--data-dir", str(data_dir), "key"]) == 0
    close_database()
    assert capsys.readouterr().out.strip() == manifest["signer"]["fingerprint"]
    assert "已签名，密钥指纹 " + key.fingerprint in report.summary()


def test_each_forgery_fails_against_the_register_with_its_own_reason(
    two_qingshans, township, tmp_path, capsys
):
    (good, data_dir), _ = two_qingshans
    bind_key(QINGSHAN, load_key(data_dir).public_key_b64)
    forged = forged_figures(good, tmp_path / "改了数字.zip")
    resigned, forger = resigned_with_another_key(good, tmp_path / "换了签名.zip")
    stripped = stripped_to_version_1(good, tmp_path / "去掉签名.zip")

    # Hashes recomputed: the signature no longer matches, with or without a register.
    alone = verify_bundle(forged)
    assert ("manifest.json", TAMPERED) in alone.problems
    assert "被改动过" in alone.advice() and "不要采用" in alone.advice()
    assert not verify_bundle(forged, register=True).ok
    # Re-signed with another key: a valid signature, so only the register can tell.
    assert verify_bundle(resigned).ok and verify_bundle(resigned).fingerprint == forger.fingerprint
    other = verify_bundle(resigned, register=True)
    assert not other.ok and other.signer_check.status == MISMATCH
    assert forger.fingerprint in other.problems[0][1] and "不要采用" in other.problems[0][1]
    # Stripped to format 1: an old unsigned bundle, until the register knows the branch's key.
    assert verify_bundle(stripped).ok and "未签名" in verify_bundle(stripped).summary()
    unsigned = verify_bundle(stripped, register=True)
    assert not unsigned.ok and "没有签名" in unsigned.problems[0][1]
    # The reasons are told apart.
    reasons = {verify_bundle(p, register=True).problems[0][1] for p in (forged, resigned, stripped)}
    assert len(reasons) == 3

    # The command line, against the township's data dir: each exits 1 naming 签名不符 or 签名无效.
    close_database()
    for path, phrase in ((forged, "签名无效"), (resigned, MISMATCH), (stripped, MISMATCH)):
        assert main(["--data-dir", str(township), "verify", str(path)]) == 1
        assert phrase in capsys.readouterr().err
    assert main(["--data-dir", str(township), "verify", str(good)]) == 0
    assert f"已登记 {load_key(data_dir).fingerprint}" in capsys.readouterr().out


def test_a_township_of_three_branches_two_of_one_name_sees_who_has_not_submitted(
    two_qingshans, township, tmp_path, capsys
):
    (first, first_dir), (second, second_dir) = two_qingshans
    names = tmp_path / "名单.csv"
    names.write_text(f"党组织\n{QINGSHAN}\n{QINGSHAN}\n{DONGSHAN}\n", encoding="utf-8")
    import_names(names)
    close_database()
    # The clerk registers both bundles from the command line; each fingerprint is printed.
    assert main(["--data-dir", str(township), "register", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert load_key(first_dir).fingerprint in out and load_key(second_dir).fingerprint in out
    assert main(["--data-dir", str(township), "register", "--list"]) == 0
    listing = capsys.readouterr().out
    assert f"{DONGSHAN}  未登记密钥" in listing and listing.count("[同名]") == 2

    xlsx = tmp_path / "汇总.xlsx"
    assert main(["--data-dir", str(township), "aggregate", str(first), str(second), "--out", str(xlsx)]) == 0  # fmt: skip
    wb = load_workbook(xlsx)
    summary = wb[SHEET_SUMMARY]
    rows = [r for r in summary.iter_rows(min_row=3, values_only=True) if r[1] == QINGSHAN]
    signature = SUMMARY_HEADERS.index("签名")
    assert len(rows) == 2  # two branches of one name: two rows, never a duplicate
    assert {r[signature] for r in rows} == {
        f"已登记 {load_key(d).fingerprint}；同名，按密钥区分" for d in (first_dir, second_dir)
    }
    missing = [r for r in wb[SHEET_NOT_SUBMITTED].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[2]) for r in missing] == [(DONGSHAN, "未登记密钥")]
    assert any("未报送" in title for title in wb.sheetnames)


def test_an_unregistered_branch_is_summed_with_a_visible_mark_and_another_key_is_refused(
    two_qingshans, township, tmp_path, capsys
):
    (first, first_dir), (second, _second_dir) = two_qingshans
    result = aggregate_bundles([first], tmp_path / "汇总.xlsx", register=True)
    assert [r.signature for r in result.rows] == [f"未登记 {load_key(first_dir).fingerprint}"]
    assert result.not_submitted == []
    close_database()
    assert main(["--data-dir", str(township), "register", str(first)]) == 0
    capsys.readouterr()
    # The other 青山村's bundle: the one 青山村 of the register is bound to another key.
    assert main(["--data-dir", str(township), "register", str(second)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["--data-dir", str(township), "register", "--replace", str(second)]) == 0
    open_database(database_path(township))
    assert [r.fingerprint for r in list_register()] == [verify_bundle(second).fingerprint]
