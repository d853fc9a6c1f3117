"""The township sums up its branches' bundles (docs/formats.md "Export bundle"; the CLI's
`aggregate`): verify each, set aside duplicates and other years, and sum the rest a row per
branch; the workbook itself is written by `app.reports.township_xlsx`.

Every figure comes from `compute_statistics(YearData.from_json(data.json))`, the very function the
branch used on its own PC, so the township's numbers cannot drift from the branch's. Bundles are
handled one at a time and only their summary row is kept, so memory stays flat however many
bundles come in.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import glob
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.bundle.names import TALKS, guess_from_name
from app.errors import UserError
from app.services.evaluation import talks_from_json
from app.services.ledger import YearData
from app.services.statistics import compute_statistics
from app.township.register import (
    MISMATCH,
    UNSIGNED,
    RegisterRow,
    RegisterView,
    SignerCheck,
    not_submitted,
)
from app.township.verify import VerifyReport, failure_advice, verify_bundle

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReminderRow:
    """A member at 3+ times not taking part, as the township's 谈话提醒名单 lists them."""

    name: str
    category: str
    not_taking_part: int
    unqualified_basis: bool
    talk: str | None  # the latest talk in words, "" when none is recorded, None: not attached
    late: bool = False  # still 待整改 after the deadline


@dataclass(frozen=True)
class BranchSummary:
    """One branch's row of the township workbook."""

    bundle: str  # file name of the bundle
    branch: str
    superior_org: str
    year: int
    created_at: str
    planned: int
    held: int
    months_without_activity: tuple[int, ...]
    attendance_rate: float | None  # fraction 0–1, as compute_statistics gives it
    overdue_records: int
    talk_reminder: int  # members who did not take part 3+ times
    talked: int | None  # of those, members with a 谈话提醒 recorded; None: bundle has no talks
    unqualified_basis: int  # 6+ times
    members: int
    reminders: tuple[ReminderRow, ...] = ()  # the members behind talk_reminder (a few a branch)
    signature: str = ""  # the 签名 column: 已签名/已登记/未登记 with the fingerprint, or 未签名
    public_key: str | None = None  # who signed it: branches are told apart by key, not name
    signer_check: SignerCheck | None = None  # the register's word (None: no register used)
    same_name: bool = False  # another summed branch has the same name (同名)
    path: Path | None = None  # the bundle itself (its 回执 names it: app/township/receipts.py)


@dataclass
class RejectedBundle:
    """A bundle left out of the sums: failed verification, or set aside (an older duplicate of
    the same branch and year, or a bundle of another year than the one summed)."""

    path: Path
    problems: list[tuple[str, str]]
    duplicate: bool = False
    same_export: bool = False  # a duplicate that is a copy of the very bundle summed
    other_year: bool = False
    branch: str = ""  # from the manifest, else guessed from the file name ("" if unknown)
    year: int | None = None

    @property
    def set_aside(self) -> bool:
        """Intact but not summed: nothing for the branch to redo."""
        return self.duplicate or self.other_year

    @property
    def shown_name(self) -> str:
        """The file's name; with its folder for a duplicate, whose twin has the same name."""
        return str(self.path) if self.duplicate else self.path.name

    @property
    def state(self) -> str:
        if any(r.startswith(MISMATCH) for _, r in self.problems):
            return MISMATCH
        if self.duplicate:
            return "未采用（重复）"
        if self.other_year:
            return "未采用（其他年度）"
        return "未通过校验"

    @property
    def advice(self) -> str:
        """What the township clerk does about it, in plain words."""
        if self.same_export:
            return "无需处理：两份是同一个报送包，已采用另一份"
        if self.duplicate:
            return "无需处理：已采用同一支部较新的报送包"
        if self.other_year:
            return (
                f"无需处理；如需汇总{self.year}年度，请在“汇总年度”中选{self.year}年"
                f"（命令行加 --year {self.year}）"
            )
        return failure_advice(self.path, self.problems, bool(self.branch))


@dataclass
class AggregateResult:
    out_path: Path
    rows: list[BranchSummary] = field(default_factory=list)
    rejected: list[RejectedBundle] = field(default_factory=list)
    year: int | None = None  # the year summed
    # Registered branches with no bundle of the year summed; None: summed without a register.
    not_submitted: list[RegisterRow] | None = None
    township_mark: str = ""  # the township's name and key fingerprint, printed on the workbook

    @property
    def ok(self) -> bool:
        """Every bundle verified (a bundle set aside as a duplicate or of another year is not
        a failure)."""
        return all(r.set_aside for r in self.rejected)

    @property
    def failed(self) -> list[RejectedBundle]:
        return [r for r in self.rejected if not r.set_aside]

    def summary(self) -> str:
        year = f"{self.year}年度" if self.year else ""
        lines = [
            f"已汇总 {len(self.rows)} 个党支部{year}的报送包，"
            f"{len(self.failed)} 个未通过校验，"
            f"{len(self.rejected) - len(self.failed)} 个未采用；汇总表：{self.out_path}"
        ]
        if self.not_submitted:
            names = "、".join(r.name for r in self.not_submitted)
            lines.append(f"名单中未报送的党组织 {len(self.not_submitted)} 个：{names}")
        for bad in self.rejected:
            who = f"（{bad.branch}）" if bad.branch and bad.branch not in bad.path.name else ""
            lines.append(f"{bad.state}：{bad.shown_name}{who}")
            lines += [f"  {f}：{r}" for f, r in bad.problems]
            lines.append(f"  → {bad.advice}")
        return "\n".join(lines)


def _who(report: VerifyReport) -> tuple[str, int | None]:
    manifest = report.manifest or {}
    branch = manifest.get("branch") if isinstance(manifest.get("branch"), dict) else {}
    name, year = branch.get("name"), manifest.get("year")
    if isinstance(name, str) and name and type(year) is int:
        return name, year
    return guess_from_name(report.path)


def _is_bundle_candidate(p: Path) -> bool:
    # "._x.zip" is the shadow file a Mac leaves on a USB stick, "~$" a lock file: not bundles.
    return p.suffix.lower() == ".zip" and not p.name.startswith(("._", "~$")) and p.is_file()


def _zips_in(folder: Path) -> list[Path]:
    """The .zip files in a folder and in its direct subfolders (one per branch, or one per USB
    stick copied in), each folder's sorted by name."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = [p for p in entries if _is_bundle_candidate(p)]
    for sub in entries:
        if sub.is_dir() and not sub.name.startswith("."):
            try:
                found += sorted(p for p in sub.iterdir() if _is_bundle_candidate(p))
            except OSError:
                continue
    return found


def expand_bundle_paths(items: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, folders as the .zip files in them and in their direct subfolders, and
    wildcard patterns expanded here (the Windows console does not expand `*.zip` itself)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += _zips_in(p)
        elif not p.exists() and any(c in str(item) for c in "*?["):
            out += sorted(Path(x) for x in glob.glob(str(item)))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def summarise_bundle(report: VerifyReport, today: dt.date | None = None) -> BranchSummary:
    """A verified bundle's row: the branch's own `compute_statistics` over its data.json."""
    assert report.ok and report.data is not None
    # The year as verification loaded it from this very data.json (`check_data`).
    data = report.year_data if report.year_data is not None else YearData.from_json(report.data)
    stats = compute_statistics(data, today=today)
    b = stats.branch
    talked = None
    talks = None
    if TALKS in report.data:  # bundles exported before the talks were added have none
        talks = talks_from_json(report.data[TALKS], data.year)
        talked = sum(1 for m in stats.talk_reminder if talks.get(m.member_id))
    today = stats.today
    reminders = []
    for m in stats.talk_reminder:
        held = (talks or {}).get(m.member_id) or []
        last = held[-1] if held else None
        talk = None if talks is None else ""
        if last is not None:
            talk = f"{last.talk_date.isoformat()} 谈话；{last.state_text(today)}"
        reminders.append(
            ReminderRow(
                m.name,
                m.category,
                m.not_taking_part,
                m.unqualified_basis,
                talk,
                late=last is not None and last.is_past_deadline(today),
            )
        )
    return BranchSummary(
        bundle=report.path.name,
        branch=data.branch.name,
        superior_org=data.branch.superior_org,
        year=data.year,
        created_at=str((report.manifest or {}).get("created_at", "")),
        planned=b.planned,
        held=b.held,
        months_without_activity=tuple(b.months_without_activity),
        attendance_rate=b.attendance_rate,
        overdue_records=b.overdue_records,
        talk_reminder=len(stats.talk_reminder),
        talked=talked,
        unqualified_basis=len(stats.unqualified_basis),
        members=len(data.members),
        reminders=tuple(reminders),
        signature=report.signature_text(),
        public_key=report.public_key,
        signer_check=report.signer_check,
        path=report.path,
    )


def aggregate_bundles(
    paths: Iterable[str | os.PathLike],
    out_xlsx: Path,
    progress: Progress | None = None,
    today: dt.date | None = None,
    year: int | None = None,
    register: bool = False,
    *,
    township_mark: str = "",
) -> AggregateResult:
    """Verify every bundle, sum up the good ones a row per branch, list the bad ones with their
    reasons, and write one workbook (`app.reports.township_xlsx`). Bad bundles never stop the
    rest.

    One workbook sums one year: `year`, or else the year most of the intact bundles are of (the
    latest on a tie); an intact bundle of another year is set aside and listed, never added to
    the totals. When the same branch sent two bundles for the same year, the newer one
    (manifest `created_at`) is used and the older one is listed as set aside. Branches are
    told apart by their signing key: two branches of one name are two rows, flagged 同名.
    `register`: check every signer against the township's register in the open database
    (docs/signing.md): 签名不符 is rejected, 未登记 is summed and marked, and the registered
    branches without a bundle of the year are listed (`not_submitted`).
    `township_mark` (`Township.mark()`) is printed in the first sheet's footer.
    """
    from app.reports.township_xlsx import write_township_xlsx

    report_progress = progress or (lambda done, total, text="": None)
    bundles = expand_bundle_paths(paths)
    if not bundles:
        raise UserError("没有找到要汇总的报送包（.zip 文件）。", "no bundles given")
    out_xlsx = _check_output(Path(out_xlsx))

    result = AggregateResult(out_xlsx, township_mark=township_mark)
    chosen: dict[tuple[str, int], tuple[BranchSummary, Path]] = {}
    total = len(bundles) + 1
    view = RegisterView.load() if register else False  # read once, asked of every bundle
    for i, path in enumerate(bundles):
        report_progress(i, total, f"正在校验 {path.name}（{i + 1}/{len(bundles)}）…")
        row = _summed_or_rejected(path, today, result, view)
        if row is not None:
            _keep_newer(chosen, row, path, result)

    result.year = year if year is not None else _main_year(r.year for r, _ in chosen.values())
    result.rows = _flag_same_names(sorted(_of_the_year(chosen, result), key=lambda r: r.branch))
    if register:
        result.not_submitted = not_submitted(
            [(r.branch, r.signer_check) for r in result.rows if r.signer_check]
        )
    # Failures first (they need a phone call), then what was set aside; by file name within.
    result.rejected.sort(key=lambda r: (r.set_aside, r.path.name))
    report_progress(len(bundles), total, "正在写入汇总表…")
    write_township_xlsx(result, out_xlsx)
    report_progress(total, total, "完成")
    return result


def _check_output(out_xlsx: Path) -> Path:
    if not out_xlsx.parent.is_dir():
        raise UserError(
            f"找不到保存汇总表的文件夹“{out_xlsx.parent}”。", f"no folder {out_xlsx.parent}"
        )
    if out_xlsx.suffix.lower() != ".xlsx":
        raise UserError("汇总表请保存为 .xlsx 文件。", "output must be .xlsx")
    return out_xlsx


def _summed_or_rejected(
    path: Path, today: dt.date | None, result: AggregateResult, register: bool | RegisterView
) -> BranchSummary | None:
    """The bundle's row, or None after listing it in `result.rejected`."""
    report = verify_bundle(path, keep_data=True, register=register)
    if not report.ok:
        branch, bundle_year = _who(report)
        result.rejected.append(
            RejectedBundle(path, report.problems, branch=branch, year=bundle_year)
        )
        return None
    try:
        return summarise_bundle(report, today)
    except Exception as err:  # verified data that still cannot be summed: list it, go on
        reason = f"无法统计（{type(err).__name__}）"
        branch, bundle_year = _who(report)
        result.rejected.append(
            RejectedBundle(path, [("data.json", reason)], branch=branch, year=bundle_year)
        )
        return None
    finally:
        report.data = report.year_data = None  # keep memory flat: only the row survives


def _keep_newer(
    chosen: dict[tuple[str, int], tuple[BranchSummary, Path]],
    row: BranchSummary,
    path: Path,
    result: AggregateResult,
) -> None:
    """One bundle per branch and year: the newer (manifest `created_at`) stays in `chosen`,
    the older is listed as set aside. A branch is its signing key; an unsigned bundle (format
    1, made before the update) is matched by name."""
    key = _branch_key(chosen, row)
    if key not in chosen:
        chosen[key] = (row, path)
        return
    older = chosen.pop(key)
    keep, drop = (
        ((row, path), older) if row.created_at >= older[0].created_at else (older, (row, path))
    )
    chosen[_own_key(keep[0])] = keep
    # Named with their folders: two copies of one file on two USB sticks share the file name.
    same = _same_file(keep[1], drop[1])
    if same:
        reason = f"与 {keep[1]} 是同一次导出的报送包（重复的副本），已采用那一份"
    else:
        reason = f"同一党组织同一年度的报送包重复，已采用较新的 {keep[1]}"
    result.rejected.append(
        RejectedBundle(
            drop[1],
            [(drop[0].bundle, reason)],
            duplicate=True,
            same_export=same,
            branch=row.branch,
            year=row.year,
        )
    )


def _same_file(a: Path, b: Path) -> bool:
    """Two copies of one bundle (the same file on two USB sticks), byte for byte."""
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def _own_key(row: BranchSummary) -> tuple[str, int]:
    return (row.public_key or f"{UNSIGNED}:{row.branch}", row.year)


def _branch_key(
    chosen: dict[tuple[str, int], tuple[BranchSummary, Path]], row: BranchSummary
) -> tuple[str, int]:
    """Which entry of `chosen` a row is another bundle of: the same key; for an unsigned row,
    the one row of its name and year (its branch's bundle before or after the update)."""
    if row.public_key is not None:
        unsigned = (f"{UNSIGNED}:{row.branch}", row.year)
        return unsigned if unsigned in chosen else _own_key(row)
    same = [k for k, (r, _) in chosen.items() if (r.branch, r.year) == (row.branch, row.year)]
    return same[0] if len(same) == 1 else _own_key(row)


def _flag_same_names(rows: list[BranchSummary]) -> list[BranchSummary]:
    """Rows whose branch name another row shares (a different key): flagged 同名."""
    counts = Counter(r.branch for r in rows)
    return [replace(r, same_name=True) if counts[r.branch] > 1 else r for r in rows]


def _of_the_year(
    chosen: dict[tuple[str, int], tuple[BranchSummary, Path]], result: AggregateResult
) -> list[BranchSummary]:
    """The rows of `result.year`; a bundle of another year is listed as set aside."""
    rows = []
    for row, path in chosen.values():
        if result.year is None or row.year == result.year:
            rows.append(row)
            continue
        reason = f"是{row.year}年度的报送包，本次汇总的是{result.year}年度"
        result.rejected.append(
            RejectedBundle(
                path, [(row.bundle, reason)], other_year=True, branch=row.branch, year=row.year
            )
        )
    return rows


def _main_year(years: Iterable[int]) -> int | None:
    """The year most bundles are of; the latest of those on a tie; None when there are none."""
    counts = Counter(years)
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))
