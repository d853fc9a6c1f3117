"""The export bundle for upward submission (SPEC.md "Export bundle", seed [四.1], [四.2]).

`export_bundle()` writes one zip per branch and year (plan, 记录表, statistics, attachments and
the ledger as data.json, all listed with their sha256 in manifest.json) to a temporary name,
flushes it to the device, renames it and reads it back before saying it is done.
`verify_bundle()` is the township's check of such a zip; it never trusts the file: every problem,
however hostile the input, becomes a (file, Chinese reason) entry and never an exception.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app import __version__
from app.errors import UserError
from app.models import DB, Attachment, vocab
from app.paths import attachments_dir

FORMAT = "dangri-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
TALKS = "talks"  # data.json key of the 谈话提醒 records; absent in bundles made before it existed
PLAN_PDF = "plan.pdf"
STATISTICS_XLSX = "statistics.xlsx"
RECORDS_DIR = "records"
ATTACHMENTS_DIR = "attachments"
BUNDLE_SUFFIX = "-党日活动.zip"
PART_SUFFIX = ".part"

ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the entry name is UTF-8 (Chinese on Windows)
_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Characters Windows does not allow in file names, replaced in the bundle's own name.
_BAD_NAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Already compressed: deflating them again only costs time on a slow PC.
_STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".xlsx", ".zip", ".docx", ".mp4"}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile zip (zip bomb) from filling the township's disk or memory."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 200  # uncompressed : compressed
    ratio_min_bytes: int = 1024 * 1024  # tiny files may compress well without being bombs
    max_entries: int = 10_000
    max_manifest_bytes: int = 4 * 1024 * 1024
    max_data_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()


def bundle_filename(branch_name: str, year: int) -> str:
    """`<branch>-<year>-党日活动.zip`, with characters Windows forbids in names replaced."""
    safe = _BAD_NAME_CHARS.sub("_", branch_name).strip(" .") or "党支部"
    return f"{safe}-{year}{BUNDLE_SUFFIX}"


def record_entry_name(number: int, held_date: dt.date) -> str:
    """`records/<NN>-<date>.pdf`: NN is the activity's 1-based position in data.json."""
    return f"{RECORDS_DIR}/{number:02d}-{held_date.isoformat()}.pdf"


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


@dataclass
class _Part:
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

    The zip is written to `<name>.part`, flushed to the device, renamed, then reopened and
    verified; only a bundle that passes `verify_bundle` is left behind. A missing or full drive
    raises UserError and removes the partial file.
    """
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
    _check_destination(out_dir)
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
    step = _Steps(progress, rendered + (rendered + len(attachments)) + 2)

    with tempfile.TemporaryDirectory(prefix="dangri-export-") as tmp:
        parts = _render_parts(data, Path(tmp), step, today)
        parts += [_Part(name, source) for name, source, _row in attachments]
        _check_part_sizes(parts)
        final = out_dir / bundle_filename(data.branch.name, year)
        need = sum(p.source.stat().st_size for p in parts) + 64 * 1024
        _check_free_space(out_dir, need)
        total_bytes = _write_zip(final, parts, data, step)

    step("正在重新读取并校验…")
    check = verify_bundle(final)
    if not check.ok:
        final.unlink(missing_ok=True)
        details = "；".join(f"{f}：{r}" for f, r in check.problems[:5])
        raise UserError(
            f"报送包写入后重新读取，校验未通过，已删除（{details}）。"
            "U盘可能有故障，请换一个U盘重试。",
            "bundle failed verification after writing",
        )
    step("完成", last=True)
    return ExportResult(final, len(parts) + 1, total_bytes)


class _Steps:
    """One progress bar over the whole export: rendering, writing, reading back."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, text: str, *, last: bool = False) -> None:
        self.done = self.total if last else min(self.done + 1, self.total - 1)
        if self.progress is not None:
            self.progress(self.done, self.total, text)


def _check_part_sizes(parts: list[_Part]) -> None:
    """Refuse before writing what the superior's check would refuse after (a huge video...)."""
    limits = DEFAULT_LIMITS
    sizes = [(p, p.source.stat().st_size) for p in parts]
    too_big = [p.name for p, n in sizes if n > limits.max_file_bytes]
    if too_big:
        raise UserError(
            f"以下文件超过 {_mb(limits.max_file_bytes)}，上级无法接收：{'、'.join(too_big)}。"
            "请把照片或视频压缩后重新添加。",
            "attachment too large",
        )
    total = sum(n for _, n in sizes)
    if total > limits.max_total_bytes:
        raise UserError(
            f"报送包总大小 {_mb(total)} 超过上限 {_mb(limits.max_total_bytes)}。"
            "请删除或压缩部分照片后再导出。",
            "bundle too large",
        )


def _open_data_dir() -> Path:
    """The data dir of the open database (the database file sits at its top)."""
    database = getattr(DB, "obj", None)
    if database is None:
        raise UserError("数据库尚未打开。", "database is not open")
    return Path(database.database).resolve().parent


def _check_destination(out_dir: Path) -> None:
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


def _check_free_space(out_dir: Path, need: int) -> None:
    try:
        free = shutil.disk_usage(out_dir).free
    except OSError:
        return  # unknown: the write itself will tell
    if free < need:
        raise UserError(
            f"导出位置剩余空间不足：报送包约需 {_mb(need)}，只剩 {_mb(free)}。"
            "请清理U盘或换一个空间更大的U盘。",
            f"not enough space: need {need} bytes, {free} free",
        )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _year_attachments(data, root: Path) -> list[tuple[str, Path, Attachment]]:
    """(entry name, file, row) for every stored attachment of the year's activities, checked
    against its recorded sha256 so a changed or lost photo is found before the export."""
    ids = [a.activity_id for a in data.activities]
    if not ids:
        return []
    rows = list(Attachment.select().where(Attachment.activity.in_(ids)).order_by(Attachment.id))
    out: list[tuple[str, Path, Attachment]] = []
    missing: list[str] = []
    for row in rows:
        rel = PurePosixPath(row.stored_path.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            missing.append(f"{row.original_name}（存放路径不合规）")
            continue
        source = root.joinpath(*rel.parts)
        if not source.is_file():
            missing.append(f"{row.original_name}（文件已丢失）")
            continue
        if _sha256_file(source) != row.sha256:
            missing.append(f"{row.original_name}（文件已被改动）")
            continue
        out.append((f"{ATTACHMENTS_DIR}/{rel.as_posix()}", source, row))
    if missing:
        raise UserError(
            "以下附件有问题，无法导出："
            + "、".join(missing)
            + "。请在“记录”页重新添加或删除这些附件后再导出。",
            f"{len(missing)} attachment(s) missing or changed",
        )
    return out


def _render_parts(data, work: Path, step: _Steps, today: dt.date | None) -> list[_Part]:
    """Render data.json, the PDFs and the statistics workbook into `work`."""
    from app.reports.plan_pdf import render_plan_pdf
    from app.reports.record_form import render_record_pdf
    from app.reports.statistics_xlsx import write_statistics_xlsx
    from app.services.evaluation import talks_for_year, talks_to_json
    from app.services.statistics import compute_statistics

    parts: list[_Part] = []
    step("正在整理台账数据…")
    doc = data.to_json()
    # 谈话提醒 records travel with the ledger (an extra key: SPEC's data.json has "at least"
    # its keys, so older readers ignore it and bundles without it still verify).
    talks = talks_for_year(data.year)
    doc[TALKS] = talks_to_json(talks, (m.member_id for m in data.members))
    data_file = work / DATA
    data_file.write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    parts.append(_Part(DATA, data_file))

    step("正在生成年度计划 PDF…")
    parts.append(_Part(PLAN_PDF, render_plan_pdf(data, work / PLAN_PDF)))

    (work / RECORDS_DIR).mkdir()
    held = [(n, a) for n, a in enumerate(data.activities, start=1) if a.is_held]
    for i, (number, activity) in enumerate(held, start=1):
        step(f"正在生成记录表 {i}/{len(held)}…")
        name = record_entry_name(number, activity.held_date)
        parts.append(_Part(name, render_record_pdf(data, activity, work / name)))

    step("正在计算统计…")
    stats = compute_statistics(data, today=today)
    listed = {m.member_id for m in data.members}
    talks = {mid: rows for mid, rows in talks.items() if mid in listed}
    out = write_statistics_xlsx(stats, work / STATISTICS_XLSX, talks)
    parts.append(_Part(STATISTICS_XLSX, out))
    return parts


def _write_zip(final: Path, parts: list[_Part], data, step: _Steps) -> int:
    """Stream every part into `<final>.part` hashing as it goes, add the manifest, fsync, rename.
    Any OS error (full or pulled drive) removes the partial file and becomes a UserError."""
    tmp = final.with_name(final.name + PART_SUFFIX)
    files: list[dict[str, Any]] = []
    stamp = dt.datetime.now().timetuple()[:6]
    written = 0
    try:
        with open(tmp, "wb") as raw:
            with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
                for part in parts:
                    step(f"正在写入 {part.name}…")
                    # Photos and scans as stored: a plain white scan must not look like a bomb.
                    stored = part.name.startswith(ATTACHMENTS_DIR + "/")
                    digest, size = _add_file(zf, part.name, part.source, stamp, stored=stored)
                    files.append({"path": part.name, "sha256": digest, "bytes": size})
                    written += size
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "branch": asdict(data.branch),
                    "year": data.year,
                    "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "app_version": __version__,
                    "files": files,
                }
                info = _zipinfo(MANIFEST, stamp)
                zf.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except OSError as err:
        _remove_quietly(tmp)
        raise _write_error(final, err) from err
    except BaseException:
        _remove_quietly(tmp)
        raise
    return written


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
        while chunk := src.read(_CHUNK):
            h.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the OS allows it (not on Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _write_error(final: Path, err: OSError) -> UserError:
    if err.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return UserError(
            f"写入“{final.parent}”时空间不足，报送包没有写成（未留下不完整的文件）。"
            "请清理U盘或换一个空间更大的U盘后重新导出。",
            f"disk full while writing {final.name}: {err}",
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(
            f"没有权限写入“{final.parent}”（U盘可能处于写保护状态，或文件正被其他程序打开）。"
            "请检查后重新导出。",
            f"permission denied writing {final.name}: {err}",
        )
    return UserError(
        f"写入“{final.parent}”失败，报送包没有写成（U盘可能已拔出或有故障）："
        f"{err.strerror or err}。请重新插好U盘后再导出。",
        f"write failed for {final.name}: {err}",
    )


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Verify
# ---------------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """The outcome of checking one bundle: `problems` is [(file in the bundle, Chinese reason)]."""

    path: Path
    problems: list[tuple[str, str]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    data: dict[str, Any] | None = None  # data.json, kept only when asked for (aggregate)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, file: str, reason: str) -> None:
        self.problems.append((file, reason))

    def about(self) -> str:
        """Whose bundle this is, from its manifest: "中共…支部委员会　2026年度　共 18 个文件
        生成于 2026-11-25 14:46" ("" when the manifest could not be read)."""
        m = self.manifest or {}
        branch = m.get("branch") if isinstance(m.get("branch"), dict) else {}
        name = branch.get("name")
        if not isinstance(name, str) or not name:
            return ""
        files = m.get("files") if isinstance(m.get("files"), list) else []
        created = str(m.get("created_at", ""))[:16].replace("T", " ")
        return f"{name}　{m.get('year')}年度　共 {len(files) + 1} 个文件　生成于 {created}"

    def advice(self) -> str:
        """What the receiver does about a failed bundle, in plain words."""
        return failure_advice(self.path, self.problems, bool(self.about()))

    def summary(self) -> str:
        about = self.about()
        if self.ok:
            return f"校验通过：{self.path.name}\n  {about}"
        lines = [f"校验未通过：{self.path.name}（{len(self.problems)} 个问题）"]
        if about:
            lines.append(f"  {about}")
        lines += [f"  {f}：{r}" for f, r in self.problems]
        lines.append(f"→ {self.advice()}")
        return "\n".join(lines)


def looks_like_bundle_name(path: Path) -> bool:
    """`<branch>-<year>-党日活动…zip`, as `bundle_filename` writes it (copies may add "(1)")."""
    return re.match(r"^.+-\d{4}-党日活动", Path(path).stem) is not None


def failure_advice(path: Path, problems: list[tuple[str, str]], branch_known: bool) -> str:
    """What to do about a bundle that failed verification."""
    whole = [r for f, r in problems if f == Path(path).name]
    if whole and not branch_known and not looks_like_bundle_name(path):
        return (
            "这个文件不像党日活动报送包（报送包的文件名是“党组织-年度-党日活动.zip”）；"
            "如果确是某支部报送的，请该支部重新导出报送包"
        )
    if whole and ("不完整" in whole[0] or "找不到" in whole[0]):
        return "请重新从U盘复制该文件；仍不行的，请该支部重新导出报送包后再报送"
    if any("版本" in r and "升级" in r for _, r in problems):
        return "请升级本机的党日记实后再校验"
    return "请该支部重新导出报送包（导出时程序会自动校验）后再报送"


class _Stop(Exception):
    """Nothing further can be checked (no readable zip, or a manifest of a format we don't know)."""


def verify_bundle(
    path: Path, *, keep_data: bool = False, limits: Limits = DEFAULT_LIMITS
) -> VerifyReport:
    """Check a bundle as the township receives it (SPEC.md "Export bundle").

    Manifest present and of a known format version; every listed file present with its size
    and sha256; nothing outside the manifest; no absolute path, `..` or link; bounded sizes and
    compression ratio, by the headers and again while decompressing; data.json well-formed
    and consistent with itself. Never raises on a bad file.
    """
    report = VerifyReport(Path(path))
    try:
        _verify(report, limits, keep_data)
    except _Stop:
        pass
    except Exception as err:  # hostile input must never crash the township's batch
        report.add(report.path.name, f"无法检查：文件已损坏（{type(err).__name__}）")
    if not report.ok:
        report.data = None
    return report


def _verify(report: VerifyReport, limits: Limits, keep_data: bool) -> None:
    path = report.path
    whole = path.name
    if not path.is_file():
        report.add(whole, "找不到该文件")
        raise _Stop
    if path.stat().st_size > limits.max_total_bytes:
        report.add(whole, f"文件过大（超过 {_mb(limits.max_total_bytes)}），不像是党日活动报送包")
        raise _Stop
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        report.add(whole, "不是有效的 zip 文件，或文件不完整（可能没有复制完）")
        raise _Stop from None
    with zf:
        entries = _check_entries(zf, report, limits)
        manifest = _read_manifest(zf, entries, report, limits)
        report.manifest = manifest
        listed = _check_listing(manifest, entries, report)
        data_bytes = _check_contents(zf, listed, entries, report, limits)
    if data_bytes is None:
        return
    doc = _parse_data(data_bytes, report)
    if doc is None:
        return
    try:
        reasons = check_data_consistency(doc)
    except Exception as err:  # a value of a type no honest export writes
        reasons = [f"data.json 中有格式不对的内容（{type(err).__name__}）"]
    for reason in reasons:
        report.add(DATA, reason)
    _check_data_against_bundle(doc, manifest, listed, report)
    if keep_data:
        report.data = doc


def unsafe_entry_reason(name: str) -> str | None:
    """Why an entry name must not be extracted (zip-slip), or None when it is a plain path."""
    if not name or "\x00" in name:
        return "文件名为空或含非法字符"
    if "\\" in name:
        return "文件名含反斜杠“\\”，可能指向包外的位置"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "文件名是绝对路径，可能写到包外的位置"
    parts = name.rstrip("/").split("/")
    if any(p == ".." for p in parts):
        return "文件名含“..”，可能写到包外的位置（zip-slip）"
    if any(p in ("", ".") for p in parts):
        return "文件名含空的或“.”路径段"
    return None


def _check_entries(zf: zipfile.ZipFile, report: VerifyReport, limits: Limits):
    """Header checks of every entry; returns {name: ZipInfo} of the regular files."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        report.add(report.path.name, f"包内文件数过多（{len(infos)} 个）")
        raise _Stop
    files: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        bad = unsafe_entry_reason(name)
        if bad:
            report.add(name, bad)
            continue
        if name.casefold() in folded and name not in files:
            # Windows would unpack both into one file, the second overwriting the first.
            report.add(name, "与包内另一文件名仅大小写不同")
            continue
        folded.add(name.casefold())
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            report.add(name, "是符号链接，报送包中不允许链接")
            continue
        if info.is_dir():
            if info.file_size or info.compress_size > 2:
                report.add(name, "文件夹条目中藏有数据，报送包中不允许")
            continue  # an empty folder entry holds nothing; its files are checked on their own
        if name in files:
            report.add(name, "包内有两个同名文件")
            continue
        if info.flag_bits & 0x1:
            report.add(name, "文件被加密，无法校验")
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.add(name, "使用了不支持的压缩方式")
            continue
        if info.file_size > limits.max_file_bytes:
            report.add(
                name, f"解压后过大（{_mb(info.file_size)}，上限 {_mb(limits.max_file_bytes)}）"
            )
            continue
        if info.file_size >= limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            report.add(name, f"压缩比异常（{ratio}:1，上限 {limits.max_ratio}:1），疑似“压缩炸弹”")
            continue
        total += info.file_size
        files[name] = info
    if total > limits.max_total_bytes:
        report.add(
            report.path.name,
            f"解压后总大小 {_mb(total)} 超过上限 {_mb(limits.max_total_bytes)}，疑似“压缩炸弹”",
        )
        raise _Stop
    return files


def _read_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """Decompress one entry in chunks, never past `cap` bytes whatever its headers say."""
    produced = 0
    with zf.open(info) as f:
        while True:
            chunk = f.read(min(_CHUNK, cap - produced + 1))
            if not chunk:
                return
            produced += len(chunk)
            if produced > cap:
                raise _TooBig(produced)
            yield chunk


class _TooBig(Exception):
    pass


def _read_manifest(zf, entries, report: VerifyReport, limits: Limits) -> dict[str, Any]:
    info = entries.get(MANIFEST)
    if info is None:
        report.add(MANIFEST, "缺少清单文件 manifest.json，不是完整的报送包")
        raise _Stop
    try:
        raw = b"".join(_read_limited(zf, info, limits.max_manifest_bytes))
    except _TooBig:
        report.add(MANIFEST, "清单文件过大")
        raise _Stop from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        report.add(MANIFEST, "清单文件已损坏（校验码不符）")
        raise _Stop from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        report.add(MANIFEST, "清单文件不是有效的 JSON")
        raise _Stop from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.add(MANIFEST, "不是党日活动报送包的清单（format 不是 dangri-bundle）")
        raise _Stop
    version = manifest.get("format_version")
    if type(version) is not int:
        report.add(MANIFEST, "清单缺少格式版本号（format_version）")
        raise _Stop
    if version != FORMAT_VERSION:
        if version > FORMAT_VERSION:
            reason = (
                f"清单格式版本 {version} 比本程序认识的版本 {FORMAT_VERSION} 新，"
                "请升级党日记实后再校验"
            )
        else:
            reason = f"未知的清单格式版本 {version}（本程序认识版本 {FORMAT_VERSION}）"
        report.add(MANIFEST, reason)
        raise _Stop
    for key, kind in (("year", int), ("branch", dict), ("files", list)):
        if type(manifest.get(key)) is not kind:
            report.add(MANIFEST, f"清单缺少或写错了“{key}”字段")
            raise _Stop
    return manifest


def _check_listing(manifest, entries, report: VerifyReport) -> dict[str, dict[str, Any]]:
    """Manifest entries well-formed; every listed file present, nothing unlisted.
    Returns {path: entry} of the listed files that are present in the zip."""
    listed: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(manifest["files"], start=1):
        if not isinstance(item, dict):
            report.add(MANIFEST, f"清单第 {i} 项格式不对")
            continue
        p, digest, size = item.get("path"), item.get("sha256"), item.get("bytes")
        if not isinstance(p, str):
            report.add(MANIFEST, f"清单第 {i} 项缺少文件路径")
            continue
        bad = unsafe_entry_reason(p)
        if bad:
            report.add(p, "清单中的" + bad)
            continue
        if p == MANIFEST:
            report.add(MANIFEST, "清单不应列出它自己")
            continue
        if p in listed:
            report.add(p, "清单中重复列出")
            continue
        if not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            report.add(p, "清单中的 sha256 校验值格式不对")
            continue
        if type(size) is not int or size < 0:
            report.add(p, "清单中的文件大小格式不对")
            continue
        if p not in entries:
            report.add(p, "清单列出的文件在包中缺失")
            continue
        listed[p] = item
    for name in entries:
        if name != MANIFEST and name not in listed and not _already_reported(report, name):
            report.add(name, "清单中没有列出的多余文件")
    return listed


def _already_reported(report: VerifyReport, name: str) -> bool:
    return any(f == name for f, _ in report.problems)


def _check_contents(zf, listed, entries, report: VerifyReport, limits: Limits) -> bytes | None:
    """Stream every listed file: size and sha256 must match the manifest. Returns data.json's
    bytes when data.json is intact, else None."""
    data_bytes: bytes | None = None
    total = 0
    for p, item in listed.items():
        info = entries[p]
        if info.file_size != item["bytes"]:
            report.add(p, f"大小不符：清单写 {item['bytes']} 字节，包中为 {info.file_size} 字节")
            continue
        cap = min(info.file_size, limits.max_file_bytes, limits.max_total_bytes - total)
        if info.compress_size and info.file_size >= limits.ratio_min_bytes:
            cap = min(cap, limits.max_ratio * info.compress_size)
        keep = p == DATA
        if keep and info.file_size > limits.max_data_bytes:
            report.add(p, f"data.json 过大（{_mb(info.file_size)}）")
            continue
        h = hashlib.sha256()
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _read_limited(zf, info, cap):
                h.update(chunk)
                size += len(chunk)
                if keep:
                    chunks.append(chunk)
        except _TooBig:
            report.add(p, "解压后超过允许的大小，疑似“压缩炸弹”")
            continue
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            report.add(p, "文件已损坏（解压出错或 CRC 校验失败），内容可能被改动")
            continue
        total += size
        if size != item["bytes"]:
            report.add(p, f"大小不符：清单写 {item['bytes']} 字节，实际 {size} 字节")
            continue
        if h.hexdigest() != item["sha256"]:
            report.add(p, "sha256 校验值不符，文件内容被改动过")
            continue
        if keep:
            data_bytes = b"".join(chunks)
    if DATA not in listed and not _already_reported(report, DATA):
        report.add(DATA, "缺少台账数据 data.json")
    return data_bytes


def _parse_data(raw: bytes, report: VerifyReport) -> dict[str, Any] | None:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        report.add(DATA, "data.json 不是有效的 JSON")
        return None
    if not isinstance(doc, dict):
        report.add(DATA, "data.json 的顶层不是对象")
        return None
    return doc


def _date_or_none(value: Any) -> dt.date | None | str:
    """A date from ISO text, None for null, or the string "bad"."""
    if value is None:
        return None
    if not isinstance(value, str):
        return "bad"
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else "bad"
    except ValueError:
        return "bad"


def check_data_consistency(doc: dict[str, Any]) -> list[str]:
    """Why data.json is not a well-formed, self-consistent year of the ledger ([] when it is):
    attendance refers to listed members with the status words of rule 4, one row per member,
    and the stored counts (应参加/实际参加) match the statuses and the roll."""
    from app.services.attendance import counts_as_taking_part
    from app.services.ledger import YearData

    problems: list[str] = []
    year = doc.get("year")
    if type(year) is not int:
        return ["缺少年度（year）"]
    branch = doc.get("branch")
    if not isinstance(branch, dict) or not isinstance(branch.get("name"), str):
        problems.append("缺少党组织信息（branch.name）")
    for key in ("members", "attendees", "activities"):
        if not isinstance(doc.get(key), list):
            problems.append(f"缺少“{key}”列表")
    if problems:
        return problems

    member_ids: set[int] = set()
    for i, m in enumerate(doc["members"], start=1):
        if not isinstance(m, dict) or type(m.get("member_id")) is not int:
            problems.append(f"第 {i} 名党员缺少编号（member_id）")
            continue
        if m["member_id"] in member_ids:
            problems.append(f"党员编号 {m['member_id']} 重复")
        member_ids.add(m["member_id"])
        name = m.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"党员编号 {m['member_id']} 缺少姓名")
        if m.get("category") not in vocab.MEMBER_CATEGORIES:
            problems.append(
                f"党员编号 {m['member_id']} 的类别“{m.get('category')}”不是正式/预备党员"
            )
        for key in ("birth_date", "joined_party_date", "roll_start", "left_date"):
            if _date_or_none(m.get(key)) == "bad":
                problems.append(f"党员编号 {m['member_id']} 的日期“{key}”格式不对")
    attendee_ids: set[int] = set()
    for i, a in enumerate(doc["attendees"], start=1):
        if not isinstance(a, dict) or type(a.get("attendee_id")) is not int:
            problems.append(f"第 {i} 名列席人员缺少编号（attendee_id）")
            continue
        attendee_ids.add(a["attendee_id"])
        if a.get("kind") not in vocab.ATTENDEE_KINDS:
            problems.append(f"列席人员编号 {a['attendee_id']} 的身份“{a.get('kind')}”不对")

    for n, act in enumerate(doc["activities"], start=1):
        label = f"第 {n} 次活动"
        if not isinstance(act, dict):
            problems.append(f"{label}格式不对")
            continue
        plan_date = _date_or_none(act.get("plan_date"))
        if not isinstance(plan_date, dt.date):
            problems.append(f"{label}缺少计划日期或日期格式不对")
            continue
        label = f"第 {n} 次活动（{plan_date.isoformat()}）"
        if plan_date.year != year:
            problems.append(f"{label}的计划日期不在 {year} 年")
        held = _date_or_none(act.get("held_date"))
        submitted = _date_or_none(act.get("submitted_date"))
        if held == "bad" or submitted == "bad":
            problems.append(f"{label}的开展日期或报送日期格式不对")
            continue
        if submitted is not None and held is None:
            problems.append(f"{label}未开展却有报送日期")
        if act.get("mode") not in vocab.MODES:
            problems.append(f"{label}的活动方式“{act.get('mode')}”不对")
        cats = act.get("categories")
        if not isinstance(cats, list) or any(c not in vocab.ALL_CATEGORIES for c in cats):
            problems.append(f"{label}的内容类别不对")
        rows = act.get("attendance")
        if not isinstance(rows, list):
            problems.append(f"{label}缺少考勤列表（attendance）")
            continue
        if rows and held is None:
            problems.append(f"{label}尚未开展却有考勤记录")
        seen: set[int] = set()
        took = 0
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
            status = r.get("status")
            if status not in vocab.ATTENDANCE_STATUSES:
                problems.append(f"{label}中党员 member_id={mid} 的考勤状态“{status}”不是规定用语")
            elif counts_as_taking_part(status):
                took += 1
        for aid in act.get("attendee_ids") or []:
            if aid not in attendee_ids:
                problems.append(f"{label}引用了不存在的列席人员（attendee_id={aid}）")
        if "took_part" in act and act["took_part"] != took:
            problems.append(
                f"{label}的实际参加党员数 {act['took_part']} 与考勤状态统计的 {took} 不符"
            )
    if TALKS in doc:  # optional: older exports do not carry the talk records
        from app.services.evaluation import talk_problems

        problems += talk_problems(doc[TALKS], member_ids)
    # The whole document must load exactly as the branch's own program loads it.
    try:
        data = YearData.from_json(doc)
    except Exception as err:
        if not problems:  # otherwise the reasons above already say what is wrong
            problems.append(f"无法按台账格式读取（{type(err).__name__}：{err}）"[:200])
        return problems
    for n, (act, row) in enumerate(zip(doc["activities"], data.activities, strict=True), start=1):
        expected = len(data.expected_members(row))
        if "expected" in act and act["expected"] != expected:
            problems.append(
                f"第 {n} 次活动（{row.plan_date.isoformat()}）的应参加党员数 {act['expected']}"
                f" 与当日在册党员 {expected} 人不符"
            )
    return problems


def _check_data_against_bundle(doc, manifest, listed, report: VerifyReport) -> None:
    """data.json, the manifest and the files must describe the same branch, year and records."""
    if doc.get("year") != manifest.get("year"):
        report.add(DATA, f"年度 {doc.get('year')} 与清单中的年度 {manifest.get('year')} 不符")
    d_branch = doc.get("branch") if isinstance(doc.get("branch"), dict) else {}
    if d_branch.get("name") != manifest["branch"].get("name"):
        report.add(DATA, "党组织名称与清单不符")
    for required in (PLAN_PDF, STATISTICS_XLSX):
        if required not in listed and not _already_reported(report, required):
            report.add(required, "缺少该文件（报送包必须包含）")
    activities = doc.get("activities") if isinstance(doc.get("activities"), list) else []
    for n, act in enumerate(activities, start=1):
        held = _date_or_none(act.get("held_date")) if isinstance(act, dict) else None
        if isinstance(held, dt.date):
            name = record_entry_name(n, held)
            if name not in listed and not _already_reported(report, name):
                report.add(name, f"缺少第 {n} 次活动的记录表")
