"""The township's register: the branches it expects, each bound to the key its stamped plan
vouches for; a bundle's signer is checked against it (签名不符 / 未登记), by key, not by name."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from app.errors import UserError
from app.signing import ensure_key
from app.township.register import (
    MISMATCH,
    NO_KEY,
    REGISTERED,
    UNREGISTERED,
    KeyConflict,
    bind_key,
    check_signer,
    import_names,
    list_register,
    not_submitted,
)

QINGSHAN = "中共青山村支部委员会"
HEXI = "中共河西村支部委员会"
DONGSHAN = "中共东山村支部委员会"


def key_of(tmp_path: Path, who: str) -> str:
    return ensure_key(tmp_path / "keys-of" / who).public_key_b64


def names_xlsx(path: Path, header: str, names: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["青山镇下级党组织名单"])  # a title row above the header, as clerks write them
    sheet.append(["序号", header, "书记"])
    for i, name in enumerate(names, start=1):
        sheet.append([i, name, "某某"])
    book.save(path)
    return path


def test_names_from_xlsx_or_csv_are_added_once_and_a_twice_listed_name_is_two_branches(
    data_dir, tmp_path
):
    first = import_names(names_xlsx(tmp_path / "名单.xlsx", "党组织", [QINGSHAN, HEXI, QINGSHAN]))
    assert first.added == [QINGSHAN, QINGSHAN, HEXI] and first.already == 0
    csv_file = tmp_path / "名单.csv"
    with open(csv_file, "w", encoding="gb18030", newline="") as fh:  # as WPS saves it
        csv.writer(fh).writerows([["支部名称"], [HEXI], [DONGSHAN], [""]])
    again = import_names(csv_file)
    assert again.added == [DONGSHAN] and again.already == 1
    rows = list_register()
    assert [(r.name, r.fingerprint, r.same_name) for r in rows] == [
        (QINGSHAN, None, True),
        (QINGSHAN, None, True),
        (HEXI, None, False),
        (DONGSHAN, None, False),
    ]
    assert NO_KEY in rows[2].text() and "同名" in rows[0].text()


def test_a_names_file_with_a_bad_row_or_no_column_adds_nothing(data_dir, tmp_path):
    bad = names_xlsx(tmp_path / "坏.xlsx", "党组织", [QINGSHAN, "中共\u202e村支部"])
    with pytest.raises(UserError) as err:
        import_names(bad)
    assert "第 4 行" in err.value.message and "文字方向控制符" in err.value.message
    with pytest.raises(UserError) as err:
        import_names(names_xlsx(tmp_path / "无列.xlsx", "单位", [QINGSHAN]))
    assert "党组织" in err.value.message
    assert list_register() == []


def test_a_branch_bound_to_its_key_refuses_another_unless_replaced(data_dir, tmp_path):
    old_pc, new_pc = key_of(tmp_path, "旧电脑"), key_of(tmp_path, "新电脑")
    first = bind_key(QINGSHAN, old_pc)
    assert first.status == "新登记" and first.fingerprint in first.summary()
    assert bind_key(QINGSHAN, old_pc).status == REGISTERED  # the same bundle twice: nothing to do
    with pytest.raises(KeyConflict) as err:
        bind_key(QINGSHAN, new_pc)
    assert "--replace" in err.value.message
    replaced = bind_key(QINGSHAN, new_pc, replace=True)
    assert replaced.status == "已替换" and replaced.replaced == first.fingerprint
    assert [(r.name, r.fingerprint) for r in list_register()] == [(QINGSHAN, replaced.fingerprint)]
    # A bundle still signed with the replaced key is refused, and says since when.
    stale = check_signer(QINGSHAN, old_pc)
    assert stale.status == MISMATCH and "已于" in stale.reason and "被替换" in stale.reason


def test_the_signer_check_tells_branches_apart_by_key_not_by_name(data_dir, tmp_path):
    import_names(names_xlsx(tmp_path / "名单.xlsx", "党组织", [QINGSHAN, QINGSHAN, HEXI, DONGSHAN]))
    a, b, forger, hexi = (key_of(tmp_path, w) for w in ("青山甲", "青山乙", "冒充者", "河西"))
    bind_key(QINGSHAN, a)
    assert check_signer(QINGSHAN, a).status == REGISTERED
    # The second 青山村 of the list is not bound yet: an unknown key is 未登记, not refused.
    assert check_signer(QINGSHAN, b).status == UNREGISTERED
    bind_key(QINGSHAN, b)
    first, second = (r.branch_id for r in list_register()[:2])
    assert (check_signer(QINGSHAN, a).branch_id, check_signer(QINGSHAN, b).branch_id) == (
        first,
        second,
    )
    # Now both are bound: a third key with that name, or no signature, is 签名不符.
    forged = check_signer(QINGSHAN, forger)
    assert forged.status == MISMATCH and not forged.accepted and "不要采用" in forged.reason
    stripped = check_signer(QINGSHAN, None)
    assert stripped.status == MISMATCH and "没有签名" in stripped.reason
    # A branch with no key yet: signed or not, it is summed with a visible mark.
    assert check_signer(HEXI, hexi).signature.startswith(UNREGISTERED)
    assert check_signer(HEXI, None).signature == "未签名·未登记"
    # Who has not submitted: 东山 sent nothing, the forged bundle counts for nobody.
    checks = [(QINGSHAN, check_signer(QINGSHAN, a)), (HEXI, check_signer(HEXI, hexi))]
    checks.append((QINGSHAN, forged))
    assert [(r.name, r.branch_id) for r in not_submitted(checks)] == [
        (QINGSHAN, second),
        (DONGSHAN, list_register()[3].branch_id),
    ]


def test_cli_register_names_and_list_in_a_township_data_dir_without_a_branch(
    tmp_path, monkeypatch, capsys
):
    from app.cli import main
    from app.models import Branch, close_database

    monkeypatch.delenv("DANGRI_DATA_DIR", raising=False)
    township = tmp_path / "青山镇党委"
    names = names_xlsx(tmp_path / "名单.xlsx", "党组织", [QINGSHAN, HEXI])
    try:
        assert main(["--data-dir", str(township), "register", "--names", str(names)]) == 0
        assert main(["--data-dir", str(township), "register", "--list"]) == 0
        assert Branch.select().count() == 0
    finally:
        close_database()
    out = capsys.readouterr().out
    assert "新增 2 个" in out
    assert f"1  {QINGSHAN}  {NO_KEY}" in out and f"2  {HEXI}  {NO_KEY}" in out
