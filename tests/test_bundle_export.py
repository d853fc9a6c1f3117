"""The export bundle for the superior (docs/formats.md "Export bundle"): every part listed with its sha256,
written whole or not at all, read back before it is called done."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from app.bundle.names import FORMAT, FORMAT_VERSION, ZIP_UTF8_FLAG
from app.bundle.privacy import clean_png, township_data
from app.bundle.write import export_bundle, export_bundle_detailed
from app.errors import UserError
from app.models import Activity
from app.paths import resource_path
from app.services.holiday_schedule import schedule_for_bundle
from app.services.ledger import load_year
from app.services.records import add_attachment, attachment_file
from app.township.verify import verify_bundle
from tests.conftest import DEMO_TODAY, DEMO_YEAR

REPO = Path(__file__).resolve().parent.parent


def _held_activity() -> Activity:
    return (
        Activity.select()
        .where(Activity.held_date.is_null(False))
        .order_by(Activity.plan_date)
        .first()
    )


def _sign_sheet_scan(tmp_path: Path) -> Path:
    scan = tmp_path / "三月签名表扫描.png"
    scan.write_bytes(resource_path("icons", "app.png").read_bytes())
    return scan


def test_bundle_holds_plan_records_statistics_data_and_attachments_each_with_sha256(
    demo: Path, tmp_path: Path
):
    attachment = add_attachment(
        demo, _held_activity().id, _sign_sheet_scan(tmp_path), "签名表扫描件"
    )
    usb = tmp_path / "usb"
    usb.mkdir()

    steps: list[tuple[int, int, str]] = []
    result = export_bundle_detailed(
        DEMO_YEAR, usb, progress=lambda d, t, s="": steps.append((d, t, s)), today=DEMO_TODAY
    )

    assert result.path == usb / "中共青山村支部委员会-2026-党日活动.zip"
    assert [p.name for p in usb.iterdir()] == [result.path.name]  # no .part left behind
    # One progress bar that only moves forward and reaches its end.
    done = [d for d, _, _ in steps]
    assert done == sorted(done) and len({t for _, t, _ in steps}) == 1
    assert steps[-1][0] == steps[-1][1]
    data = load_year(DEMO_YEAR)
    held = [(n, a) for n, a in enumerate(data.activities, start=1) if a.is_held]
    with zipfile.ZipFile(result.path) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == FORMAT and manifest["format_version"] == FORMAT_VERSION
        assert manifest["year"] == DEMO_YEAR
        assert manifest["branch"]["name"] == "中共青山村支部委员会"
        assert manifest["created_at"][:4] == "2026" and "T" in manifest["created_at"]
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(listed) == set(names) - {"manifest.json", "manifest.sig"}
        for name, entry in listed.items():
            content = zf.read(name)
            assert entry["bytes"] == len(content)
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        # Chinese names must survive unzipping on Windows: every entry says "UTF-8".
        assert all(info.flag_bits & ZIP_UTF8_FLAG for info in zf.infolist())

        # The ledger as data.json, less what identifies a person beyond the name
        # (docs/privacy.md), plus the year's 谈话提醒 records (none recorded in the demo).
        sent = township_data({**data.to_json(), "talks": []})
        sent["holiday_schedule"] = schedule_for_bundle(DEMO_YEAR)  # what the plan was checked with
        assert json.loads(zf.read("data.json")) == sent
        assert {"plan.pdf", "statistics.xlsx"} <= set(names)
        plan_text = PdfReader(io.BytesIO(zf.read("plan.pdf"))).pages[0].extract_text()
        assert data.activities[0].theme[:6] in plan_text.replace("\n", "")
        records = sorted(n for n in names if n.startswith("records/"))
        assert records == [f"records/{n:02d}-{a.held_date.isoformat()}.pdf" for n, a in held]
        first = PdfReader(io.BytesIO(zf.read(records[0])))
        assert len(first.pages) >= 2  # the 记录表 and its signature sheet
        assert "应参加党员" in first.pages[0].extract_text()
        stats = load_workbook(io.BytesIO(zf.read("statistics.xlsx")), read_only=True)
        assert len(stats.sheetnames) >= 2
        stored = attachment_file(demo, attachment)
        # The scan as stored less its metadata chunks (docs/privacy.md): the same picture.
        scan = zf.read(f"attachments/{attachment.stored_path}")
        assert scan == clean_png(stored.read_bytes())
        assert Image.open(io.BytesIO(scan)).tobytes() == Image.open(stored).tobytes()
    assert verify_bundle(result.path).ok


def test_exporting_again_replaces_the_bundle_and_it_still_verifies(demo: Path, tmp_path: Path):
    first = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    Activity.update(theme="改过的主题：学习党章").where(
        Activity.id == _held_activity().id
    ).execute()
    second = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    assert second == first and verify_bundle(second).ok
    with zipfile.ZipFile(second) as zf:
        assert "改过的主题：学习党章" in zf.read("data.json").decode("utf-8")


def test_a_missing_drive_is_named_and_nothing_is_written(demo: Path, tmp_path: Path):
    gone = tmp_path / "E盘（已拔出）"
    with pytest.raises(UserError) as err:
        export_bundle(DEMO_YEAR, gone, today=DEMO_TODAY)
    assert "找不到导出位置" in err.value.message and "U盘" in err.value.message
    assert not gone.exists()


def test_a_changed_attachment_stops_the_export_before_anything_is_written(
    demo: Path, tmp_path: Path
):
    attachment = add_attachment(demo, _held_activity().id, _sign_sheet_scan(tmp_path), "照片")
    attachment_file(demo, attachment).write_bytes(b"not the photo that was added")
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(UserError) as err:
        export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)
    assert "三月签名表扫描.png（文件已被改动）" in err.value.message
    assert list(usb.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX only")
def test_a_full_drive_gives_a_clear_message_and_leaves_no_half_written_bundle(
    demo: Path, tmp_path: Path
):
    """The OS refuses to grow any file beyond 300 kB, as a nearly full USB stick would: every
    PDF fits, the ~0.8 MB zip does not."""
    usb = tmp_path / "usb"
    usb.mkdir()
    limit = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""
    proc = subprocess.run(
        [sys.executable, "-c", limit, "--data-dir", str(demo), "export"]
        + ["--year", str(DEMO_YEAR), "--out", str(usb)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "空间不足" in proc.stderr and "没有写成" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(usb.iterdir()) == []  # neither the zip nor its .part


def test_cli_export_prints_the_path_of_a_verified_bundle(demo: Path, tmp_path: Path, capsys):
    from app.cli import main

    assert (
        main(["--data-dir", str(demo), "export", "--year", str(DEMO_YEAR), "--out", str(tmp_path)])
        == 0
    )
    out, err = capsys.readouterr()
    path = Path(out.strip())
    assert path.parent == tmp_path and path.name.endswith("-2026-党日活动.zip")
    assert verify_bundle(path).ok
    assert "安全弹出" in err


def test_a_blank_white_scan_travels_as_stored_and_is_not_taken_for_a_zip_bomb(
    demo: Path, tmp_path: Path
):
    scan = tmp_path / "签名表扫描.bmp"
    scan.write_bytes(b"BM" + b"\xff" * (3 * 1024 * 1024))  # compresses far beyond 200:1
    attachment = add_attachment(demo, _held_activity().id, scan, "签名表扫描件")
    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(f"attachments/{attachment.stored_path}")
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == scan.stat().st_size
    assert verify_bundle(bundle).ok


def test_too_little_room_on_the_stick_is_said_before_writing(tmp_path: Path):
    from app.bundle.write import check_free_space

    free = shutil.disk_usage(tmp_path).free
    check_free_space(tmp_path, free // 2)  # room enough: nothing to say
    with pytest.raises(UserError) as err:
        check_free_space(tmp_path, free + 10**12)
    assert "剩余空间不足" in err.value.message and "MB" in err.value.message
