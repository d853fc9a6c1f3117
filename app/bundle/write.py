"""The branch exports its year as a bundle (docs/formats.md "Export bundle"; seed 四.1, 四.2).

`export_bundle()` checks what it can before writing (a plan exists, the destination is there,
every attachment is intact, sizes within what the township accepts, room on the stick), renders
data.json, the PDFs and the statistics workbook into a work folder inside the data dir, streams
them into one zip through `app.files.replacing()` (temp name beside the target, fsync, rename),
then reads the bundle back with `app.bundle.read.check_bundle` before saying it is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app import __version__, files
from app.bundle.names import (
    ATTACHMENTS_DIR,
    DATA,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PLAN_PDF,
    RECORDS_DIR,
    SIGNATURE,
    STATISTICS_XLSX,
    TALKS,
    ZIP_UTF8_FLAG,
    bundle_filename,
    record_entry_name,
)
from app.bundle.privacy import scrubbed_copy, township_data
from app.bundle.read import check_bundle
from app.bundle.signature import sign_manifest
from app.bundle.zipsafety import CHUNK, DEFAULT_LIMITS, mb
from app.errors import UserError
from app.models import DB, Attachment
from app.paths import attachments_dir, temp_dir
from app.services.text_rules import printable
from app.signing import Signer, ensure_key

_MULTILINE_KEYS = {"content", "planned_content", "note"}
_LINE_BREAKS = re.compile(r"[\t\r\n]+")

# Already compressed: deflating them again costs time on a slow PC and saves next to nothing
# (our PDFs' streams are compressed: deflating them again saved 6 %, and inflating them was half
# of the township's verifying). Stored, they are read and hashed as they lie in the zip.
_STORED_SUFFIXES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".xlsx",
    ".zip",
    ".docx",
    ".mp4",
}

Progress = Callable[[int, int, str], None]


@dataclass
class Part:
    """One file to put in the bundle: its entry name and where its bytes are now."""

    name: str
    source: Path


@dataclass
class ExportResult:
    path: Path
    files: int
    bytes: int


def export_bundle(
    year: int,
    out_dir: Path,
    progress: Progress | None = None,
    today: dt.date | None = None,
    *,
    data_dir: Path | None = None,
) -> Path:
    """Write the year's bundle into `out_dir` (e.g. a USB stick) and return its path.

    Only a bundle that reads back whole is left behind. A missing or full drive raises
    UserError and leaves no partial file."""
    return export_bundle_detailed(year, out_dir, progress, today, data_dir=data_dir).path


def export_bundle_detailed(
    year: int,
    out_dir: Path,
    progress: Progress | None = None,
    today: dt.date | None = None,
    *,
    data_dir: Path | None = None,
) -> ExportResult:
    """`export_bundle` returning also the number of files and bytes (for the CLI and dialog)."""
    from app.services.ledger import load_year

    out_dir = Path(out_dir)
    check_destination(out_dir)
    data_dir = Path(data_dir) if data_dir else _open_data_dir()
    data = load_year(year)
    if not data.activities:
        raise UserError(
            f"{year}年还没有活动计划，无法导出报送包。请先在“计划”页生成年度计划。",
            f"no plan for {year}",
        )
    attachments = _year_attachments(data, attachments_dir(data_dir))
    held = sum(1 for a in data.activities if a.is_held)
    rendered = 3 + held  # data.json, plan.pdf, the records, statistics.xlsx
    step = Steps(progress, rendered + (rendered + len(attachments)) + 2)

    final = out_dir / bundle_filename(data.branch.name, year)
    # Rendered parts (personal data) stay on the data dir's disk, never in the system temp
    # folder; what a killed export leaves there is swept at the next start.
    with (
        files.scratch_folder(temp_dir(data_dir), "export", what="导出用的临时文件") as work,
        files.library_temp_files_in(work),
    ):
        parts = _render_parts(data, work, step, today)
        # Photos and scans without their GPS position and camera data (docs/privacy.md).
        parts += [Part(name, scrubbed_copy(source, work / name)) for name, source in attachments]
        check_part_sizes(parts)
        need = sum(p.source.stat().st_size for p in parts) + 64 * 1024
        check_free_space(out_dir, need)
        try:
            total_bytes = _write_zip(final, parts, data, step, ensure_key(data_dir))
        except files.HeldOpen as err:
            if err.target != final:
                raise
            raise _older_bundle_held(final) from err

    step("正在重新读取并校验…")
    check = check_bundle(final)
    if not check.ok:
        files.remove_file(final)
        details = "；".join(f"{f}：{r}" for f, r in check.problems[:5])
        if all(f == DATA for f, _ in check.problems):  # the ledger's content, not the stick
            raise UserError(
                f"台账中有上级无法接收的内容，报送包已删除（{details}）。请按提示改正后再导出。",
                "bundle data failed verification after writing",
            )
        raise UserError(
            f"报送包写入后重新读取，校验未通过，已删除（{details}）。"
            "U盘可能有故障，请换一个U盘重试。",
            "bundle failed verification after writing",
        )
    # The manifest's sha256 is what the township's 回执 will name it by (docs/formats.md "回执").
    from app.services.export_receipts import record_export

    record_export(final, year)
    step("完成", last=True)
    return ExportResult(final, len(parts) + 2, total_bytes)  # and the manifest, its signature


class Steps:
    """One progress bar over the whole export: rendering, writing, reading back."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, text: str, *, last: bool = False) -> None:
        self.done = self.total if last else min(self.done + 1, self.total - 1)
        if self.progress is not None:
            self.progress(self.done, self.total, text)


# --- checks before anything is written --------------------------------------------------------
def check_destination(out_dir: Path) -> None:
    if not out_dir.exists():
        raise UserError(
            f"找不到导出位置“{out_dir}”。如果是U盘，请确认已插好，然后重新选择。",
            f"destination {out_dir} does not exist",
        )
    if not out_dir.is_dir():
        raise UserError(
            f"“{out_dir}”不是文件夹，请选择一个文件夹或U盘。",
            f"destination {out_dir} is not a folder",
        )


def check_part_sizes(parts: list[Part]) -> None:
    """Refuse before writing what the superior's check would refuse after (a huge video...)."""
    limits = DEFAULT_LIMITS
    sizes = [(p, p.source.stat().st_size) for p in parts]
    too_big = [p.name for p, n in sizes if n > limits.max_file_bytes]
    if too_big:
        raise UserError(
            f"以下文件超过 {mb(limits.max_file_bytes)}，上级无法接收：{'、'.join(too_big)}。"
            "请把照片或视频压缩后重新添加。",
            "attachment too large",
        )
    total = sum(n for _, n in sizes)
    if total > limits.max_total_bytes:
        raise UserError(
            f"报送包总大小 {mb(total)} 超过上限 {mb(limits.max_total_bytes)}。"
            "请删除或压缩部分照片后再导出。",
            "bundle too large",
        )


def check_free_space(out_dir: Path, need: int) -> None:
    try:
        free = shutil.disk_usage(out_dir).free
    except OSError:
        return  # unknown: the write itself will tell
    if free < need:
        raise UserError(
            f"导出位置剩余空间不足：报送包约需 {mb(need)}，只剩 {mb(free)}。"
            "请清理U盘或换一个空间更大的U盘。",
            f"not enough space: need {need} bytes, {free} free",
        )


def _open_data_dir() -> Path:
    """The data dir of the open database (the database file sits at its top)."""
    database = getattr(DB, "obj", None)
    if database is None:
        raise UserError("数据库尚未打开。", "database is not open")
    return Path(database.database).resolve().parent


def _attachment_problem(row: Attachment, root: Path) -> tuple[str, Path | None]:
    """(entry name, file) of a stored attachment, or (the reason it cannot go, None)."""
    rel = PurePosixPath(row.stored_path.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return f"{row.original_name}（存放路径不合规）", None
    source = root.joinpath(*rel.parts)
    if not source.is_file():
        return f"{row.original_name}（文件已丢失）", None
    if files.sha256_of(source) != row.sha256:
        return f"{row.original_name}（文件已被改动）", None
    return f"{ATTACHMENTS_DIR}/{rel.as_posix()}", source


def _year_attachments(data, root: Path) -> list[tuple[str, Path]]:
    """(entry name, file) for every stored attachment of the year's activities, checked
    against its recorded sha256 so a changed or lost photo is found before the export."""
    ids = [a.activity_id for a in data.activities]
    if not ids:
        return []
    rows = Attachment.select().where(Attachment.activity.in_(ids)).order_by(Attachment.id)
    out: list[tuple[str, Path]] = []
    missing: list[str] = []
    for row in rows:
        name, source = _attachment_problem(row, root)
        if source is None:
            missing.append(name)
        else:
            out.append((name, source))
    if missing:
        raise UserError(
            "以下附件有问题，无法导出："
            + "、".join(missing)
            + "。请在“记录”页重新添加或删除这些附件后再导出。",
            f"{len(missing)} attachment(s) missing or changed",
        )
    return out


# --- rendering --------------------------------------------------------------------------------
def _render_parts(data, work: Path, step: Steps, today: dt.date | None) -> list[Part]:
    """Render data.json, the PDFs and the statistics workbook into `work`. An OS error (the
    data dir's disk full) is said as such, not as a traceback."""
    try:
        return _render(data, work, step, today)
    except OSError as err:
        raise files.user_error(err, work / DATA, "导出用的临时文件") from err


def _render(data, work: Path, step: Steps, today: dt.date | None) -> list[Part]:
    from app.reports.plan_pdf import render_plan_pdf
    from app.reports.record_form import render_record_pdf
    from app.reports.statistics_xlsx import write_statistics_xlsx
    from app.services.evaluation import talks_for_year, talks_to_json
    from app.services.holiday_schedule import BUNDLE_KEY, schedule_for_bundle
    from app.services.statistics import compute_statistics

    parts: list[Part] = []
    step("正在整理台账数据…")
    # No birth dates, phones, ID numbers (docs/privacy.md); texts as the township accepts them.
    doc = _as_stored(township_data(data.to_json()))
    # 谈话提醒 records travel with the ledger (an extra key: data.json has "at least" its keys,
    # docs/formats.md, so older readers ignore it and bundles without it still verify).
    talks = talks_for_year(data.year)
    doc[TALKS] = talks_to_json(talks, (m.member_id for m in data.members))
    doc[BUNDLE_KEY] = schedule_for_bundle(data.year)  # the holidays the plan was checked against
    data_file = work / DATA
    data_file.write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    parts.append(Part(DATA, data_file))

    step("正在生成年度计划 PDF…")
    parts.append(Part(PLAN_PDF, render_plan_pdf(data, work / PLAN_PDF)))

    (work / RECORDS_DIR).mkdir()
    held = [(n, a) for n, a in enumerate(data.activities, start=1) if a.is_held]
    for i, (number, activity) in enumerate(held, start=1):
        step(f"正在生成记录表 {i}/{len(held)}…")
        name = record_entry_name(number, activity.held_date)
        parts.append(Part(name, render_record_pdf(data, activity, work / name)))

    step("正在计算统计…")
    stats = compute_statistics(data, today=today)
    listed = {m.member_id for m in data.members}
    talks = {mid: rows for mid, rows in talks.items() if mid in listed}
    out = write_statistics_xlsx(stats, work / STATISTICS_XLSX, talks)
    parts.append(Part(STATISTICS_XLSX, out))
    return parts


def _as_stored(value: Any, key: str = "") -> Any:
    """data.json with what text_rules forbids dropped from every text, and line breaks only in
    the multi-line texts: a BEL or a line break stored before the rules must neither make the
    township refuse the year nor the read-back blame the USB stick (docs/formats.md "Bounds")."""
    if isinstance(value, str):
        text = printable(value)
        return text if key in _MULTILINE_KEYS else _LINE_BREAKS.sub(" ", text)
    if isinstance(value, dict):
        return {k: _as_stored(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_stored(v, key) for v in value]
    return value


# --- the zip ----------------------------------------------------------------------------------
def _write_zip(final: Path, parts: list[Part], data, step: Steps, signer: Signer) -> int:
    """Stream every part into the zip hashing as it goes, then add the manifest and its
    signature (docs/signing.md). Written through `files.replacing()`: a full or pulled drive
    leaves no partial file and becomes a UserError."""
    listing: list[dict[str, Any]] = []
    stamp = dt.datetime.now().timetuple()[:6]
    written = 0
    with files.replacing(final, what="报送包") as tmp:
        with open(tmp, "wb") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            for part in parts:
                step(f"正在写入 {part.name}…")
                # Photos and scans as stored: a plain white scan must not look like a bomb.
                stored = part.name.startswith(ATTACHMENTS_DIR + "/")
                digest, size = _add_file(zf, part.name, part.source, stamp, stored=stored)
                listing.append({"path": part.name, "sha256": digest, "bytes": size})
                written += size
            manifest = _manifest_text(data, listing, signer).encode("utf-8")
            zf.writestr(_zipinfo(MANIFEST, stamp), manifest)
            zf.writestr(_zipinfo(SIGNATURE, stamp), sign_manifest(manifest, signer))
    return written


def _older_bundle_held(final: Path) -> UserError:
    """An earlier bundle of the same name is open in a zip program (Windows refuses to replace
    it, docs/windows.md). The name is the bundle's own, so the way out is closing that program
    or another folder, never a second bundle of the year beside the first."""
    return UserError(
        f"“{final.parent}”里原有的报送包“{final.name}”正被{files.holder_of(final)}打开，"
        "无法覆盖，原有的报送包没有改变。请先关闭该程序中的这个文件再导出，"
        "或导出到另一个文件夹。",
        f"the earlier {final} is held open by another program",
    )


def _manifest_text(data, listing: list[dict[str, Any]], signer: Signer) -> str:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "branch": asdict(data.branch),
        "year": data.year,
        "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "app_version": __version__,
        "files": listing,
        "signer": signer.to_json(),
    }
    return json.dumps(manifest, ensure_ascii=False, indent=1)


class _Utf8ZipInfo(zipfile.ZipInfo):
    """Marks every entry name as UTF-8 (bit 11). zipfile sets the bit only for non-ASCII names
    and clears `flag_bits` when it starts writing, so the bit is added where the headers are
    encoded."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("utf-8"), self.flag_bits | ZIP_UTF8_FLAG


def _zipinfo(name: str, stamp: tuple, *, stored: bool = False) -> zipfile.ZipInfo:
    info = _Utf8ZipInfo(name, date_time=stamp)
    stored = stored or PurePosixPath(name).suffix.lower() in _STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _add_file(
    zf: zipfile.ZipFile, name: str, source: Path, stamp: tuple, *, stored: bool = False
) -> tuple[str, int]:
    """Copy one file into the zip in chunks, hashing what is written."""
    h = hashlib.sha256()
    size = 0
    info = _zipinfo(name, stamp, stored=stored)
    # Zip64 headers only where needed: older unzip tools read plain headers more reliably.
    big = source.stat().st_size >= zipfile.ZIP64_LIMIT
    with open(source, "rb") as src, zf.open(info, "w", force_zip64=big) as dst:
        while chunk := src.read(CHUNK):
            h.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return h.hexdigest(), size
