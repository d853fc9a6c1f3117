"""Building hostile bundles by hand for the township's tests: a real export taken apart, changed as
an attacker would, and put back together with a manifest that lists it correctly (what a careful
forger does), or with zip headers patched byte by byte where zipfile would not write them."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCAL_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"


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
    import zlib

    out.write_bytes(good.read_bytes())
    body = b"\x01" + struct.pack("<I", zlib.crc32(entry.encode("utf-8"))) + shown_as.encode()
    add_extra_field(out, entry, struct.pack("<HH", 0x7075, len(body)) + body)
    return out
