"""Building hostile bundles by hand for the township's tests: a real export (`export_demo`) taken
apart, changed as an attacker would, and put back together with a manifest that lists it correctly
(what a careful forger does), or with zip headers patched byte by byte where zipfile would not
write them."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bundle.signature import sign_manifest
from app.bundle.write import export_bundle
from app.models import close_database, open_database
from app.paths import database_path
from app.signing import load_key
from tests.conftest import DEMO_TODAY, DEMO_YEAR

LOCAL_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"


def export_demo(root: Path) -> Path:
    """One real export of the demo branch made in `root` (its data dir is root/data), for a
    module's attacks to share (each works on a copy)."""
    from app.services.demo import create_demo

    open_database(database_path(root / "data"))
    try:
        create_demo(root / "data", year=DEMO_YEAR, today=DEMO_TODAY)
        return export_bundle(DEMO_YEAR, root, today=DEMO_TODAY)
    finally:
        close_database()


def entries_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_zip(
    path: Path, entries: dict[str, bytes], infos: dict[str, zipfile.ZipInfo] | None = None
):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr((infos or {}).get(name, name), content)
    return path


def relist(entries: dict[str, bytes]) -> None:
    """manifest.json rewritten to list exactly the other entries with their right hashes."""
    manifest = json.loads(entries["manifest.json"])
    manifest["files"] = [
        {"path": n, "sha256": hashlib.sha256(c).hexdigest(), "bytes": len(c)}
        for n, c in entries.items()
        if n not in ("manifest.json", "manifest.sig")
    ]
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()


def relist_signed(entries: dict[str, bytes], good: Path) -> None:
    """`relist`, then sign the manifest again with the branch's own key (the data dir beside
    `good`, as `export_demo` made it) — what a careful forger who also took the branch's PC would
    do; so the checks beneath the signature are what the attacks meet (a forger without the key:
    tests/test_signed_bundles.py)."""
    relist(entries)
    entries["manifest.sig"] = sign_manifest(
        entries["manifest.json"], load_key(good.parent / "data")
    )


def with_data(good: Path, out: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """The good bundle with data.json changed by `change` and the manifest relisted."""
    entries = entries_of(good)
    doc = json.loads(entries["data.json"])
    change(doc)
    entries["data.json"] = json.dumps(doc, ensure_ascii=False).encode()
    relist(entries)
    return write_zip(out, entries)


def with_entry(good: Path, out: Path, name: str, content: bytes, *, listed: bool = True) -> Path:
    """The good bundle with one more entry (listed in the manifest when `listed`)."""
    entries = entries_of(good)
    entries[name] = content
    if listed:
        relist(entries)
    return write_zip(out, entries)


def held_activity(doc: dict[str, Any], n: int = 0) -> dict[str, Any]:
    """The n-th held activity that has attendance."""
    return [a for a in doc["activities"] if a["held_date"] and a["attendance"]][n]


def add_extra_field(path: Path, name: str, extra: bytes) -> None:
    """Append `extra` to the extra field of entry `name` in both its local and central headers,
    fixing every offset after it (zipfile writes no Unicode-path field of its own)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        local = info.header_offset
    n_len, x_len = struct.unpack_from("<HH", raw, local + 26)
    at = local + 30 + n_len + x_len
    raw[at:at] = extra
    struct.pack_into("<H", raw, local + 28, x_len + len(extra))
    shift = len(extra)
    end = raw.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", raw, end + 12)
    cd_offset += shift
    struct.pack_into("<I", raw, end + 16, cd_offset)
    pos = cd_offset
    grown = 0
    while raw[pos : pos + 4] == CENTRAL_SIGNATURE:
        n_len, x_len, c_len = struct.unpack_from("<HHH", raw, pos + 28)
        offset = struct.unpack_from("<I", raw, pos + 42)[0]
        if offset > local:
            struct.pack_into("<I", raw, pos + 42, offset + shift)
        entry_name = bytes(raw[pos + 46 : pos + 46 + n_len])
        if entry_name == name.encode("utf-8"):
            at = pos + 46 + n_len + x_len
            raw[at:at] = extra
            struct.pack_into("<H", raw, pos + 30, x_len + len(extra))
            x_len += len(extra)
            grown += len(extra)
        pos += 46 + n_len + x_len + c_len
    end = raw.rfind(b"PK\x05\x06")
    struct.pack_into("<I", raw, end + 12, cd_size + grown)
    path.write_bytes(bytes(raw))


def with_unicode_path(good: Path, out: Path, entry: str, shown_as: str) -> Path:
    """Entry `entry` carries a Unicode Path extra field saying `shown_as` (what unzip extracts)."""
    out.write_bytes(good.read_bytes())
    body = b"\x01" + struct.pack("<I", zlib.crc32(entry.encode("utf-8"))) + shown_as.encode()
    add_extra_field(out, entry, struct.pack("<HH", 0x7075, len(body)) + body)
    return out


def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
    return (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, packed, size, len(name), 0)
        + name
    )


def _central_header(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            packed,
            size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


def overlap_bomb(path: Path, files: int = 10, kernel_bytes: int = 96_600_000) -> Path:
    """David Fifield's overlapping zip bomb: every entry's deflate data starts with a stored
    block quoting the next entry's local header and goes on into that entry's data, so all
    entries share one compressed kernel. About 100 kB that unpacks to `files` x 96.6 MB."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = b"".join(squeeze.compress(bytes(1 << 20)) for _ in range(kernel_bytes >> 20))
    kernel += squeeze.compress(bytes(kernel_bytes % (1 << 20))) + squeeze.flush()
    names = [f"attachments/{i:02d}.jpg".encode() for i in range(files)]
    # From the last entry back: each one's output is the next local header, then the next's.
    headers: list[bytes] = [b""] * files
    sizes = [0] * files
    packed = [0] * files
    tail_out: list[bytes] = []  # the headers quoted before the kernel's output, in order
    for i in reversed(range(files)):
        quoted = b"".join(tail_out)
        sizes[i] = len(quoted) + kernel_bytes
        crc = zlib.crc32(quoted)
        for _ in range(kernel_bytes >> 20):
            crc = zlib.crc32(bytes(1 << 20), crc)
        crc = zlib.crc32(bytes(kernel_bytes % (1 << 20)), crc)
        packed[i] = sum(5 + len(h) for h in tail_out) + len(kernel)
        headers[i] = _local_header(names[i], crc, packed[i], sizes[i])
        tail_out.insert(0, headers[i])
    body = bytearray()
    offsets = []
    for i in range(files):
        offsets.append(len(body))
        body += headers[i]
        if i + 1 < files:  # a non-final stored block quoting the next local header
            n = len(headers[i + 1])
            body += struct.pack("<BHH", 0, n, n ^ 0xFFFF)
    body += kernel
    central = b"".join(
        _central_header(names[i], *struct.unpack_from("<III", headers[i], 14), offsets[i])
        for i in range(files)
    )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, files, files, len(central), len(body), 0)
    path.write_bytes(bytes(body) + central + end)
    return path
