"""The township's 回执 (docs/formats.md "回执"): after summing a year's bundles, one signed file
per bundle it took (已接收) or left out (退回, with the reasons and what to do), naming the bundle
by its manifest's sha256 and the branch by its key, so only the branch that exported that very
bundle can take it in. A bundle of another year is not judged by this summing: no receipt."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import files
from app.bundle.downlink import (
    NAME_MAX,
    REASON_MAX,
    REASONS_MAX,
    RECEIPT_FORMAT,
    RECEIPT_SUFFIX,
    RECEIPT_VERSION,
    receipt_filename,
)
from app.bundle.names import MANIFEST, SIGNATURE, guess_from_name
from app.bundle.signature import MAX_SIGNATURE_BYTES, signature_problem, signer_reason
from app.bundle.write import check_destination
from app.bundle.zipsafety import DEFAULT_LIMITS, TooBig, Unreadable, check_entries, read_limited
from app.models import vocab
from app.services.text_rules import printable, text_problem
from app.signed_files import envelope, write_signed_zip
from app.township.aggregate import AggregateResult
from app.township.identity import Township


@dataclass(frozen=True)
class BundleIdentity:
    """What a receipt names a bundle by, read from its manifest (signature checked)."""

    file: str
    manifest_sha256: str
    branch: str
    year: int | None
    created_at: str
    fingerprint: str | None  # the signer's, when the manifest's signature checks out


def bundle_identity(path: Path) -> BundleIdentity | None:
    """The bundle's manifest read on its own, within the bundle reader's bounds; None when it
    cannot be read (such a bundle cannot be named to its branch)."""
    try:
        with zipfile.ZipFile(path) as zf:
            entries = check_entries(zf, path.name, lambda _f, _r: None, DEFAULT_LIMITS)
            if MANIFEST not in entries:
                return None
            raw = b"".join(read_limited(zf, entries[MANIFEST], DEFAULT_LIMITS.max_manifest_bytes))
            sig = b""
            if SIGNATURE in entries:
                sig = b"".join(read_limited(zf, entries[SIGNATURE], MAX_SIGNATURE_BYTES))
        manifest = json.loads(raw.decode("utf-8"))
    except (Unreadable, TooBig, zipfile.BadZipFile, OSError, ValueError, EOFError, RecursionError):
        return None
    if not isinstance(manifest, dict):
        return None
    return BundleIdentity(
        path.name,
        hashlib.sha256(raw).hexdigest(),
        *_who(manifest, path),
        str(manifest.get("created_at", ""))[:40],
        _signer(manifest, raw, sig),
    )


def _who(manifest: dict[str, Any], path: Path) -> tuple[str, int | None]:
    branch = manifest.get("branch")
    name = branch.get("name") if isinstance(branch, dict) else None
    year = manifest.get("year")
    if not isinstance(name, str) or not name.strip() or text_problem(name, "党组织", NAME_MAX):
        name = guess_from_name(path)[0] or "（无法识别的党组织）"
    return printable(name)[:NAME_MAX], year if type(year) is int else guess_from_name(path)[1]


def _signer(manifest: dict[str, Any], raw: bytes, sig: bytes) -> str | None:
    if not sig or signer_reason(manifest) is not None:
        return None
    return manifest["signer"]["fingerprint"] if not signature_problem(raw, manifest, sig) else None


@dataclass
class ReceiptsWritten:
    out_dir: Path
    written: list[tuple[Path, str]] = field(default_factory=list)  # (file, status)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (bundle, why no receipt)

    def lines(self) -> list[str]:
        accepted = sum(1 for _, s in self.written if s == vocab.RECEIPT_ACCEPTED)
        lines = [
            f"已写回执 {len(self.written)} 份（已接收 {accepted} 份，退回 {len(self.written) - accepted} 份）"
            f"到：{self.out_dir}"
        ]
        lines += [f"  {p.name}：{s}" for p, s in self.written]
        lines += [f"未写回执：{b}（{why}）" for b, why in self.skipped]
        return lines


def _reasons(problems: list[tuple[str, str]], whole: str) -> list[dict[str, str]]:
    out = []
    for file, reason in problems[:REASONS_MAX]:
        shown = "" if file == whole else printable(file)[:REASON_MAX]
        out.append({"file": shown, "reason": printable(reason)[:REASON_MAX]})
    return out


def write_receipts(
    result: AggregateResult, out_dir: Path, township: Township, today: dt.date | None = None
) -> ReceiptsWritten:
    """One signed 回执 per bundle summed (已接收) or left out (退回) into `out_dir`."""
    out_dir = Path(out_dir)
    check_destination(out_dir)
    today = today or dt.date.today()
    done = ReceiptsWritten(out_dir)
    verdicts: list[tuple[Path, str, list[dict[str, str]], str]] = [
        (row.path, vocab.RECEIPT_ACCEPTED, [], "") for row in result.rows if row.path
    ]
    for bad in result.rejected:
        if bad.other_year:
            done.skipped.append((bad.path.name, f"是{bad.year}年度的，汇总该年度时再写"))
            continue
        advice = printable(bad.advice)[:REASON_MAX]
        verdicts.append(
            (bad.path, vocab.RECEIPT_RETURNED, _reasons(bad.problems, bad.path.name), advice)
        )
    used: set[str] = set()
    answered: dict[str, str] = {}  # manifest sha256 -> the bundle it was answered for
    for path, status, reasons, advice in verdicts:  # the ones taken first
        who = bundle_identity(path)
        if who is None or who.year is None:
            done.skipped.append(
                (path.name, "报送包的清单无法读取，无法对应到党支部，请电话通知该支部重新导出")
            )
            continue
        if who.manifest_sha256 in answered:  # a copy of one export (two USB sticks): one answer
            done.skipped.append((str(path), f"与 {answered[who.manifest_sha256]} 是同一份报送包"))
            continue
        answered[who.manifest_sha256] = str(path)
        name = receipt_filename(who.branch, who.year)
        if name.casefold() in used:  # two bundles of one branch and year (or same-name branches)
            name = name.removesuffix(RECEIPT_SUFFIX) + f"-{who.manifest_sha256[:8]}{RECEIPT_SUFFIX}"
        used.add(name.casefold())
        manifest = _receipt(township, who, today, status, reasons, advice)
        try:
            write_signed_zip(out_dir / name, manifest, township.signer, what="回执")
        except files.HeldOpen as err:  # one held file never stops the rest (docs/windows.md)
            done.skipped.append((path.name, _held_text(err.target)))
            continue
        done.written.append((out_dir / name, status))
    return done


def _held_text(receipt: Path) -> str:
    return (
        f"原有的回执“{receipt.name}”正被{files.holder_of(receipt)}打开，没有覆盖；"
        "关闭该程序后再写一次回执"
    )


def _receipt(
    township: Township,
    who: BundleIdentity,
    today: dt.date,
    status: str,
    reasons: list[dict[str, str]],
    advice: str,
) -> dict[str, Any]:
    return {
        **envelope(RECEIPT_FORMAT, RECEIPT_VERSION, township.signer),
        "township": township.to_json(),
        "branch": {"name": who.branch, "fingerprint": who.fingerprint},
        "year": who.year,
        "bundle": {
            "file": printable(who.file)[:REASON_MAX],
            "manifest_sha256": who.manifest_sha256,
            "created_at": printable(who.created_at),
        },
        "received_on": today.isoformat(),
        "status": status,
        "reasons": reasons,
        "advice": advice,
    }
