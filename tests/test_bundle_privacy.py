"""Only what the township needs goes on the USB stick (docs/privacy.md): every file of an
exported bundle is read and none holds a phone number, an ID number, a birth date, a home
address, or a photo's GPS position and phone model — while the township's figures stay the
branch's own."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image, PngImagePlugin
from pypdf import PdfReader

from app.bundle.write import export_bundle
from app.models import Activity, Member
from app.services.ledger import YearData, load_year
from app.services.records import add_attachment, attachment_file
from app.services.statistics import compute_statistics
from tests.conftest import DEMO_TODAY, DEMO_YEAR

ID_NUMBER = "340702196803121234"
GPS_IFD = 0x8825
MAKER = "HUAWEI"
MODEL = "Mate 40 Pro"


def _photo_with_gps(path: Path) -> Path:
    """A phone photo as phones write it: Exif with GPS, maker and model, on its side, an XMP
    packet and a comment."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = MAKER, MODEL, 6
    exif[0x8825] = {1: "N", 2: (30.0, 40.0, 12.5), 3: "E", 4: (117.0, 29.0, 1.0)}
    image = Image.new("RGB", (120, 80), (190, 20, 30))
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="30,40.2N"/></x:xmpmeta>'
    image.save(path, "JPEG", exif=exif, xmp=xmp, comment=f"{MAKER} {MODEL}".encode())
    return path


def _scan_with_text(path: Path) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"{MODEL} 扫描全能王")
    info.add_itxt("XML:com.adobe.xmp", "GPSLatitude 30,40.2N")
    Image.new("L", (60, 90), 250).save(path, "PNG", pnginfo=info)
    return path


def _texts(name: str, content: bytes) -> str:
    """What a finder of the stick can read in one file."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    if suffix == ".xlsx":
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    return content.decode("utf-8", errors="replace")


def test_no_file_of_the_bundle_reveals_phone_id_number_birth_date_or_gps(demo, tmp_path):
    member = Member.select().where(Member.phone != "").order_by(Member.id).first()
    if "id_number" in Member._meta.fields:  # the roster keeps 公民身份号码 from schema v4
        Member.update(id_number=ID_NUMBER).where(Member.id == member.id).execute()
    held = Activity.select().where(Activity.held_date.is_null(False)).order_by(Activity.id)
    photo = add_attachment(demo, held[0].id, _photo_with_gps(tmp_path / "合影.jpg"), "照片")
    scan = add_attachment(demo, held[1].id, _scan_with_text(tmp_path / "签名表.png"), "签名表扫描件")
    members = list(Member.select())
    secrets = [ID_NUMBER, MAKER, MODEL, "GPSLatitude"]
    for m in members:
        secrets.append(m.phone)
        # Where a 流动党员 lives now; the 流入地党组织's own name (kept: rule 3, docs/privacy.md)
        # may name the district it is in.
        if m.mobile_location not in m.inflow_org:
            secrets.append(m.mobile_location)
        if m.birth_date:
            b = m.birth_date
            secrets += [b.isoformat(), f"{b.year}年{b.month}月{b.day}日", f"{b:%Y.%m.%d}"]
    secrets = [s for s in secrets if s]

    bundle = export_bundle(DEMO_YEAR, tmp_path, today=DEMO_TODAY)
    with zipfile.ZipFile(bundle) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    assert len(entries) > 10
    for name, content in entries.items():
        text = _texts(name, content)
        found = [s for s in secrets if s in text or s.encode() in content]
        assert not found, (name, found)
    # The pictures: no Exif but the orientation, the picture itself unchanged.
    sent_photo = Image.open(io.BytesIO(entries[f"attachments/{photo.stored_path}"]))
    assert dict(sent_photo.getexif()) == {0x0112: 6} and not sent_photo.getexif().get_ifd(GPS_IFD)
    original = Image.open(attachment_file(demo, photo))
    assert sent_photo.tobytes() == original.tobytes()
    assert original.getexif().get_ifd(GPS_IFD)  # the ledger keeps the original
    sent_scan = Image.open(io.BytesIO(entries[f"attachments/{scan.stored_path}"]))
    assert sent_scan.info == {} and sent_scan.tobytes() == Image.open(tmp_path / "签名表.png").tobytes()

    # data.json carries names, categories and flags; the township's figures are the branch's.
    data = json.loads(entries["data.json"])
    keys = {k for m in data["members"] for k in m}
    assert not keys & {"birth_date", "phone", "id_number", "address", "mobile_location", "gender"}
    assert {"name", "category", "is_mobile", "is_frail", "roll_start", "left_date"} <= keys
    theirs = compute_statistics(YearData.from_json(data), today=DEMO_TODAY).to_json()
    ours = compute_statistics(load_year(DEMO_YEAR), today=DEMO_TODAY).to_json()
    assert theirs == ours
    assert dt.date.fromisoformat(data["activities"][0]["plan_date"]).year == DEMO_YEAR
