"""Properties of the two ways a roster comes in (issue 14): a generated roster .xlsx or .csv —
valid, or made hostile — and arbitrary bytes give either exactly the members written (a correct
result) or a UserError in Chinese, never another exception, never a partial write.

Derandomized with bounded examples, as tests/test_fuzz.py, so CI sees the same cases each run;
DANGRI_FUZZ_EXPLORE=1 draws fresh ones, ten times as many.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from app.errors import UserError
from app.models import DB, Member, vocab
from app.services.roster_import import import_file
from app.services.text_rules import text_problem

TODAY = dt.date(2026, 11, 25)
EXPLORE = bool(os.environ.get("DANGRI_FUZZ_EXPLORE"))  # fresh, ten times as many examples
PROPERTY = settings(
    deadline=None,
    derandomize=not EXPLORE,
    max_examples=400 if EXPLORE else 40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾单覃尉迟"
GIVEN = "建国华明秀英芳军伟强敏静丽涛超霞平刚桂兰志红春梅德新"
HEADER = ["序号", "姓名", "性别", "出生日期", "入党时间", "人员类别", "公民身份号码", "联系电话"]


@dataclass
class Person:
    name: str
    gender: str  # '' when not written
    born: dt.date
    birth_text: object  # as written in the file
    birth_precision: str
    joined: dt.date
    category: str
    id_number: str
    phone: str

    def cells(self, number: int) -> list[object]:
        return [
            number,
            self.name,
            self.gender,
            self.birth_text,
            self.joined.isoformat(),
            self.category,
            self.id_number,
            self.phone,
        ]

    def expected(self) -> tuple:
        """What the ledger must hold: a valid ID gives the exact birth day and the gender."""
        if self.id_number:
            return (self.name, "男" if int(self.id_number[16]) % 2 else "女", self.born, "day")
        precise = self.born.replace(day=1) if self.birth_precision == "month" else self.born
        return (self.name, self.gender or None, precise, self.birth_precision)


def _id_number(born: dt.date, male: bool, seq: int) -> str:
    first = f"340802{born:%Y%m%d}{seq:02d}{(1 if male else 2) + 2 * (seq % 4)}"
    return first + ric.calc_check_digit(first + "0")


@st.composite
def person(draw, name: str) -> Person:
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2004, 12, 31)))
    joined = born + dt.timedelta(days=draw(st.integers(18 * 366, 20 * 365)))
    male = draw(st.booleans())
    with_id = draw(st.booleans())
    id_number = _id_number(born, male, draw(st.integers(0, 99))) if with_id else ""
    gender = draw(st.sampled_from(["", "男" if male else "女"])) if with_id else ""
    if not with_id:
        gender = draw(st.sampled_from(["", "男", "女"]))
    style = draw(st.sampled_from(["iso", "slash", "month", "chinese"]))
    text = {
        "iso": born.isoformat(),
        "slash": f"{born.year}/{born.month}/{born.day}",
        "month": f"{born.year}.{born.month:02d}",
        "chinese": f"{born.year}年{born.month}月{born.day}日",
    }[style]
    category = draw(st.sampled_from([vocab.FULL_MEMBER, vocab.PROBATIONARY_MEMBER]))
    phone = draw(st.sampled_from(["", "13800000000", "0566-2021234"]))
    precision = "month" if style == "month" else "day"
    return Person(name, gender, born, text, precision, joined, category, id_number, phone)


@st.composite
def rosters(draw) -> list[Person]:
    names = draw(
        st.lists(
            st.tuples(st.sampled_from(SURNAMES), st.text(GIVEN, min_size=1, max_size=2)).map(
                "".join
            ),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    people = [draw(person(n)) for n in names]
    ids = [p.id_number for p in people if p.id_number]
    if len(ids) != len(set(ids)):  # two people drew the same number: keep the first
        seen: set[str] = set()
        for p in people:
            if p.id_number in seen:
                p.id_number, p.gender = "", ""
            seen.add(p.id_number)
    return people


HOSTILE = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\u202e",
        "\u2066",
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-1",
        "@SUM(A1)",
        "阿" * 30,
        "\ud800",
        "",
    ]
)


def ledger_state() -> str:
    rows = DB.execute_sql("SELECT * FROM member ORDER BY id").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def stored() -> list[tuple]:
    return [
        (m.name, m.gender, m.birth_date, m.birth_precision)
        for m in Member.select().order_by(Member.id)
    ]


def check_import(path: Path, people: list[Person] | None) -> None:
    """Either every row as written (when `people` says what a correct import holds), or a
    Chinese refusal that leaves the ledger as it was."""
    before = ledger_state()
    try:
        result = import_file(path, today=TODAY)
    except UserError as err:
        assert people is None, f"a valid roster was refused: {err.message}"
        assert CHINESE.search(err.message), err.message
        assert len(err.message.splitlines()) <= 23, "more than a screenful of problems"
        assert ledger_state() == before, "a refused import changed the ledger"
        return
    for m in Member.select():
        for text in (m.name, m.phone, m.note, m.mobile_location, m.inflow_org):
            assert text_problem(text, "x", 200) is None, repr(text)
    if people is not None:
        assert result.added == len(people)
        assert stored() == [p.expected() for p in people]


def write_xlsx(path: Path, rows: list[list[object]], hidden_first: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first:
        decoy = sheet
        decoy.title = "旧表"
        decoy.append(["姓名"])
        decoy.append(["不该导入"])
        decoy.sheet_state = "hidden"
        sheet = book.create_sheet("花名册")
        book.active = 1
    for row in rows:  # a worksheet cannot hold control characters or lone surrogates at all
        sheet.append([_storable(v) for v in row])
    book.save(path)
    return path


def _storable(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
    return value.encode("utf-8", errors="replace").decode("utf-8")


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding, errors="surrogatepass"))
    return path


def _fresh() -> None:
    Member.delete().execute()


@PROPERTY
@given(people=rosters(), hidden_first=st.booleans(), title=st.booleans())
def test_a_valid_generated_xlsx_roster_imports_exactly_as_written(
    data_dir, tmp_path, people, hidden_first, title
):
    _fresh()
    rows = ([["青山村党支部党员花名册"]] if title else []) + [HEADER]
    rows += [p.cells(i) for i, p in enumerate(people, start=1)]
    check_import(write_xlsx(tmp_path / "花名册.xlsx", rows, hidden_first), people)


@PROPERTY
@given(people=rosters(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
def test_a_valid_generated_csv_roster_imports_exactly_as_written(
    data_dir, tmp_path, people, encoding
):
    _fresh()
    rows = [HEADER] + [p.cells(i) for i, p in enumerate(people, start=1)]
    check_import(write_csv(tmp_path / "花名册.csv", rows, encoding), people)


@st.composite
def spoiled(draw) -> tuple[list[list[object]], list[Person]]:
    """A valid roster with hostile things put into some of its cells."""
    people = draw(rosters())
    rows = [HEADER] + [p.cells(i) for i, p in enumerate(people, start=1)]
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(1, len(HEADER) - 1))
        rows[r][c] = draw(
            st.one_of(
                HOSTILE.map(lambda h, old=rows[r][c]: f"{old}{h}"),
                st.integers(10**16, 10**18),  # an ID stored as a number
                st.floats(allow_nan=True, allow_infinity=True),
                st.text(max_size=8),
            )
        )
    return rows, people


@PROPERTY
@given(case=spoiled())
def test_a_spoiled_xlsx_roster_imports_whole_or_is_refused_in_chinese(data_dir, tmp_path, case):
    _fresh()
    rows, _people = case
    check_import(write_xlsx(tmp_path / "花名册.xlsx", rows), None)


@PROPERTY
@given(case=spoiled(), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_a_spoiled_csv_roster_imports_whole_or_is_refused_in_chinese(
    data_dir, tmp_path, case, encoding
):
    _fresh()
    rows, _people = case
    rows = [["" if v is None else v for v in row] for row in rows]
    path = tmp_path / "花名册.csv"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    check_import(path, None)


@PROPERTY
@given(raw=st.binary(max_size=4000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".et"]))
def test_any_bytes_as_a_roster_are_refused_in_chinese_or_imported_whole(
    data_dir, tmp_path, raw, suffix
):
    _fresh()
    Member.create(name="已在册")  # a refusal must leave this ledger exactly as it is
    path = tmp_path / f"花名册{suffix}"
    path.write_bytes(raw)
    check_import(path, None)
