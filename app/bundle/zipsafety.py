"""Reading a zip nobody here made without being hurt by it (docs/formats.md "Export bundle",
"Limits"): entry names that cannot escape the folder they are unpacked into, bounded sizes and
compression ratio by the headers, and decompression that stops at a cap whatever the headers
say."""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

CHUNK = 1 << 20

Add = Callable[[str, str], None]  # (file in the bundle, Chinese reason)


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


class Unreadable(Exception):
    """Nothing further can be checked (no readable zip, or a manifest of a format we don't
    know); the reason has already been added."""


class TooBig(Exception):
    """An entry decompressed past its cap."""


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


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


def _entry_reason(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why a regular file entry's headers are refused (None: its headers are fine)."""
    if info.flag_bits & 0x1:
        return "文件被加密，无法校验"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "使用了不支持的压缩方式"
    if info.file_size > limits.max_file_bytes:
        return f"解压后过大（{mb(info.file_size)}，上限 {mb(limits.max_file_bytes)}）"
    packed = max(info.compress_size, 1)
    if info.file_size >= limits.ratio_min_bytes and info.file_size > limits.max_ratio * packed:
        ratio = info.file_size // packed
        return f"压缩比异常（{ratio}:1，上限 {limits.max_ratio}:1），疑似“压缩炸弹”"
    return None


def check_entries(
    zf: zipfile.ZipFile, whole: str, add: Add, limits: Limits = DEFAULT_LIMITS
) -> dict[str, zipfile.ZipInfo]:
    """Header checks of every entry; returns {name: ZipInfo} of the regular files that pass.
    Problems of the zip as a whole are added under `whole` (the bundle's file name); too many
    entries or too many bytes in all raise `Unreadable`."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        add(whole, f"包内文件数过多（{len(infos)} 个）")
        raise Unreadable
    files: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        bad = unsafe_entry_reason(name)
        if bad:
            add(name, bad)
            continue
        if name.casefold() in folded and name not in files:
            # Windows would unpack both into one file, the second overwriting the first.
            add(name, "与包内另一文件名仅大小写不同")
            continue
        folded.add(name.casefold())
        if stat.S_ISLNK(info.external_attr >> 16):
            add(name, "是符号链接，报送包中不允许链接")
            continue
        if info.is_dir():
            if info.file_size or info.compress_size > 2:
                add(name, "文件夹条目中藏有数据，报送包中不允许")
            continue  # an empty folder entry holds nothing; its files are checked on their own
        if name in files:
            add(name, "包内有两个同名文件")
            continue
        bad = _entry_reason(info, limits)
        if bad:
            add(name, bad)
            continue
        total += info.file_size
        files[name] = info
    if total > limits.max_total_bytes:
        add(
            whole, f"解压后总大小 {mb(total)} 超过上限 {mb(limits.max_total_bytes)}，疑似“压缩炸弹”"
        )
        raise Unreadable
    return files


def read_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """Decompress one entry in chunks, never past `cap` bytes whatever its headers say."""
    produced = 0
    with zf.open(info) as f:
        while True:
            chunk = f.read(min(CHUNK, cap - produced + 1))
            if not chunk:
                return
            produced += len(chunk)
            if produced > cap:
                raise TooBig(produced)
            yield chunk


def entry_cap(info: zipfile.ZipInfo, limits: Limits, room: int) -> int:
    """How many bytes an entry may decompress to: its stated size, the per-file limit, what is
    left of the total (`room`), and the ratio limit for large entries."""
    cap = min(info.file_size, limits.max_file_bytes, room)
    if info.compress_size and info.file_size >= limits.ratio_min_bytes:
        cap = min(cap, limits.max_ratio * info.compress_size)
    return cap
