"""Only what the township needs goes into a bundle (docs/privacy.md): data.json's members keep
the categories and flags the township's statistics use and nothing that identifies a person
beyond the name (no birth date, phone, ID number or address); photos and scans lose their EXIF
and similar metadata (GPS position, camera and phone model, times, thumbnails). The ledger keeps
the originals; these are copies made for the export.

JPEG and PNG, nearly every photo and scan, are cleaned by dropping metadata segments and chunks:
lossless and fast, the picture's bytes are untouched (a JPEG keeps only its orientation, so it
does not show on its side). WebP and TIFF go through Pillow. Other files go as they are.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

# The member keys of data.json the township reads (`YearData.from_json`, `compute_statistics`,
# the bundle checks): who is on the roll when, their category and the special-case flags.
MEMBER_FIELDS = (
    "member_id",
    "name",
    "category",
    "is_mobile",
    "inflow_org",
    "is_frail",
    "is_leader",
    "roll_start",
    "left_date",
    "left_reason",
)

JPEG_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".jfif"}
PNG_SUFFIXES = {".png"}
PILLOW_SUFFIXES = {".webp", ".tif", ".tiff"}
ORIENTATION = 0x0112

# JPEG APPn segments kept, by marker and how their payload starts: JFIF, the colour profile,
# Adobe's colour transform. Everything else (Exif and XMP in APP1, MPF and FlashPix in APP2,
# IPTC in APP13, makers' APP3–APP15) and comments go.
_JPEG_KEEP = {0xE0: (b"JFIF\0", b"JFXX\0"), 0xE2: (b"ICC_PROFILE\0",), 0xEE: (b"Adobe",)}
# PNG chunks kept: the image and how to show its colours; text, eXIf, time and private
# chunks go.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def township_data(doc: dict[str, Any]) -> dict[str, Any]:
    """data.json as the township receives it: each member reduced to MEMBER_FIELDS."""
    out = dict(doc)
    out["members"] = [{k: m[k] for k in MEMBER_FIELDS if k in m} for m in doc["members"]]
    return out


def scrubbed_copy(source: Path, target: Path) -> Path:
    """A copy of `source` at `target` without metadata when it is an image this module cleans;
    otherwise `source` itself (sent as it is). Returns the file to put in the bundle."""
    suffix = Path(source).suffix.lower()
    if suffix not in JPEG_SUFFIXES | PNG_SUFFIXES | PILLOW_SUFFIXES:
        return Path(source)
    data = Path(source).read_bytes()
    cleaned = None
    if suffix in JPEG_SUFFIXES:
        cleaned = clean_jpeg(data)
    elif suffix in PNG_SUFFIXES:
        cleaned = clean_png(data)
    if cleaned is None:  # not the format its name says, or damaged: let Pillow try
        cleaned = _clean_with_pillow(data)
    if cleaned is None:  # not an image Pillow reads either: nothing there to leak
        return Path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(cleaned)
    return target


# --- JPEG ---------------------------------------------------------------------------------------
def clean_jpeg(data: bytes) -> bytes | None:
    """`data` without metadata segments (and without anything after the image, where phones put
    a second picture with its own Exif); None when it is not a well-formed JPEG."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    i, n = 2, len(data)
    while i < n:
        step = _jpeg_step(data, i)
        if step is None:
            return None
        kept, i, done = step
        out += kept
        if done:
            # The orientation goes first, after JFIF's APP0 when there is one.
            first_is_jfif = len(out) > 1 and out[1][:2] == b"\xff\xe0"
            out.insert(2 if first_is_jfif else 1, _orientation_segment(data))
            return b"".join(out)
    return None


def _jpeg_step(data: bytes, i: int) -> tuple[list[bytes], int, bool] | None:
    """Read the marker at `i`: (what to keep of it, where the next one starts, end of image),
    or None when the file is not well-formed there."""
    n = len(data)
    if data[i] != 0xFF:
        return None
    while i < n and data[i] == 0xFF:  # fill bytes before a marker
        i += 1
    if i >= n:
        return None
    marker = data[i]
    i += 1
    if marker == 0xD9:  # end of image
        return [b"\xff\xd9"], i, True
    if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
        return [bytes((0xFF, marker))], i, False
    if i + 2 > n:
        return None
    length = int.from_bytes(data[i : i + 2], "big")
    if length < 2 or i + length > n:
        return None
    kept = [data[i - 2 : i + length]] if _keep_segment(marker, data[i + 2 : i + length]) else []
    i += length
    if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
        end = _scan_end(data, i)
        if end is None:
            return None
        kept.append(data[i:end])
        i = end
    return kept, i, False


def _keep_segment(marker: int, payload: bytes) -> bool:
    if 0xE0 <= marker <= 0xEF:
        return payload.startswith(_JPEG_KEEP.get(marker, ()))
    return marker != 0xFE  # COM: free text, often the camera's


def _scan_end(data: bytes, i: int) -> int | None:
    """Where the entropy-coded data that starts at `i` ends: the next marker that is not a
    stuffed 0xFF00, a restart marker or a fill byte."""
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return None
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            i = j + 1 if following == 0xFF else j + 2
            continue
        return j


def _orientation_segment(data: bytes) -> bytes:
    """An APP1 Exif segment holding only the picture's orientation, when it is not upright."""
    from PIL import Image

    try:
        orientation = Image.open(io.BytesIO(data)).getexif().get(ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a damaged header: no orientation to keep
        return b""
    if orientation in (None, 1) or not isinstance(orientation, int):
        return b""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    payload = exif.tobytes()  # starts with b"Exif\0\0"
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


# --- PNG ----------------------------------------------------------------------------------------
def clean_png(data: bytes) -> bytes | None:
    """`data` with only the chunks that make up the picture; None when it is not a PNG."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    out = [_PNG_SIGNATURE]
    i, n = len(_PNG_SIGNATURE), len(data)
    while i + 12 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > n:
            return None
        if kind in _PNG_KEEP:
            out.append(data[i:end])
        i = end
        if kind == b"IEND":
            return b"".join(out)
    return None


# --- WebP, TIFF and anything the fast paths cannot read ------------------------------------------
def _clean_with_pillow(data: bytes) -> bytes | None:
    """The picture saved again by Pillow with its colour profile and resolution only (every
    page of a multi-page TIFF scan); None when Pillow cannot read it."""
    from PIL import Image, ImageOps, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            frames = []
            for frame in ImageSequence.Iterator(image):
                clean = ImageOps.exif_transpose(frame)  # upright, always a copy
                clean.info = {k: v for k, v in frame.info.items() if k in ("icc_profile", "dpi")}
                frames.append(clean)
            if fmt not in ("JPEG", "PNG", "WEBP", "TIFF") or not frames:
                return None
            out = io.BytesIO()
            options: dict[str, Any] = {"format": fmt}
            for key in ("icc_profile", "dpi"):
                if frames[0].info.get(key):
                    options[key] = frames[0].info[key]
            if fmt == "JPEG":
                options["quality"] = 92
            elif fmt == "WEBP":
                options["quality"] = 90
            elif fmt == "TIFF":
                options["compression"] = "tiff_lzw"
            if len(frames) > 1 and fmt in ("TIFF", "WEBP", "PNG"):
                options.update(save_all=True, append_images=frames[1:])
            frames[0].save(out, **options)
            return out.getvalue()
    except Exception:  # noqa: BLE001 - an untrusted file can fail anywhere inside Pillow
        return None
