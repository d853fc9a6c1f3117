"""data.json as the township reads it (docs/formats.md "data.json"): a well-formed,
self-consistent year of the ledger that loads exactly as the branch's own program loads it,
and that agrees with the bundle's manifest and files."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.bundle.names import DATA, PLAN_PDF, STATISTICS_XLSX, TALKS, record_entry_name
from app.models import vocab
from app.services.record_rules import (
    PERSON_MAX,
    PLAN_TEXTS,
    RecordValues,
    branch_name_problem,
    reason_problem,
    record_problems,
    record_text_problems,
    repeated,
    status_problem,
    text_limit,
)
from app.services.text_rules import NAME_MAX, PLACE_MAX, text_problem

if TYPE_CHECKING:
    from app.services.ledger import YearData

BAD = "bad"  # what `date_or_bad` returns for a value that is not an ISO date


def parse_data(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """data.json's bytes as a dict, or (None, the Chinese reason it is not one)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "data.json 不是有效的 JSON"
    if not isinstance(doc, dict):
        return None, "data.json 的顶层不是对象"
    return doc, ""


def date_or_bad(value: Any) -> dt.date | None | str:
    """A date from ISO text, None for null, or `BAD`."""
    if value is None:
        return None
    if not isinstance(value, str):
        return BAD
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else BAD
    except ValueError:
        return BAD


# How much one data.json may describe (docs/formats.md "Bounds"): a branch has a few hundred
# members and a dozen or two activities a year; the limits keep every check linear and small.
MAX_MEMBERS = 5000
MAX_ATTENDEES = 2000
MAX_ACTIVITIES = 366

_STATUSES = frozenset(vocab.ATTENDANCE_STATUSES)  # what status_problem accepts
_ACTIVITY_TEXTS = ("theme", "place", "place_type", "partner_org", "held_reason", "content")
_OPTIONAL_TEXTS = ("plan_reason", "planned_content")


def check_data_consistency(doc: dict[str, Any], made_on: dt.date | None = None) -> list[str]:
    """Why data.json is not a year of the ledger the branch's program would have kept ([] when
    it is). Every value of the type the program writes; each record passes the ledger's own
    checks (`app.services.record_rules`, the functions `save_record` and `save_attendance`
    call) with `made_on` — the day the bundle was made — as "today"; attendance refers to listed
    members with the status words of rule 4, one row per member; the stored counts
    (应参加/实际参加) match the statuses and the roll."""
    return check_data(doc, made_on)[0]


def check_data(
    doc: dict[str, Any], made_on: dt.date | None = None
) -> tuple[list[str], YearData | None]:
    """`check_data_consistency`'s reasons, and the year as `YearData.from_json` loaded it for
    the last check (None when it did not load): the township sums that same object instead of
    loading the document a second time."""
    problems = _top_level(doc)
    if problems:
        return problems, None
    year = doc["year"]
    made_on = made_on or dt.date.today()
    why = branch_name_problem(doc["branch"].get("name"), stored=True)
    if why:
        problems.append(why.message)
    member_ids = _check_members(doc["members"], problems)
    attendee_ids = _check_attendees(doc["attendees"], problems)
    for n, act in enumerate(doc["activities"], start=1):
        _check_activity(n, act, (year, made_on), member_ids, attendee_ids, problems)
    if TALKS in doc:  # optional: older exports do not carry the talk records
        from app.services.evaluation import talk_problems

        problems += talk_problems(doc[TALKS], member_ids)
    return problems, _check_loads_as_ledger(doc, problems)


def _top_level(doc: dict[str, Any]) -> list[str]:
    if type(doc.get("year")) is not int:
        return ["缺少年度（year）"]
    problems: list[str] = []
    branch = doc.get("branch")
    if not isinstance(branch, dict) or not isinstance(branch.get("name"), str):
        problems.append("缺少党组织信息（branch.name）")
    limits = {"members": MAX_MEMBERS, "attendees": MAX_ATTENDEES, "activities": MAX_ACTIVITIES}
    for key, most in limits.items():
        if not isinstance(doc.get(key), list):
            problems.append(f"缺少“{key}”列表")
        elif len(doc[key]) > most:
            problems.append(f"“{key}”列表有 {len(doc[key])} 项，超过上限 {most} 项")
    return problems


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


# The roster's texts a bundle carries, with the limits the member dialog and import apply.
_MEMBER_TEXTS = {
    "name": ("姓名", NAME_MAX),
    "mobile_location": ("流入地", PLACE_MAX),
    "inflow_org": ("流入地党组织", PLACE_MAX),
}


def _check_members(members: list, problems: list[str]) -> set[int]:
    ids: set[int] = set()
    member_texts = {
        k: (label, text_limit(most, stored=True)) for k, (label, most) in _MEMBER_TEXTS.items()
    }
    for i, m in enumerate(members, start=1):
        if not isinstance(m, dict) or type(m.get("member_id")) is not int:
            problems.append(f"第 {i} 名党员缺少编号（member_id）")
            continue
        mid = m["member_id"]
        if mid in ids:
            problems.append(f"党员编号 {mid} 重复")
        ids.add(mid)
        name = m.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"党员编号 {mid} 缺少姓名")
        for key, (label, limit) in member_texts.items():
            value = m.get(key)
            why = text_problem(value, label, limit) if isinstance(value, str) else None
            if why or not _text_or_none(value):
                problems.append(f"党员编号 {mid}：{why or f'{label}不是文字'}")
        if m.get("category") not in vocab.MEMBER_CATEGORIES:
            problems.append(f"党员编号 {mid} 的类别“{m.get('category')}”不是正式/预备党员")
        if m.get("gender") not in (None, *vocab.GENDERS):
            problems.append(f"党员编号 {mid} 的性别“{m.get('gender')}”不是“男”或“女”")
        for key in ("is_mobile", "is_frail", "is_leader"):
            if type(m.get(key, False)) is not bool:
                problems.append(f"党员编号 {mid} 的“{key}”不是是/否")
        for key in ("birth_date", "joined_party_date", "roll_start", "left_date"):
            if date_or_bad(m.get(key)) == BAD:
                problems.append(f"党员编号 {mid} 的日期“{key}”格式不对")
    return ids


def _check_attendees(attendees: list, problems: list[str]) -> set[int]:
    ids: set[int] = set()
    for i, a in enumerate(attendees, start=1):
        if not isinstance(a, dict) or type(a.get("attendee_id")) is not int:
            problems.append(f"第 {i} 名列席人员缺少编号（attendee_id）")
            continue
        aid = a["attendee_id"]
        if aid in ids:
            problems.append(f"列席人员编号 {aid} 重复")
        ids.add(aid)
        name = a.get("name")
        limit = text_limit(PERSON_MAX, stored=True)
        why = text_problem(name, "列席人员姓名", limit) if isinstance(name, str) else None
        if why or not isinstance(name, str) or not name.strip():
            problems.append(f"列席人员编号 {aid}：{why or '缺少姓名'}")
        if a.get("kind") not in vocab.ATTENDEE_KINDS:
            problems.append(f"列席人员编号 {aid} 的身份“{a.get('kind')}”不对")
    return ids


def _time_or_bad(value: Any) -> dt.time | None | str:
    """A time from "HH:MM" text (as data.json writes it), None for null, or `BAD`."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 5:
        return BAD
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return BAD


def _record_values(act: dict, year: int, label: str, problems: list[str]) -> RecordValues | None:
    """The activity's record as the plain values `record_rules` checks, or None after naming
    every value that is not of the type the program writes."""
    wrong = [k for k in _ACTIVITY_TEXTS if not _text_or_none(act.get(k))]
    wrong += [k for k in _OPTIONAL_TEXTS if not _text_or_none(act.get(k))]
    held, submitted = date_or_bad(act.get("held_date")), date_or_bad(act.get("submitted_date"))
    wrong += [k for k, v in (("held_date", held), ("submitted_date", submitted)) if v == BAD]
    start, end = _time_or_bad(act.get("start_time")), _time_or_bad(act.get("end_time"))
    wrong += [k for k, v in (("start_time", start), ("end_time", end)) if v == BAD]
    cost = act.get("cost")
    if not _text_or_none(cost):  # the program writes "120.50" or null; never a number
        wrong.append("cost")
    cats = act.get("categories")
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        wrong.append("categories")
    for key in ("activity_id", "expected", "took_part"):
        if key in act and type(act[key]) is not int:
            wrong.append(key)
    if type(act.get("holidays_unverified", False)) is not bool:
        wrong.append("holidays_unverified")
    if wrong:
        problems += [f"{label}的“{k}”格式不对" for k in wrong]
        return None
    return RecordValues(
        plan_year=year,
        held_date=held,  # type: ignore[arg-type]  (BAD ruled out above)
        submitted_date=submitted,  # type: ignore[arg-type]
        start_time=start,  # type: ignore[arg-type]
        end_time=end,  # type: ignore[arg-type]
        mode=act.get("mode"),
        categories=tuple(cats),
        cost=cost or "",
        texts={k: act.get(k) or "" for k in _ACTIVITY_TEXTS},
        stored=True,
    )


def _check_activity(
    n: int,
    act: Any,
    year_and_made_on: tuple[int, dt.date],
    member_ids: set[int],
    attendee_ids: set[int],
    problems: list[str],
) -> None:
    year, made_on = year_and_made_on
    label = f"第 {n} 次活动"
    if not isinstance(act, dict):
        problems.append(f"{label}格式不对")
        return
    plan_date = date_or_bad(act.get("plan_date"))
    if not isinstance(plan_date, dt.date):
        problems.append(f"{label}缺少计划日期或日期格式不对")
        return
    label = f"第 {n} 次活动（{plan_date.isoformat()}）"
    if plan_date.year != year:
        problems.append(f"{label}的计划日期不在 {year} 年")
    rec = _record_values(act, plan_date.year, label, problems)
    if rec is None:
        return
    # The ledger's own checks, with the day the bundle was made as "today".
    plan_texts = {k: act.get(k) or "" for k in _OPTIONAL_TEXTS}
    found = record_problems(rec, made_on)
    found += record_text_problems(plan_texts, stored=True, table=PLAN_TEXTS)
    for p in found:
        problems.append(f"{label}：{p.message.replace('今天', '报送包生成之日')}")
    rows = act.get("attendance")
    if not isinstance(rows, list):
        problems.append(f"{label}缺少考勤列表（attendance）")
        return
    if rows and rec.held_date is None:
        problems.append(f"{label}尚未开展却有考勤记录")
    took = _check_attendance(label, rows, member_ids, problems)
    came = act.get("attendee_ids", [])
    if not isinstance(came, list) or not all(type(a) is int for a in came):
        problems.append(f"{label}的列席人员编号（attendee_ids）格式不对")
        return
    for aid in came:
        if aid not in attendee_ids:
            problems.append(f"{label}引用了不存在的列席人员（attendee_id={aid}）")
    for aid in repeated(came):
        problems.append(f"{label}中列席人员 attendee_id={aid} 重复")
    if "took_part" in act and act["took_part"] != took:
        problems.append(f"{label}的实际参加党员数 {act['took_part']} 与考勤状态统计的 {took} 不符")


def _check_attendance(label: str, rows: list, member_ids: set[int], problems: list[str]) -> int:
    """Problems of one activity's attendance rows (the ledger's `record_rules` for each status
    and reason); returns how many took part."""
    from app.services.attendance import counts_as_taking_part

    fine = _plain_statuses(rows, member_ids)
    if fine is None:
        fine = _statuses_one_by_one(label, rows, member_ids, problems)
    return sum(n for status, n in fine.items() if counts_as_taking_part(status))


def _plain_statuses(rows: list, member_ids: set[int]) -> Counter[str] | None:
    """The statuses of `rows` counted, when the rows as a whole show that none has a problem:
    each a member's only row, the member listed, a status word, and no reason or a sound one
    (each different reason checked once). None when any row needs a closer look."""
    try:
        mids = [r["member_id"] for r in rows]
        statuses = [r["status"] for r in rows]
        reasons = {r.get("reason", "") for r in rows}
        if set(map(type, mids)) - {int} or len(set(mids)) != len(mids):
            return None
        if not member_ids.issuperset(mids) or not _STATUSES.issuperset(statuses):
            return None
    except (TypeError, KeyError):  # a row, id or status of the wrong kind, or one left out
        return None
    reasons.discard("")
    for reason in reasons:
        if not _text_or_none(reason) or reason_problem(reason, stored=True):
            return None
    return Counter(statuses)


def _statuses_one_by_one(
    label: str, rows: list, member_ids: set[int], problems: list[str]
) -> Counter[str]:
    """Every problem of the rows, named row by row; the statuses of the rows without one."""
    seen: set[int] = set()
    fine: Counter[str] = Counter()
    for r in rows:
        mid = r.get("member_id") if isinstance(r, dict) else None
        if type(mid) is not int:
            problems.append(f"{label}有一条考勤缺少党员编号")
            continue
        if mid not in member_ids:
            problems.append(f"{label}的考勤引用了不存在的党员（member_id={mid}）")
        if mid in seen:
            problems.append(f"{label}中党员 member_id={mid} 的考勤重复")
        seen.add(mid)
        status, reason = r.get("status"), r.get("reason", "")
        why = None if type(status) is str and status in _STATUSES else status_problem(status)
        if reason is not None and not isinstance(reason, str):
            problems.append(f"{label}中党员 member_id={mid} 的考勤说明不是文字")
        elif reason:
            why = why or reason_problem(reason, stored=True)
        if why:
            problems.append(f"{label}中党员 member_id={mid}：{why.message}")
        else:
            fine[status] += 1
    return fine


def _check_loads_as_ledger(doc: dict[str, Any], problems: list[str]) -> YearData | None:
    """The whole document must load exactly as the branch's own program loads it, and each
    activity's 应参加 must be the members on the roll that day. Returns what it loaded."""
    from app.services.ledger import YearData

    try:
        data = YearData.from_json(doc)
    except Exception as err:
        if not problems:  # otherwise the reasons already found say what is wrong
            problems.append(f"无法按台账格式读取（{type(err).__name__}：{err}）"[:200])
        return None
    for n, (act, row) in enumerate(zip(doc["activities"], data.activities, strict=True), start=1):
        expected = len(data.expected_members(row))
        if "expected" in act and act["expected"] != expected:
            problems.append(
                f"第 {n} 次活动（{row.plan_date.isoformat()}）的应参加党员数 {act['expected']}"
                f" 与当日在册党员 {expected} 人不符"
            )
    return data


def check_data_against_bundle(
    doc: dict[str, Any],
    manifest: dict[str, Any],
    listed: dict[str, Any],
    reported: Callable[[str], bool],
) -> list[tuple[str, str]]:
    """data.json, the manifest and the files must describe the same branch, year and records.
    Returns (file, reason) pairs; a missing file already `reported` is not named twice."""
    out: list[tuple[str, str]] = []
    if doc.get("year") != manifest.get("year"):
        out.append((DATA, f"年度 {doc.get('year')} 与清单中的年度 {manifest.get('year')} 不符"))
    d_branch = doc.get("branch") if isinstance(doc.get("branch"), dict) else {}
    if d_branch.get("name") != manifest["branch"].get("name"):
        out.append((DATA, "党组织名称与清单不符"))
    for required in (PLAN_PDF, STATISTICS_XLSX):
        if required not in listed and not reported(required):
            out.append((required, "缺少该文件（报送包必须包含）"))
    activities = doc.get("activities") if isinstance(doc.get("activities"), list) else []
    for n, act in enumerate(activities, start=1):
        held = date_or_bad(act.get("held_date")) if isinstance(act, dict) else None
        if isinstance(held, dt.date):
            name = record_entry_name(n, held)
            if name not in listed and not reported(name):
                out.append((name, f"缺少第 {n} 次活动的记录表"))
    return out
