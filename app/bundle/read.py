"""Reading one bundle end to end (docs/formats.md "Export bundle"): the zip's entries
(`zipsafety`), the manifest, the listing against the entries, every listed file streamed
against its size and sha256, then data.json (`checks`). Every problem, however hostile the
input, becomes a (file, Chinese reason) entry and never an exception.

Both sides use it: the branch reads back what it has just exported, and the township's
`app.township.verify` gives its verdict on a bundle it received."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from app.bundle.checks import check_data, check_data_against_bundle, parse_data
from app.bundle.names import (
    DATA,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    READABLE_VERSIONS,
    SIGNATURE,
)
from app.bundle.signature import MAX_SIGNATURE_BYTES, signature_problem, signer_reason
from app.bundle.zipsafety import (
    CHUNK,
    DEFAULT_LIMITS,
    Limits,
    TooBig,
    Unreadable,
    check_entries,
    directory_reason,
    entry_cap,
    mb,
    plainly_stored,
    read_limited,
    read_stored,
    unsafe_entry_reason,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
MAX_PROBLEMS = 50  # listed per bundle (docs/formats.md "Bounds")
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


@dataclass
class BundleCheck:
    """The outcome of reading one bundle: `problems` is [(file in the bundle, Chinese reason)]."""

    path: Path
    problems: list[tuple[str, str]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    data: dict[str, Any] | None = None  # data.json, kept only when asked for (aggregate)
    # data.json as the check loaded it (`YearData`), kept with `data`: the township sums it.
    year_data: Any = None
    # The manifest's `signer` once its signature checked out (format 2); None: not signed.
    signer: dict[str, Any] | None = None
    more: int = 0  # problems found beyond MAX_PROBLEMS, counted and not listed
    _named: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, file: str, reason: str) -> None:
        """Note a problem: the first `MAX_PROBLEMS` are listed, the rest only counted, so a
        crafted bundle with 10,000 problems costs every reader 50 lines."""
        self._named.add(file)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((file, reason))
        else:
            self.more += 1

    @property
    def total(self) -> int:
        """How many problems were found, listed or not."""
        return len(self.problems) - (1 if self.more else 0) + self.more

    def reported(self, file: str) -> bool:
        """A problem has already been said about `file`."""
        return file in self._named

    @property
    def public_key(self) -> str | None:
        """The signer's public key (base64) of a validly signed bundle, else None (未签名)."""
        return self.signer["public_key"] if self.signer else None

    @property
    def fingerprint(self) -> str | None:
        return self.signer["fingerprint"] if self.signer else None


C = TypeVar("C", bound=BundleCheck)


def check_bundle(
    path: Path,
    *,
    keep_data: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    kind: type[C] = BundleCheck,
    hashing: Executor | None = None,
) -> C:
    """Read a bundle as the township receives it. Manifest present and of a known format
    version; every listed file present with its size and sha256; nothing outside the
    manifest; no absolute path, `..` or link; bounded sizes and compression ratio, by the
    headers and again while decompressing; data.json well-formed and consistent with itself.
    Never raises on a bad file. `kind` is the report class to fill (the township's adds its
    own wording). `hashing`: an executor whose thread hashes the stored files meanwhile
    (`check_contents`); the verdict is the same without it."""
    check = kind(Path(path))
    try:
        _read(check, limits, keep_data, hashing)
    except Unreadable:
        pass
    except Exception as err:  # hostile input must never crash the township's batch
        check.add(check.path.name, f"无法检查：文件已损坏（{type(err).__name__}）")
    if check.more:  # one line stands for the rest, for every reader of `problems`
        check.problems.append(
            (check.path.name, f"另有 {check.more} 个问题（只列出前 {MAX_PROBLEMS} 个）")
        )
    if not check.ok:
        check.data = check.year_data = None
    return check


def _read(check: BundleCheck, limits: Limits, keep_data: bool, hashing: Executor | None) -> None:
    path = check.path
    whole = path.name
    if not path.is_file():
        check.add(whole, "找不到该文件")
        raise Unreadable
    if path.stat().st_size > limits.max_total_bytes:
        check.add(whole, f"文件过大（超过 {mb(limits.max_total_bytes)}），不像是党日活动报送包")
        raise Unreadable
    bad = directory_reason(path, limits)  # before zipfile reads the whole directory
    if bad:
        check.add(whole, bad)
        raise Unreadable
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        check.add(whole, "不是有效的 zip 文件，或文件不完整（可能没有复制完）")
        raise Unreadable from None
    with zf:
        entries = check_entries(zf, whole, check.add, limits)
        manifest, manifest_bytes = read_manifest(zf, entries, check, limits)
        check.manifest = manifest
        _check_signature(zf, entries, manifest, manifest_bytes, check)
        listed = check_listing(manifest, entries, check)
        data_bytes, finish = check_contents(zf, listed, entries, check, limits, hashing)
        try:  # data.json is checked while the other files are hashed, its reasons added after
            found = None if data_bytes is None else _check_doc(data_bytes, manifest)
        finally:
            finish()
    if found is None:
        return
    doc, why, day, reasons, year_data = found
    if doc is None:
        check.add(DATA, why)
        return
    if day is None:
        check.add(MANIFEST, CREATED_AT_REASON)
    for reason in reasons:
        check.add(DATA, reason)
    for file, reason in check_data_against_bundle(doc, manifest, listed, check.reported):
        check.add(file, reason)
    if keep_data:
        check.data, check.year_data = doc, year_data


def _check_doc(
    data_bytes: bytes, manifest: dict[str, Any]
) -> tuple[dict[str, Any] | None, str, dt.date | None, list[str], Any]:
    """data.json parsed and checked, nothing added yet: (the document or None, why it is not
    one, the day the bundle was made or None, the reasons, the loaded `YearData` or None)."""
    doc, why = parse_data(data_bytes)
    if doc is None:
        return None, why, None, [], None
    day = made_on_date(manifest)
    try:
        reasons, year_data = check_data(doc, day)
    except Exception as err:  # a value of a type no honest export writes
        reasons, year_data = [f"data.json 中有格式不对的内容（{type(err).__name__}）"], None
    return doc, "", day, reasons, year_data


CREATED_AT_REASON = "清单中的生成时间（created_at）缺少或格式不对"


def made_on(manifest: dict[str, Any], check: BundleCheck) -> dt.date | None:
    """The day the bundle was made (the date of `created_at` as the branch's PC wrote it): no
    activity can have been held or reported after it. None, with the reason added, when it is
    missing or not an ISO timestamp (data.json is then checked against today)."""
    day = made_on_date(manifest)
    if day is None:
        check.add(MANIFEST, CREATED_AT_REASON)
    return day


def made_on_date(manifest: dict[str, Any]) -> dt.date | None:
    """`made_on` without adding the reason."""
    stamp = manifest.get("created_at")
    try:
        if isinstance(stamp, str) and _ISO_STAMP.match(stamp):
            return dt.datetime.fromisoformat(stamp).date()
    except ValueError:
        pass
    return None


def read_manifest(
    zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], check: BundleCheck, limits: Limits
) -> tuple[dict[str, Any], bytes]:
    """manifest.json as a dict of a known format and version with its required keys, and its
    exact bytes (what the signature covers); any other outcome adds the reason and raises
    `Unreadable`."""
    info = entries.get(MANIFEST)
    if info is None:
        check.add(MANIFEST, "缺少清单文件 manifest.json，不是完整的报送包")
        raise Unreadable
    try:
        raw = b"".join(read_limited(zf, info, limits.max_manifest_bytes))
    except TooBig:
        check.add(MANIFEST, "清单文件过大")
        raise Unreadable from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        check.add(MANIFEST, "清单文件已损坏（校验码不符）")
        raise Unreadable from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        check.add(MANIFEST, "清单文件不是有效的 JSON")
        raise Unreadable from None
    reason = _manifest_reason(manifest)
    if reason:
        check.add(MANIFEST, reason)
        raise Unreadable
    return manifest, raw


def _check_signature(
    zf: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    manifest_bytes: bytes,
    check: BundleCheck,
) -> None:
    """Format 2: manifest.sig must be the manifest's signer's signature over its exact bytes
    (docs/signing.md). Format 1 is unsigned (未签名) and has nothing to check here."""
    if manifest["format_version"] < 2:
        return
    info = entries.get(SIGNATURE)
    if info is None:
        check.add(SIGNATURE, "缺少签名文件 manifest.sig：签名被去掉了，或报送包不完整")
        return
    try:
        sig_text = b"".join(read_limited(zf, info, MAX_SIGNATURE_BYTES))
    except TooBig:
        check.add(SIGNATURE, "签名文件 manifest.sig 过大，不是签名")
        return
    except _DAMAGED:
        check.add(SIGNATURE, "签名文件 manifest.sig 已损坏")
        return
    reason = signature_problem(manifest_bytes, manifest, sig_text)
    if reason:
        check.add(MANIFEST, reason)
    else:
        check.signer = manifest["signer"]


def _manifest_reason(manifest: Any) -> str | None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return "不是党日活动报送包的清单（format 不是 dangri-bundle）"
    version = manifest.get("format_version")
    if type(version) is not int:
        return "清单缺少格式版本号（format_version）"
    if version > FORMAT_VERSION:
        return (
            f"清单格式版本 {version} 比本程序认识的版本 {FORMAT_VERSION} 新，请升级党日记实后再校验"
        )
    if version not in READABLE_VERSIONS:
        return f"未知的清单格式版本 {version}（本程序认识版本 {FORMAT_VERSION}）"
    for key, kind in (("year", int), ("branch", dict), ("files", list)):
        if type(manifest.get(key)) is not kind:
            return f"清单缺少或写错了“{key}”字段"
    return signer_reason(manifest) if version >= 2 else None


def _item_reason(item: Any, i: int, listed: dict[str, Any]) -> tuple[str, str] | None:
    """(file, reason) when the manifest's i-th item is not a well-formed listing."""
    if not isinstance(item, dict):
        return MANIFEST, f"清单第 {i} 项格式不对"
    p, digest, size = item.get("path"), item.get("sha256"), item.get("bytes")
    if not isinstance(p, str):
        return MANIFEST, f"清单第 {i} 项缺少文件路径"
    bad = unsafe_entry_reason(p)
    if bad:
        return p, "清单中的" + bad
    if p == MANIFEST:
        return MANIFEST, "清单不应列出它自己"
    if p in listed:
        return p, "清单中重复列出"
    if not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
        return p, "清单中的 sha256 校验值格式不对"
    if type(size) is not int or size < 0:
        return p, "清单中的文件大小格式不对"
    return None


def check_listing(
    manifest: dict[str, Any], entries: dict[str, zipfile.ZipInfo], check: BundleCheck
) -> dict[str, dict[str, Any]]:
    """Manifest entries well-formed; every listed file present, nothing unlisted.
    Returns {path: entry} of the listed files that are present in the zip."""
    listed: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(manifest["files"], start=1):
        bad = _item_reason(item, i, listed)
        if bad:
            check.add(*bad)
            continue
        if item["path"] not in entries:
            check.add(item["path"], "清单列出的文件在包中缺失")
            continue
        listed[item["path"]] = item
    own = {MANIFEST, SIGNATURE} if manifest["format_version"] >= 2 else {MANIFEST}
    for name in entries:
        if name not in own and name not in listed and not check.reported(name):
            check.add(name, "清单中没有列出的多余文件")
    return listed


def check_contents(
    zf: zipfile.ZipFile,
    listed: dict[str, dict[str, Any]],
    entries: dict[str, zipfile.ZipInfo],
    check: BundleCheck,
    limits: Limits,
    hashing: Executor | None = None,
) -> tuple[bytes | None, Callable[[], None]]:
    """Stream every listed file: size and sha256 must match the manifest. Returns data.json's
    bytes when data.json is intact (else None), and `finish`, which adds every file's problems
    in the manifest's order; nothing about the files is added before `finish()` is called.

    With `hashing`, the stored entries (photos, PDFs: most of the bytes) are read and hashed
    on that executor's thread from a second handle on the same file, while the caller checks
    data.json; `finish()` waits for them. sha256 and CRC-32 give the GIL up, so on a second
    core the hashing costs the caller no time."""
    plan: list[tuple[str, dict[str, Any], zipfile.ZipInfo | str, int]] = []
    total = 0  # bounds what was read before: the caps are those of reading in order
    for p, item in listed.items():
        info = entries[p]
        if info.file_size != item["bytes"]:
            why = f"大小不符：清单写 {item['bytes']} 字节，包中为 {info.file_size} 字节"
            plan.append((p, item, why, 0))
        elif p == DATA and info.file_size > limits.max_data_bytes:
            plan.append((p, item, f"data.json 过大（{mb(info.file_size)}）", 0))
        else:
            plan.append((p, item, info, entry_cap(info, limits, limits.max_total_bytes - total)))
            total += info.file_size
    encoding = zf.metadata_encoding or "cp437"
    buffer = bytearray(min(CHUNK, max((i.file_size for i in entries.values()), default=0)))
    reads: dict[str, _Read] = {}
    aside = [
        (p, info, cap)
        for p, _, info, cap in plan
        if isinstance(info, zipfile.ZipInfo) and p != DATA and plainly_stored(info)
    ]
    pending = None
    if hashing is not None and aside:
        assert zf.fp is not None
        stat = os.fstat(zf.fp.fileno())
        pending = hashing.submit(_hash_aside, check.path, stat, aside, encoding)
    elsewhere = {p for p, _, _ in aside} if pending is not None else set()
    for p, _, info, cap in plan:
        if isinstance(info, zipfile.ZipInfo) and p not in elsewhere:
            reads[p] = _hash_entry(zf, info, cap, p == DATA, buffer, encoding)
    data_bytes = None
    read = reads.get(DATA)
    if read is not None and not isinstance(read, str):
        digest, size, content = read
        item = listed[DATA]
        if size == item["bytes"] and digest == item["sha256"]:
            data_bytes = content

    def finish() -> None:
        done = pending.result() if pending is not None else None
        if pending is not None and done is None:  # not the same file any more: read it here
            for p, info, cap in aside:
                reads[p] = _hash_entry(zf, info, cap, False, buffer, encoding)
        elif done is not None:
            reads.update(done)
        for p, item, info, _ in plan:
            if isinstance(info, str):
                check.add(p, info)
                continue
            read = reads[p]
            if isinstance(read, str):
                check.add(p, read)
                continue
            digest, size, _content = read
            if size != item["bytes"]:
                check.add(p, f"大小不符：清单写 {item['bytes']} 字节，实际 {size} 字节")
            elif digest != item["sha256"]:
                check.add(p, "sha256 校验值不符，文件内容被改动过")
        if DATA not in listed and not check.reported(DATA):
            check.add(DATA, "缺少台账数据 data.json")

    return data_bytes, finish


_Read = tuple[str, int, bytes | None] | str  # (sha256, bytes read, the bytes kept) or a reason


def _hash_aside(
    path: Path,
    expected: os.stat_result,
    aside: list[tuple[str, zipfile.ZipInfo, int]],
    encoding: str,
) -> dict[str, _Read] | None:
    """`check_contents`' stored entries read from a handle of this thread's own; None when the
    path no longer names the file being checked (the caller then reads them itself)."""
    try:
        f = open(path, "rb")
    except OSError:
        return None
    with f:
        now = os.fstat(f.fileno())
        if not os.path.samestat(now, expected) or now.st_size != expected.st_size:
            return None
        buffer = bytearray(min(CHUNK, max(info.file_size for _, info, _ in aside)))
        return {
            p: _digest(read_stored(f, info, cap, buffer, encoding), False) for p, info, cap in aside
        }


def _hash_entry(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    cap: int,
    keep: bool,
    buffer: bytearray,
    encoding: str,
) -> _Read:
    """(sha256, bytes read, the bytes when `keep`) of one entry, or the reason it could not be
    read whole. A stored entry is read as it lies in the zip (`read_stored`, the same checks
    as zipfile's reader), a deflated one through zipfile."""
    assert zf.fp is not None
    if plainly_stored(info):
        return _digest(read_stored(zf.fp, info, cap, buffer, encoding), keep)
    return _digest(read_limited(zf, info, cap), keep)


def _digest(source: Iterator[Any], keep: bool) -> _Read:
    h = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in source:
            h.update(chunk)
            size += len(chunk)
            if keep:
                chunks.append(bytes(chunk))
    except TooBig:
        return "解压后超过允许的大小，疑似“压缩炸弹”"
    except _DAMAGED:
        return "文件已损坏（解压出错或 CRC 校验失败），内容可能被改动"
    return h.hexdigest(), size, b"".join(chunks) if keep else None
