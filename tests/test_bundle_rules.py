"""verify refuses what the branch's own program refuses: the township checks data.json with the
ledger's rule functions (app/services/record_rules.py), so a hand-edited bundle cannot carry a
record the ledger would never have saved."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.bundle import checks
from app.errors import UserError
from app.models import vocab
from app.services.records import RecordInput, save_record
from app.township.verify import verify_bundle
from tests.conftest import DEMO_YEAR
from tests.hostile_bundles import entries_of, export_demo, held_activity, with_data, write_zip
from tests.test_fuzz import fuzz


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_demo(tmp_path_factory.mktemp("branch"))


def _made_on(good: Path) -> dt.date:
    manifest = json.loads(entries_of(good)["manifest.json"])
    return dt.datetime.fromisoformat(manifest["created_at"]).date()


def _set(key: str, value, n: int = 0):
    return lambda doc: held_activity(doc, n).update({key: value})


def _held_after_the_bundle_was_made(good: Path, out: Path) -> Path:
    """The manifest says the bundle was made the day before the first held activity."""
    entries = entries_of(good)
    first = held_activity(json.loads(entries["data.json"]))["held_date"]
    manifest = json.loads(entries["manifest.json"])
    made = dt.date.fromisoformat(first) - dt.timedelta(days=1)
    manifest["created_at"] = f"{made.isoformat()}T18:00:00+08:00"
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    return write_zip(out, entries)


def _duplicate_attendee(doc) -> None:
    act = held_activity(doc, 0)
    first = doc["attendees"][0]["attendee_id"]
    act["attendee_ids"] = [first, first]


def _duplicate_attendee_id_in_the_list(doc) -> None:
    doc["attendees"].append(dict(doc["attendees"][0]))


def test_an_activity_held_after_the_bundle_was_made_is_refused(good_bundle, tmp_path):
    bad = _held_after_the_bundle_was_made(good_bundle, tmp_path / "b.zip")
    reasons = [r for f, r in verify_bundle(bad).problems if f == "data.json"]
    assert any("开展日期不能晚于报送包生成之日" in r for r in reasons), reasons


CASES = [
    # (what was done, change to data.json, a phrase of the reason)
    ("held in another year", _set("held_date", f"{DEMO_YEAR - 1}-12-30"), f"应在 {DEMO_YEAR} 年内"),
    (
        "报送 before the activity",
        _set("submitted_date", f"{DEMO_YEAR}-01-01"),
        "报送日期不能早于开展日期",
    ),
    ("duplicate attendee in an activity", _duplicate_attendee, "重复"),
    ("duplicate attendee id", _duplicate_attendee_id_in_the_list, "列席人员编号"),
    ("NaN cost (a JSON number)", _set("cost", float("nan")), "“cost”格式不对"),
    ("NaN cost (text)", _set("cost", "NaN"), "经费请填写金额"),
    ("negative cost", _set("cost", "-5.00"), "经费请填写金额"),
    ("theme is a number", _set("theme", 12345), "“theme”格式不对"),
    ("held date is a number", _set("held_date", 20260305), "“held_date”格式不对"),
    ("start time is a date", _set("start_time", "2026-03-05"), "“start_time”格式不对"),
    (
        "attendance status is a number",
        lambda d: held_activity(d)["attendance"][0].update(status=1),
        "不是规定用语",
    ),
    ("a flag is text", lambda d: d["members"][0].update(is_mobile="是"), "“is_mobile”不是是/否"),
    ("control character in a theme", _set("theme", "学习\x07党章"), "响铃符"),
    ("a theme of 20,000 characters", _set("theme", "学" * 20_000), "最多10000个字"),
    (
        "a branch name with a direction override",
        lambda d: d["branch"].update(name="中共\u202e支部"),
        "文字方向控制符",
    ),
]


@pytest.mark.parametrize(("case", "change", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_verify_refuses_what_the_ledger_refuses(good_bundle, tmp_path, case, change, phrase):
    bad = with_data(good_bundle, tmp_path / "中共某村支部委员会-2026-党日活动.zip", change)
    report = verify_bundle(bad)
    reasons = [r for f, r in report.problems if f == "data.json"]
    assert any(phrase in r for r in reasons), report.problems
    assert not any("无法检查" in r or "无法按台账格式读取" in r for r in reasons), reasons


def test_the_reason_is_the_ledger_s_own_sentence(good_bundle, tmp_path, data_dir):
    """报送 before the activity: the words the record editor shows are the words verify gives."""
    from tests.record_helpers import TODAY, build_year

    march, _ = build_year()
    rec = RecordInput(
        held_date=dt.date(2026, 3, 5),
        theme="学习党章",
        place="党员活动室",
        categories=["学习教育"],
        submitted_date=dt.date(2026, 3, 1),
    )
    with pytest.raises(UserError) as refused:
        save_record(march.id, rec, today=TODAY)
    ledger_words = refused.value.message.rstrip("。")

    bad = with_data(good_bundle, tmp_path / "b.zip", _set("submitted_date", f"{DEMO_YEAR}-01-01"))
    assert any(ledger_words in r for _, r in verify_bundle(bad).problems)


def test_a_record_held_on_the_day_the_bundle_was_made_is_fine(good_bundle, tmp_path):
    made = _made_on(good_bundle)
    if made.year != DEMO_YEAR:
        pytest.skip("the bundle was made in another year than the demo's")

    def held_that_day(doc):
        act = held_activity(doc, 0)
        act["held_date"] = made.isoformat()
        act["held_reason"] = "改期"
        act["submitted_date"] = None

    report = verify_bundle(with_data(good_bundle, tmp_path / "b.zip", held_that_day))
    assert not [r for f, r in report.problems if f == "data.json" and "生成之日" in r]


# Attendance rows as a hand-edited data.json may hold them: sound rows of members 1-4, and among
# them at most one odd row: member 5's sound row with one value made wrong or taken out, a
# second row of a member, or no row at all.
_WRONG = {
    "member_id": [99, "5", 5.0, True, None, [5]],
    "status": ["到会", "", None, 3, ["出席"]],
    "reason": [None, 5, "\u202e病假", "假" * 10_001, ["x"]],  # None is fine: "no reason"
}


@st.composite
def _attendance(draw) -> list:
    ids = draw(st.lists(st.sampled_from([1, 2, 3, 4]), unique=True, max_size=4))
    statuses = st.sampled_from(vocab.ATTENDANCE_STATUSES)
    reasons = st.sampled_from(["", "外出务工"])
    rows = [{"member_id": i, "status": draw(statuses), "reason": draw(reasons)} for i in ids]
    odd = {"member_id": 5, "status": draw(statuses), "reason": draw(reasons)}
    key = draw(st.sampled_from(sorted(_WRONG)))
    change = draw(st.sampled_from(["wrong", "left out", "second row"]))
    if change == "wrong":
        odd[key] = draw(st.sampled_from(_WRONG[key]))
    elif change == "left out":
        del odd[key]
    elif ids:
        odd["member_id"] = ids[0]
    kind = draw(st.sampled_from(["none", "odd", "odd", "not a row"]))
    if kind != "none":
        row = odd if kind == "odd" else draw(st.sampled_from([None, "row", 7, []]))
        rows.insert(draw(st.integers(0, len(rows))), row)
    return rows


@given(_attendance())
@fuzz(400)
def test_the_quick_look_at_attendance_passes_only_what_the_row_by_row_check_passes(rows):
    """`_plain_statuses` (all rows at once, for the township's hundreds of bundles) must pass
    exactly the rows the row-by-row check finds nothing wrong with, and count them alike."""
    members = {1, 2, 3, 4, 5}
    quick = checks._plain_statuses(rows, members)
    problems: list[str] = []
    counted = checks._statuses_one_by_one("第 1 次活动", rows, members, problems)
    assert (quick is not None) == (not problems), (rows, problems)
    if quick is not None:
        assert quick == counted
