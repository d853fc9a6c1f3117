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
import re
import zipfile
import zlib
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
    Entries,
    Limits,
    LocalHeader,
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
DAMAGED = "文件已损坏（解压出错或 CRC 校验失败），内容可能被改动"
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
) -> C:
    """Read a bundle as the township receives it. Manifest present and of a known format
    version; every listed file present with its size and sha256; nothing outside the
    manifest; no absolute path, `..` or link; bounded sizes and compression ratio, by the
    headers and again while decompressing; data.json well-formed and consistent with itself.
    Never raises on a bad file. `kind` is the report class to fill (the township's adds its
    own wording)."""
    check = kind(Path(path))
    try:
        _read(check, limits, keep_data)
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


def _read(check: BundleCheck, limits: Limits, keep_data: bool) -> None:
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
        data_bytes = check_contents(zf, listed, entries, check, limits)
    if data_bytes is None:
        return
    doc, why = parse_data(data_bytes)
    if doc is None:
        check.add(DATA, why)
        return
    try:
        reasons, year_data = check_data(doc, made_on(manifest, check))
    except Exception as err:  # a value of a type no honest export writes
        reasons, year_data = [f"data.json 中有格式不对的内容（{type(err).__name__}）"], None
    for reason in reasons:
        check.add(DATA, reason)
    for file, reason in check_data_against_bundle(doc, manifest, listed, check.reported):
        check.add(file, reason)
    if keep_data:
        check.data, check.year_data = doc, year_data


def made_on(manifest: dict[str, Any], check: BundleCheck) -> dt.date | None:
    """The day the bundle was made (the date of `created_at` as the branch's PC wrote it): no
    activity can have been held or reported after it. None, with the reason added, when it is
    missing or not an ISO timestamp (data.json is then checked against today)."""
    stamp = manifest.get("created_at")
    try:
        if isinstance(stamp, str) and _ISO_STAMP.match(stamp):
            return dt.datetime.fromisoformat(stamp).date()
    except ValueError:
        pass
    check.add(MANIFEST, "清单中的生成时间（created_at）缺少或格式不对")
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
    entries: Entries,
    check: BundleCheck,
    limits: Limits,
) -> bytes | None:
    """Stream every listed file: size and sha256 must match the manifest. Returns data.json's
    bytes when data.json is intact, else None."""
    data_bytes: bytes | None = None
    total = 0
    # The stored entries (the photos, PDFs) are read into it, a chunk at a time.
    buffer = bytearray(min(CHUNK, max((i.file_size for i in entries.values()), default=0)))
    for p, item in listed.items():
        info = entries[p]
        if info.file_size != item["bytes"]:
            check.add(p, f"大小不符：清单写 {item['bytes']} 字节，包中为 {info.file_size} 字节")
            continue
        keep = p == DATA
        if keep and info.file_size > limits.max_data_bytes:
            check.add(p, f"data.json 过大（{mb(info.file_size)}）")
            continue
        cap = entry_cap(info, limits, limits.max_total_bytes - total)
        header = entries.headers[info.header_offset]
        read = _hash_entry(zf, info, header, cap, keep, buffer)
        if isinstance(read, str):
            check.add(p, read)
            continue
        digest, size, content = read
        total += size
        if size != item["bytes"]:
            check.add(p, f"大小不符：清单写 {item['bytes']} 字节，实际 {size} 字节")
        elif digest != item["sha256"]:
            damaged = plainly_stored(info) and isinstance(
                _hash_entry(zf, info, header, cap, False, buffer, crc=True), str
            )
            check.add(p, DAMAGED if damaged else "sha256 校验值不符，文件内容被改动过")
        elif keep:
            data_bytes = content
    if DATA not in listed and not check.reported(DATA):
        check.add(DATA, "缺少台账数据 data.json")
    return data_bytes


def _hash_entry(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    header: LocalHeader,
    cap: int,
    keep: bool,
    buffer: bytearray,
    *,
    crc: bool = False,
) -> tuple[str, int, bytes | None] | str:
    """(sha256, bytes read, the bytes when `keep`) of one entry, or the reason it could not be
    read whole. A stored entry is read as it lies in the zip (`read_stored`, the same checks
    as zipfile's reader), a deflated one through zipfile.

    A stored entry's CRC-32 is computed only when its sha256 does not match the manifest
    (`crc=True`, to tell damage from an edit) or its two headers disagree: bytes that match
    the listed, signed sha256 are the bytes exported, which the CRC could only confirm."""
    h = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    try:
        if plainly_stored(info):
            source = read_stored(zf, info, header, cap, buffer, crc=crc)
        else:
            source = read_limited(zf, info, cap)
        for chunk in source:
            h.update(chunk)
            size += len(chunk)
            if keep:
                chunks.append(bytes(chunk))
    except TooBig:
        return "解压后超过允许的大小，疑似“压缩炸弹”"
    except _DAMAGED:
        return DAMAGED
    return h.hexdigest(), size, b"".join(chunks) if keep else None
