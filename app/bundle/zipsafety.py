"""Reading a zip nobody here made without being hurt by it (docs/formats.md "Export bundle",
"Limits"): entry names that cannot escape the folder they are unpacked into, bounded sizes and
compression ratio by the headers, and decompression that stops at a cap whatever the headers
say."""

from __future__ import annotations

import functools
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.filenames import DEVICE_NAMES

CHUNK = 1 << 20

# What Windows does not allow in a name (":" is said on its own: an NTFS stream).
_WINDOWS_FORBIDDEN = re.compile(r'[<>"|?*]')
# Control characters, direction controls, zero-width characters and non-characters
# (the characters text_rules refuses in any text, docs/formats.md "Bounds").
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffe\uffff"
    "\ud800-\udfff]"
)
UNICODE_PATH_FIELD = 0x7075  # Info-ZIP Unicode Path extra field: unzip names the file by it
_EOCD_SEARCH = 22 + 0xFFFF  # the end-of-directory record and the longest comment after it
_DIRECTORY_BYTES_PER_ENTRY = 512  # a central header with a long name and its zip64 fields
# A local file header's flags, CRC-32 and name and extra lengths (after its signature).
_LOCAL = struct.Struct("<6xH6xI8xHH")

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
    max_data_bytes: int = 16 * 1024 * 1024  # a real year is well under 1 MB


DEFAULT_LIMITS = Limits()


class Unreadable(Exception):
    """Nothing further can be checked (no readable zip, or a manifest of a format we don't
    know); the reason has already been added."""


class TooBig(Exception):
    """An entry decompressed past its cap."""


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


@functools.lru_cache(maxsize=4096)  # every bundle has the same few dozen names
def unsafe_entry_reason(name: str) -> str | None:
    """Why an entry name must not be extracted, or None when it is a plain path that unpacks
    as itself on Windows, macOS and Linux alike: no zip-slip (absolute, `..`, backslash, drive
    letter), nothing Windows changes or refuses (NTFS streams `a:b`, device names `CON`/`NUL`,
    trailing dots or spaces, `<>"|?*`), no invisible or direction-control characters, and the
    name already in the form (NFKC) every system normalises it to."""
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
    return _hidden_char_reason(name) or _windows_reason(parts)


def _hidden_char_reason(name: str) -> str | None:
    hidden = _HIDDEN.search(name)
    if hidden:
        code = f"U+{ord(hidden.group()):04X}"
        if 0x200E <= ord(hidden.group()) <= 0x2069 or hidden.group() == "\u061c":
            return f"文件名含文字方向控制符（{code}），可能把真实的文件类型（如 .exe）伪装成别的"
        return f"文件名含不可见的控制字符（{code}）"
    if unicodedata.normalize("NFKC", name) != name:
        return (
            "文件名不是标准写法（含分解形式或兼容字符，NFC/NFKC 规范化后会变成另一个名字），"
            "在另一台电脑上可能解压成别的文件"
        )
    return None


def _windows_reason(parts: list[str]) -> str | None:
    for part in parts:
        if ":" in part:
            return "文件名含冒号“:”（NTFS 数据流），在 Windows 上会写到另一个文件里"
        if _WINDOWS_FORBIDDEN.search(part):
            return '文件名含 Windows 不允许的字符（< > " | ? *）'
        if part.endswith((".", " ")):
            return "文件名以点或空格结尾，Windows 解压时会去掉它们，变成另一个文件名"
        if part.split(".")[0].rstrip(" ").upper() in DEVICE_NAMES:
            return f"文件名“{part}”是 Windows 保留的设备名（CON、NUL、COM1 等），无法正常解压"
    return None


def _entry_reason(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why a regular file entry's headers are refused (None: its headers are fine)."""
    if info.flag_bits & 0x1:
        return "文件被加密，无法校验"
    if info.flag_bits & 0x60:  # patched data (bit 5), strong encryption (bit 6)
        return "使用了不支持的压缩方式"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "使用了不支持的压缩方式"
    if info.file_size > limits.max_file_bytes:
        return f"解压后过大（{mb(info.file_size)}，上限 {mb(limits.max_file_bytes)}）"
    packed = max(info.compress_size, 1)
    if info.file_size >= limits.ratio_min_bytes and info.file_size > limits.max_ratio * packed:
        ratio = info.file_size // packed
        return f"压缩比异常（{ratio}:1，上限 {limits.max_ratio}:1），疑似“压缩炸弹”"
    return None


def directory_reason(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the zip's central directory is refused before zipfile reads it (zipfile reads the
    whole directory into memory whatever entry count it claims): more entries than
    `max_entries`, or a directory larger than that many entries can need. None when the
    directory is small enough, or when there is none to find (zipfile then says it is no zip)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - _EOCD_SEARCH))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
        if entries == 0xFFFF or cd_size == 0xFFFFFFFF:  # zip64: the real figures are elsewhere
            locator = tail[max(0, at - 20) : at]
            if len(locator) < 20 or locator[:4] != b"PK\x06\x07":
                return None
            f.seek(struct.unpack_from("<Q", locator, 8)[0])
            record = f.read(56)
            if len(record) < 56 or record[:4] != b"PK\x06\x06":
                return None
            entries, cd_size = struct.unpack_from("<QQ", record, 32)
    if entries > limits.max_entries:
        return f"包内文件数过多（{entries} 个，上限 {limits.max_entries} 个）"
    if cd_size > limits.max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        return f"包的文件目录过大（{mb(cd_size)}），不像是党日活动报送包"
    return None


@dataclass(frozen=True, slots=True)
class LocalHeader:
    """An entry's local file header, as unzip tools read it (it need not agree with the
    central directory's): read once per entry by `check_entries`."""

    flags: int
    crc: int
    name: bytes
    extra: bytes
    data_at: int  # where the entry's data begin


class Entries(dict[str, zipfile.ZipInfo]):
    """`check_entries`' {name: ZipInfo} of the regular files that pass, with the local header
    of every entry of the zip by its offset (`headers`)."""

    def __init__(self, headers: dict[int, LocalHeader]):
        super().__init__()
        self.headers = headers


def local_headers(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> tuple[dict[int, LocalHeader], str | None]:
    """Every entry's local header by offset, and why the entries' data are not laid out one
    after another (None when they are): each entry's local header and compressed data must end
    before the next entry's header and before the central directory. Overlapping entries are
    how a 1 MB zip unpacks to a gigabyte — every entry decompresses the same bytes again."""
    fp = zf.fp
    assert fp is not None
    headers: dict[int, LocalHeader] = {}
    end = 0
    for offset, packed in sorted((i.header_offset, i.compress_size) for i in infos):
        if offset < end:
            return headers, "包内文件的数据相互重叠，疑似“重叠压缩炸弹”"
        fp.seek(offset)
        head = fp.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            return headers, "包内文件的位置信息不对，文件已损坏"
        flags, crc, n_len, x_len = _LOCAL.unpack_from(head)
        rest = fp.read(n_len + x_len)
        data_at = offset + 30 + n_len + x_len
        headers[offset] = LocalHeader(flags, crc, rest[:n_len], rest[n_len:], data_at)
        end = data_at + packed
    if end > zf.start_dir:
        return headers, "包内文件的数据与文件目录重叠，疑似“重叠压缩炸弹”"
    return headers, None


def unicode_path_reason(info: zipfile.ZipInfo, header: LocalHeader) -> str | None:
    """Why an entry is refused for a Unicode Path extra field (0x7075) naming another file:
    unzip extracts it under that name (statistics.xlsx as 发票.exe), while the manifest and
    this check see the entry's own name. Both the central and the local extra field count."""
    for extra in (info.extra, header.extra):
        for shown in _unicode_paths(extra):
            if shown != info.filename:
                printable = _HIDDEN.sub("?", shown)[:80]
                return f"附加字段（Unicode Path）写着另一个文件名“{printable}”，解压工具会按那个名字解出"
    return None


def _unicode_paths(extra: bytes) -> Iterator[str]:
    """The names in every Unicode Path field of an extra block ("?" for undecodable bytes)."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if kind == UNICODE_PATH_FIELD and len(body) >= 5:
            yield body[5:].decode("utf-8", "replace")
        pos += 4 + size


def check_entries(
    zf: zipfile.ZipFile, whole: str, add: Add, limits: Limits = DEFAULT_LIMITS
) -> Entries:
    """Header checks of every entry; returns {name: ZipInfo} of the regular files that pass
    (with every entry's local header: `Entries`).
    Problems of the zip as a whole are added under `whole` (the bundle's file name); too many
    entries or too many bytes in all raise `Unreadable`."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        add(whole, f"包内文件数过多（{len(infos)} 个）")
        raise Unreadable
    headers, bad = local_headers(zf, infos)
    if bad:
        add(whole, bad)
        raise Unreadable
    files = Entries(headers)
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        bad = unsafe_entry_reason(name)
        if bad:
            add(name, bad)
            continue
        bad = unicode_path_reason(info, headers[info.header_offset])
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


def plainly_stored(info: zipfile.ZipInfo) -> bool:
    """A stored (uncompressed) entry whose packed and unpacked sizes agree: its bytes lie in
    the file as they are, and `read_stored` can hand them over without zipfile's reader."""
    return info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size


def read_stored(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    header: LocalHeader,
    cap: int,
    buffer: bytearray,
    *,
    crc: bool = True,
) -> Iterator[memoryview]:
    """A `plainly_stored` entry's bytes read straight from the zip into `buffer` (each chunk
    is a view of it, valid until the next), with every check zipfile's own reader makes of a
    stored entry: its local `header` (as `check_entries` read it) naming the same file as the
    directory, all of the data present, and the CRC-32 the directory gives (raised as
    `zipfile.BadZipFile` after the last chunk, `EOFError` when the file ends early). Never more
    than `cap` bytes: an entry whose stated size is over it raises `TooBig` before anything is
    read. It saves zipfile's per-read bookkeeping and a copy of every chunk; the bytes are the
    same.

    `crc=False` (for a caller that checks the bytes against a sha256 itself, and asks again
    with `crc=True` when they do not match): the CRC-32 is left out when the local header
    states the same one as the directory; it is still computed and checked when they differ
    or the local header defers it to a data descriptor."""
    if info.file_size > cap:
        raise TooBig(info.file_size)
    fp = zf.fp
    assert fp is not None
    crc = crc or bool(header.flags & 0x8) or header.crc != info.CRC
    encoding = "utf-8" if header.flags & 0x800 else (zf.metadata_encoding or "cp437")
    if header.name.decode(encoding) != info.orig_filename:
        raise zipfile.BadZipFile("local and central file names differ")
    fp.seek(header.data_at)
    view = memoryview(buffer)
    running, left = 0, info.file_size
    while left:
        got = fp.readinto(view[: min(left, len(view))])
        if not got:
            raise EOFError("entry cut short")
        chunk = view[:got]
        if crc:
            running = zlib.crc32(chunk, running)
        left -= got
        yield chunk
    if crc and running != info.CRC:
        raise zipfile.BadZipFile("bad CRC-32")


def entry_cap(info: zipfile.ZipInfo, limits: Limits, room: int) -> int:
    """How many bytes an entry may decompress to: its stated size, the per-file limit, what is
    left of the total (`room`), and the ratio limit for large entries."""
    cap = min(info.file_size, limits.max_file_bytes, room)
    if info.compress_size and info.file_size >= limits.ratio_min_bytes:
        cap = min(cap, limits.max_ratio * info.compress_size)
    return cap
