"""The way back down (docs/formats.md "下发包", "回执"): the township's signed 下发包 taken into a
branch's ledger (schedule, deadline, themes, the township's key), and its signed 回执 about one
exported bundle taken in by that branch only. Real data dirs, real zips, the CLI as a clerk runs
it; the township and the branch are two data dirs opened in turn."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.bundle.read import check_bundle
from app.cli import main
from app.models import Activity, AnnualPlan, Branch, close_database, open_database
from app.models.entities import ExportRecord, ReceivedPackage, ReceivedReceipt, SuperiorKey
from app.paths import database_path
from app.services import calendar as cal
from app.services import plan as plans
from app.services.branch import BranchSettings, save_branch
from app.services.export_receipts import receipt_status
from app.services.holiday_schedule import store_notice
from app.signing import ensure_key
from app.township.register import bind_key

NOTICE_2027 = Path(__file__).parent / "fixtures" / "notices" / "2027-fictional.txt"
TOWNSHIP = "中共青山镇委员会"
QINGSHAN = "中共青山村支部委员会"
HEXI = "中共河西村支部委员会"
TOWN_THEME = "乡镇统一主题：学习贯彻全会精神"


def use(data_dir: Path) -> None:
    """Open another data dir's ledger, as the CLI and the window do."""
    open_database(database_path(data_dir))


def run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def rewrite(zip_path: Path, name: str, change) -> None:
    """Change one entry of a zip in place (what someone with a hex editor or 7-Zip can do)."""
    with zipfile.ZipFile(zip_path) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries[name] = change(entries[name])
    with zipfile.ZipFile(zip_path, "w") as zf:
        for entry, data in entries.items():
            zf.writestr(entry, data)


def township_with_notice(root: Path, name: str = TOWNSHIP) -> Path:
    town = root / name
    use(town)
    store_notice(NOTICE_2027.read_text(encoding="utf-8"), 2027)
    close_database()
    return town


def branch_with_plan(root: Path, name: str) -> Path:
    branch = root / name
    use(branch)
    ensure_key(branch)
    save_branch(BranchSettings(name=name, superior_org=TOWNSHIP))
    plans.create_plan(2027)  # on the 5th: no package knows 2027, so by the rule's estimate
    close_database()
    return branch


def issue(capsys, town: Path, out_dir: Path, *extra: str) -> Path:
    """The township writes its 2027 下发包 into `out_dir` from the command line."""
    code, out, err = run(
        capsys, town, "issue-package", "--year", "2027", "--out", str(out_dir),
        "--township", TOWNSHIP, *extra,
    )  # fmt: skip
    assert code == 0, err
    return Path(out.strip())


@pytest.fixture
def desks(tmp_path: Path, capsys):
    """The township with the 2027 notice entered, its 下发包 on a stick, and a branch with a
    2027 plan made before the notice."""
    town = township_with_notice(tmp_path)
    themes = tmp_path / "主题.json"
    themes.write_text(
        json.dumps(
            {
                "months": {
                    "7": [{"theme": TOWN_THEME, "content": "讲党课", "categories": ["学习教育"]}]
                }
            },
            ensure_ascii=False,
        ),
        encoding="gbk",  # as Notepad saves ANSI on a Chinese Windows
    )
    requirements = tmp_path / "要求.txt"
    requirements.write_text(
        "2027年各支部围绕乡村振兴开展党日活动。\n每季度至少一次联系服务群众。", "utf-8"
    )
    stick = tmp_path / "stick"
    stick.mkdir()
    package = issue(
        capsys, town, stick, "--deadline", "03-20", "--themes", str(themes),
        "--requirements", str(requirements),
    )  # fmt: skip
    assert package == stick / f"{TOWNSHIP}-2027-下发包.zip"
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["manifest.json", "manifest.sig"]
    return {"town": town, "package": package, "branch": branch_with_plan(tmp_path, QINGSHAN)}


def export_and_aggregate(
    capsys, tmp_path: Path, branches: list[Path], town: Path, year=2027, *, copy=False
):
    """Each branch exports its year onto one stick (with `copy`, the first bundle is also on a
    second stick); the township binds each to its key (as after comparing the stamped plan) and
    sums them with receipts. Returns the receipts folder."""
    up = tmp_path / "up"
    up.mkdir(exist_ok=True)
    bundles = []
    for branch in branches:
        code, out, err = run(capsys, branch, "export", "--year", str(year), "--out", str(up))
        assert code == 0, err
        bundles.append(Path(out.strip()))
    if copy:
        (up / "第二个U盘").mkdir()
        shutil.copy2(bundles[0], up / "第二个U盘" / bundles[0].name)
    use(town)
    for bundle in bundles:
        check = check_bundle(bundle)
        bind_key(check.manifest["branch"]["name"], check.public_key)
    close_database()
    receipts = tmp_path / "receipts"
    receipts.mkdir(exist_ok=True)
    code, _, err = run(
        capsys, town, "aggregate", str(up), "--out", str(tmp_path / "汇总.xlsx"),
        "--receipts", str(receipts),
    )  # fmt: skip
    assert "已写回执" in err
    return receipts, bundles, code, err


def test_round_trip_notice_package_plan_export_receipt(desks, capsys, tmp_path):
    town, package, branch = desks["town"], desks["package"], desks["branch"]

    # The branch looks first (nothing is taken without --yes), then takes it in.
    code, out, err = run(capsys, branch, "import-package", str(package))
    assert code == 1 and "加 --yes" in err
    assert f"签名：{TOWNSHIP}，密钥指纹" in out and "第一次导入" in out
    assert "劳动节：5月1日至5月5日，共5天" in out and "计划报送截止日期：03-20" in out
    assert f"7月：{TOWN_THEME}" in out and "围绕乡村振兴" in out
    use(branch)
    assert Branch.get().plan_deadline == "03-25" and not SuperiorKey.select().exists()
    close_database()

    code, out, err = run(capsys, branch, "import-package", str(package), "--yes")
    assert code == 0, err
    assert "2027年计划中有 3 次活动改了日期：" in out
    assert "劳动创造幸福：5月5日为劳动节假期，顺延至5月6日" in out
    assert "计划报送截止日期已改为 03-20（原为 03-25）" in out

    use(branch)
    by_month = {a.plan_date.month: a for a in AnnualPlan.get(year=2027).activities}
    assert by_month[5].plan_date == dt.date(2027, 5, 6)
    assert by_month[10].plan_date == dt.date(2027, 10, 8)
    assert not any(a.holidays_unverified for a in Activity.select())
    assert cal.year_calendar(2027).source.startswith(f"{TOWNSHIP}下发包（")
    assert Branch.get().plan_deadline == "03-20"
    assert plans.suggested_themes(7)[0].theme == TOWN_THEME  # first: a new plan takes it
    assert len(plans.suggested_themes(7)) > 1  # the branch's own stay behind it
    assert "围绕乡村振兴" in ReceivedPackage.get().requirements
    town_key = SuperiorKey.get()
    close_database()

    receipts, bundles, code, err = export_and_aggregate(capsys, tmp_path, [branch], town, copy=True)
    assert code == 0, err
    receipt = receipts / f"{QINGSHAN}-2027-回执.zip"
    assert [p.name for p in receipts.iterdir()] == [receipt.name]  # one answer for two copies
    assert "未写回执：" in err and "是同一份报送包" in err
    sheet = load_workbook(tmp_path / "汇总.xlsx").worksheets[0]
    assert sheet.oddFooter.center.text == f"{TOWNSHIP}　密钥指纹：{town_key.fingerprint}"

    code, out, err = run(capsys, branch, "import-receipt", str(receipt))
    assert code == 0, err
    today = dt.date.today().isoformat()
    assert out.startswith(f"已接收：{TOWNSHIP}于 {today} 接收了本支部2027年度的报送包")
    use(branch)
    assert ExportRecord.get().path == str(bundles[0])
    status = receipt_status(2027)
    assert status.accepted and status.received_on == dt.date.today()
    assert status.text == f"回执：{TOWNSHIP}已于 {today} 接收2027年度报送包。"
    close_database()
    # The same receipt again: said, not stored twice.
    code, out, _ = run(capsys, branch, "import-receipt", str(receipt))
    assert code == 0 and "以前已经导入过" in out
    use(branch)
    assert ReceivedReceipt.select().count() == 1
    close_database()


def test_a_bundle_damaged_on_the_way_comes_back_returned_with_reasons(desks, capsys, tmp_path):
    branch = desks["branch"]
    assert run(capsys, branch, "import-package", str(desks["package"]), "--yes")[0] == 0
    up = tmp_path / "up"
    up.mkdir()
    code, out, _ = run(capsys, branch, "export", "--year", "2027", "--out", str(up))
    rewrite(Path(out.strip()), "plan.pdf", lambda b: b[:200] + bytes([b[200] ^ 1]) + b[201:])

    receipts, _, code, err = export_and_aggregate(capsys, tmp_path, [], desks["town"])
    assert code == 1 and "退回 1 份" in err
    use(branch)  # exported before exports were recorded (an older version): known by its key
    ExportRecord.delete().execute()
    close_database()
    code, out, err = run(
        capsys, branch, "import-receipt", str(receipts / f"{QINGSHAN}-2027-回执.zip")
    )
    assert code == 0, err
    assert out.startswith(f"退回：{TOWNSHIP}于 ")
    assert "plan.pdf：sha256 校验值不符" in out and "处理办法：请该支部重新导出报送包" in out
    use(branch)
    status = receipt_status(2027)
    assert status.status == "退回" and "plan.pdf：sha256 校验值不符" in status.text
    assert ExportRecord.select().count() == 1  # recorded again from the receipt
    close_database()

    # Exported again: the tabs say the returned one was answered and the new one awaits its receipt.
    run(capsys, branch, "export", "--year", "2027", "--out", str(tmp_path))
    use(branch)
    assert "又导出过，尚未收到新的回执" in receipt_status(2027).text
    close_database()


def test_altered_package_altered_receipt_and_another_branchs_receipt_are_refused(
    desks, capsys, tmp_path
):
    town, package, qingshan = desks["town"], desks["package"], desks["branch"]
    hexi = branch_with_plan(tmp_path, HEXI)

    altered = tmp_path / "altered-下发包.zip"
    altered.write_bytes(package.read_bytes())
    rewrite(altered, "manifest.json", lambda b: b.replace(b'"03-20"', b'"12-31"'))
    code, _, err = run(capsys, qingshan, "import-package", str(altered), "--yes")
    assert code == 2 and "签名无效：下发包在签名之后被改动过" in err
    smuggled = tmp_path / "smuggled-下发包.zip"
    smuggled.write_bytes(package.read_bytes())
    with zipfile.ZipFile(smuggled, "a") as zf:
        zf.writestr("../../autorun.inf", b"x")
    code, _, err = run(capsys, qingshan, "import-package", str(smuggled), "--yes")
    assert code == 2 and "zip-slip" in err
    use(qingshan)
    assert not ReceivedPackage.select().exists() and Branch.get().plan_deadline == "03-25"
    close_database()

    for branch in (qingshan, hexi):
        assert run(capsys, branch, "import-package", str(package), "--yes")[0] == 0
    receipts, _, code, err = export_and_aggregate(capsys, tmp_path, [qingshan, hexi], town)
    assert code == 0, err
    mine = receipts / f"{QINGSHAN}-2027-回执.zip"

    code, _, err = run(capsys, hexi, "import-receipt", str(mine))
    assert code == 2 and f"这是给“{QINGSHAN}”（密钥指纹" in err and "不是本支部的" in err

    forged = tmp_path / "forged-回执.zip"
    forged.write_bytes(mine.read_bytes())
    rewrite(forged, "manifest.json", lambda b: b.replace("已接收".encode(), "退回".encode()))
    code, _, err = run(capsys, qingshan, "import-receipt", str(forged))
    assert code == 2 and "签名无效：回执在签名之后被改动过" in err
    use(qingshan)
    assert not ReceivedReceipt.select().exists() and receipt_status(2027).status is None
    close_database()


def test_a_package_signed_by_another_key_is_refused_unless_the_change_is_confirmed(
    desks, capsys, tmp_path
):
    branch, package = desks["branch"], desks["package"]
    assert run(capsys, branch, "import-package", str(package), "--yes")[0] == 0
    # Someone else (or the township on a new PC without its backup) signs a package.
    other = township_with_notice(tmp_path / "new-pc")
    second = issue(capsys, other, tmp_path, "--deadline", "04-30")

    code, out, err = run(capsys, branch, "import-package", str(second), "--yes")
    assert code == 2 and "注意：签名密钥变了！" in out
    assert "与以前导入的乡镇党委密钥" in err and "--accept-new-key" in err
    use(branch)
    old_key = SuperiorKey.get()
    assert Branch.get().plan_deadline == "03-20" and old_key.replaced_at is None
    close_database()

    code, out, err = run(capsys, branch, "import-package", str(second), "--yes", "--accept-new-key")
    assert code == 0, err
    assert "已改为记住新的密钥指纹" in out
    use(branch)
    assert Branch.get().plan_deadline == "04-30"
    assert SuperiorKey.get(SuperiorKey.replaced_at.is_null()).public_key != old_key.public_key
    close_database()

    # A receipt still signed with the old key is now refused, with the reason.
    receipts, _, code, _ = export_and_aggregate(capsys, tmp_path, [branch], desks["town"])
    code, _, err = run(
        capsys, branch, "import-receipt", str(receipts / f"{QINGSHAN}-2027-回执.zip")
    )
    assert code == 2 and "是乡镇党委以前用的" in err
