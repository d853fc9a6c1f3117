"""The small signed zip both sides of the USB stick pass down (docs/formats.md "下发包", "回执"):
`manifest.json` holding everything, and `manifest.sig`, the Ed25519 signature over its exact
bytes, as in a signed bundle (docs/signing.md). Nothing else may be in it.

`write_signed_zip` is the writer's side (through `app.files.replacing`); `read_signed_zip` the
reader's: the bundle's zip-safety checks (`app.bundle.zipsafety`) with small bounds, the format
and version, the signature. Anything wrong raises `SignedFileError` with the Chinese reason;
whose key signed it is the caller's question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import __version__, files
from app.bundle.names import MANIFEST, SIGNATURE
from app.bundle.signature import (
    MAX_SIGNATURE_BYTES,
    TAMPERED,
    sign_manifest,
    signature_problem,
    signer_reason,
)
from app.bundle.zipsafety import Limits, TooBig, Unreadable, check_entries, mb, read_limited
from app.errors import UserError
from app.signing import Signer

# A 下发包 or 回执 is a few kilobytes of JSON: anything near these bounds is not one.
LIMITS = Limits(
    max_file_bytes=2 * 1024 * 1024,
    max_total_bytes=4 * 1024 * 1024,
    max_entries=8,
    max_manifest_bytes=2 * 1024 * 1024,
)
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


class SignedFileError(UserError):
    """A signed file that cannot be taken: the message says why, in Chinese."""


@dataclass(frozen=True)
class SignedFile:
    """A signed file whose signature checked out: its manifest, the manifest's exact bytes'
    sha256, and the signer (`{"algorithm", "public_key", "fingerprint"}`)."""

    path: Path
    manifest: dict[str, Any]
    sha256: str

    @property
    def public_key(self) -> str:
        return self.manifest["signer"]["public_key"]

    @property
    def fingerprint(self) -> str:
        return self.manifest["signer"]["fingerprint"]


def now_stamp() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def envelope(fmt: str, version: int, signer: Signer) -> dict[str, Any]:
    """The keys every signed file starts with."""
    return {
        "format": fmt,
        "format_version": version,
        "created_at": now_stamp(),
        "app_version": __version__,
        "signer": signer.to_json(),
    }


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=dt.datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def write_signed_zip(target: Path, manifest: dict[str, Any], signer: Signer, *, what: str) -> str:
    """Write `manifest` and its signature as one zip at `target`; returns the manifest's sha256."""
    raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    with files.replacing(Path(target), what=what) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr(_entry(MANIFEST), raw)
            zf.writestr(_entry(SIGNATURE), sign_manifest(raw, signer))
    return hashlib.sha256(raw).hexdigest()


def read_signed_zip(path: Path, fmt: str, versions: tuple[int, ...], what: str) -> SignedFile:
    """The verified content of a signed file of format `fmt` (one of `versions`); `what` names
    it in the reasons ("下发包", "回执"). Raises SignedFileError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise SignedFileError(f"找不到文件：{path}", f"no such file {path}")
    if path.stat().st_size > LIMITS.max_total_bytes:
        raise SignedFileError(
            f"“{path.name}”过大（超过 {mb(LIMITS.max_total_bytes)}），不是{what}。",
            f"{path.name} is too large for a {fmt}",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            raw, sig = _two_entries(zf, path.name, what)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise SignedFileError(
            f"“{path.name}”不是有效的{what}（不是 zip 文件，或文件不完整，可能没有复制完）。",
            f"{path.name} is not a zip: {err}",
        ) from err
    manifest = _parse(raw, fmt, versions, what)
    reason = signature_problem(raw, manifest, sig)
    if reason == TAMPERED:
        reason = f"签名无效：{what}在签名之后被改动过，内容不可信"
    if reason:
        raise SignedFileError(f"{what}“{path.name}”不能采用：{reason}。", "bad signature")
    return SignedFile(path, manifest, hashlib.sha256(raw).hexdigest())


def _two_entries(zf: zipfile.ZipFile, whole: str, what: str) -> tuple[bytes, bytes]:
    """manifest.json's and manifest.sig's bytes; nothing else may be in the zip."""
    problems: list[str] = []

    def add(name: str, reason: str) -> None:
        problems.append(reason if name == whole else f"{name}：{reason}")

    try:
        entries = check_entries(zf, whole, add, LIMITS)
    except Unreadable:
        entries = {}
    extra = sorted(set(entries) - {MANIFEST, SIGNATURE})
    problems += [f"{name}：不应在{what}中的多余文件" for name in extra]
    for name in (MANIFEST, SIGNATURE):
        if name not in entries and not problems:
            problems.append(f"缺少 {name}，{what}不完整或签名被去掉了")
    if problems:
        raise SignedFileError(
            f"“{whole}”不能作为{what}采用：" + "；".join(problems[:5]) + "。",
            f"{whole}: {len(problems)} problem(s)",
        )
    caps = {MANIFEST: LIMITS.max_manifest_bytes, SIGNATURE: MAX_SIGNATURE_BYTES}
    read: dict[str, bytes] = {}
    for name, cap in caps.items():
        try:
            read[name] = b"".join(read_limited(zf, entries[name], cap))
        except TooBig:
            raise SignedFileError(
                f"“{whole}”中的 {name} 过大，不是{what}。", f"{name} too large"
            ) from None
        except _DAMAGED:
            raise SignedFileError(
                f"“{whole}”中的 {name} 已损坏（解压出错或校验码不符），请重新复制。",
                f"{name} damaged",
            ) from None
    return read[MANIFEST], read[SIGNATURE]


def _parse(raw: bytes, fmt: str, versions: tuple[int, ...], what: str) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SignedFileError(f"{what}的清单不是有效的 JSON。", "manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != fmt:
        raise SignedFileError(f"这个文件不是{what}（format 不是 {fmt}）。", f"not a {fmt}")
    version = manifest.get("format_version")
    if type(version) is not int or version not in versions:
        newer = type(version) is int and version > max(versions)
        hint = "，请升级党日记实后再导入" if newer else ""
        raise SignedFileError(
            f"{what}的格式版本“{version}”本程序不认识（认识版本 {max(versions)}）{hint}。",
            f"unknown {fmt} version {version!r}",
        )
    reason = signer_reason(manifest)
    if reason:
        raise SignedFileError(f"{what}不能采用：{reason}。", "bad signer")
    return manifest
