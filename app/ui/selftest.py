"""`selftest`: prove that an installed copy works — resources found, window opens, a 记录表 prints.

Run on the built executable (`dangri-cli selftest`) in CI and by whoever installs the program on a
new PC. Everything happens in a temporary folder that is removed afterwards; the user's own data
dir is never opened. The caller sets QT_QPA_PLATFORM=offscreen before Qt is imported, so the
checks run without a screen (CI). An offscreen window proves nothing about the platform plugin a
secretary's PC uses (qwindows.dll): where there is a display (Windows, or DISPLAY/WAYLAND_DISPLAY
set), the window is opened once more in a child process with the system's own plugin.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from app import files

TEXT = {
    "ok": "通过",
    "fail": "失败",
    "resources": "资源文件（字体、图标）：{root}",
    "data_dir": "默认数据目录不在程序文件夹内：{data_dir}",
    "database": "临时数据库：{source}",
    "window": "主窗口（{where}）已打开并截图：{width}×{height}，{tabs} 个标签页",
    "offscreen": "离屏",
    "display": "本机显示，{platform} 平台插件",
    "no_display": "没有用上本机的显示（平台插件是 {platform}）",
    "display_failed": "用本机显示打开主窗口失败（退出码 {code}）：{detail}",
    "translation": "Qt 自带按钮为中文：“{cancel}”",
    "record": "记录表 PDF：{path}（{size} 字节，字体已嵌入）",
    "components": "组件：签名与验签、Word 文件写入与读取、照片去除元数据（JPEG/PNG/WebP）、"
    "身份证号校验、姓名拼音、图标字体",
    "summary_ok": "自检通过：{n} 项检查全部通过。",
    "summary_fail": "自检失败：{failed} / {n} 项检查未通过。",
}


class CheckFailed(Exception):
    pass


def program_folder() -> Path:
    """The folder the program runs from: the bundle's folder, or the source checkout."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent.parent


def check_resources() -> str:
    from app.paths import font_path, resource_path, resources_root

    for path in (font_path(), resource_path("icons", "app.png")):
        if not path.is_file() or path.stat().st_size == 0:
            raise CheckFailed(f"缺少资源文件 {path}")
    return TEXT["resources"].format(root=resources_root())


def check_default_data_dir() -> str:
    from app.paths import resolve_data_dir

    default = resolve_data_dir(None)
    if default.is_relative_to(program_folder()):
        raise CheckFailed(f"默认数据目录 {default} 在程序文件夹 {program_folder()} 内")
    return TEXT["data_dir"].format(data_dir=default)


def fill_database(data_dir: Path) -> tuple[str, int]:
    """The demo branch if the demo generator is available, else a minimal branch with one held
    activity. Returns (what was used, id of a held activity to print)."""
    from app.models import Activity, open_database
    from app.paths import database_path

    open_database(database_path(data_dir))
    try:
        from app.services.demo import create_demo

        create_demo(data_dir)
        source = "演示数据"
    except ImportError:
        _minimal_branch()
        source = "最小党支部（演示数据模块不可用）"
    held = Activity.select().where(Activity.held_date.is_null(False)).order_by(Activity.id)
    first = held.first()
    if first is None:
        _minimal_branch(activity_only=True)
        first = held.first()
    return source, first.id


def _minimal_branch(*, activity_only: bool = False) -> None:
    from app.models import DB, Activity, AnnualPlan, Attendance, Member, vocab
    from app.services.branch import BranchSettings, save_branch

    today = dt.date.today()
    with DB.atomic():
        if not activity_only:
            save_branch(
                BranchSettings(name="中共自检村支部委员会", superior_org="中共自检镇委员会")
            )
            for name in ("王建国", "李秀英", "张德明"):
                Member.create(name=name)
        plan, _ = AnnualPlan.get_or_create(year=today.year)
        activity = Activity.create(
            plan=plan,
            plan_date=today,
            held_date=today,
            theme="自检：学习党章党规",
            place="村党员活动室",
            categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_BRIEFING],
            content="一、学习党章；二、通报近期工作。",
        )
        for member in Member.select():
            Attendance.create(activity=activity, member=member, status=vocab.PRESENT)


def check_window(data_dir: Path, shot: Path, *, on_display: bool = False) -> str:
    from PySide6.QtWidgets import QApplication

    from app.ui.application import make_application
    from app.ui.main_window import MainWindow
    from app.ui.wheel_guard import install_wheel_guard

    app = make_application()
    install_wheel_guard(app)  # the style the window is shown with
    platform = QApplication.platformName()
    if on_display and platform in ("offscreen", "minimal"):
        raise CheckFailed(TEXT["no_display"].format(platform=platform))
    where = TEXT["display"].format(platform=platform) if on_display else TEXT["offscreen"]
    window = MainWindow(data_dir)
    try:
        window.show()
        for _ in range(5):
            QApplication.processEvents()
        pixmap = window.grab()
        if pixmap.isNull() or pixmap.width() < 200 or pixmap.height() < 200:
            raise CheckFailed("主窗口截图为空")
        pixmap.save(str(shot))
        return TEXT["window"].format(
            where=where, width=pixmap.width(), height=pixmap.height(), tabs=window.tabs.count()
        )
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def has_display() -> bool:
    """A screen the program can show a window on: Windows, or an X11/Wayland session."""
    return sys.platform == "win32" or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def check_window_on_display(data_dir: Path, shot: Path) -> str:
    """The main window with the system's platform plugin (qwindows.dll, xcb, wayland): in a child
    process, since a process keeps the plugin it started with (offscreen, here)."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]  # dangri-cli.exe itself
        env = dict(os.environ)
    else:
        command = [sys.executable, "-m", "app"]
        env = {**os.environ, "PYTHONPATH": str(program_folder())}
    env.pop("QT_QPA_PLATFORM", None)
    env["DANGRI_UTF8"] = "1"  # its one line comes back as UTF-8 (app/console.py)
    done = subprocess.run(
        [*command, "selftest", "--on-display", str(data_dir), str(shot)],
        cwd=program_folder(),
        env=env,
        capture_output=True,
        timeout=180,
    )
    said = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        detail = (said or done.stderr.decode("utf-8", "replace").strip())[-600:]
        raise CheckFailed(TEXT["display_failed"].format(code=done.returncode, detail=detail))
    return said


def run_window_on_display(data_dir: Path, shot: Path, echo: Callable[[str], None] = print) -> int:
    """The child of `check_window_on_display`: one line, exit 0 when the window opened."""
    from app.models import close_database, open_database
    from app.paths import database_path

    try:
        open_database(database_path(data_dir))
        echo(check_window(data_dir, shot, on_display=True))
        return 0
    except Exception as err:  # a self-test reports every failure, whatever its kind
        echo(f"{type(err).__name__}: {err}")
        return 1
    finally:
        close_database()


def check_translation() -> str:
    """Qt's own words (OK/Cancel, file dialogs) in Chinese: the build keeps qtbase_zh_CN.qm."""
    from PySide6.QtCore import QCoreApplication

    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    if cancel == "Cancel":
        raise CheckFailed("没有找到 Qt 中文翻译（qtbase_zh_CN.qm），对话框按钮会显示英文")
    return TEXT["translation"].format(cancel=cancel)


def check_record_pdf(activity_id: int, out: Path) -> str:
    from app.reports.record_form import print_record

    print_record(activity_id, out)
    if not out.is_file():
        raise CheckFailed(f"没有生成 {out}")
    data = out.read_bytes()
    if not data.startswith(b"%PDF"):
        raise CheckFailed(f"{out} 不是 PDF 文件")
    if b"/FontFile2" not in data:
        raise CheckFailed(f"{out} 中没有嵌入中文字体")
    return TEXT["record"].format(path=out.name, size=len(data))


def check_components(data_dir: Path, out: Path) -> str:
    """The parts of the dependencies the build keeps while leaving out the rest of them
    (build.spec): each is used here as the program uses it, so a build that left out too much
    fails this check instead of a secretary's click."""
    from PIL import Image

    from app import signing
    from app.bundle.privacy import clean_jpeg, scrubbed_copy
    from app.reports.docx_kit import add_paragraph, new_document
    from app.services.holiday_notice import read_notice_file
    from app.services.id_numbers import read_id_number
    from app.services.names import matches, syllables
    from app.ui.icons import iconic_font

    def part(name: str, ok: bool) -> None:
        if not ok:
            raise CheckFailed(f"{name}未通过")

    signer = signing.ensure_key(data_dir)
    reloaded = signing.load_key(data_dir)
    message = "自检".encode()
    part("签名", reloaded is not None and reloaded.fingerprint == signer.fingerprint)
    part("验签", signing.verify(signer.public_key_b64, message, signer.sign(message)))
    part("验签（篡改）", not signing.verify(signer.public_key_b64, b"x", signer.sign(message)))

    doc = new_document()
    add_paragraph(doc, "党日记实自检文档")
    doc.save(str(out / "自检.docx"))
    part("Word 文件", "党日记实自检文档" in read_notice_file(out / "自检.docx"))

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: kept
    exif[0x010F] = "SelftestCamera"  # camera make: removed
    photo = Image.new("RGB", (64, 48), (200, 30, 40))
    for fmt, suffix, options in (
        ("JPEG", ".jpg", {"exif": exif}),
        ("PNG", ".png", {"exif": exif}),
        ("WEBP", ".webp", {"exif": exif}),
    ):
        source = out / f"自检照片{suffix}"
        photo.save(source, fmt, **options)
        cleaned = scrubbed_copy(source, out / "cleaned" / source.name)
        data = cleaned.read_bytes()
        part(f"{fmt} 照片", cleaned != source and b"SelftestCamera" not in data)
        with Image.open(cleaned) as image:
            part(f"{fmt} 照片", image.format == fmt and image.size in ((64, 48), (48, 64)))
    jpeg = clean_jpeg((out / "自检照片.jpg").read_bytes()) or b""
    with Image.open(io.BytesIO(jpeg)) as image:
        part("JPEG 方向", image.getexif().get(0x0112) == 6)

    number = read_id_number("11010519491231002X")
    part("身份证号", number is not None and number.birth_date == dt.date(1949, 12, 31))
    try:
        read_id_number("110105194912310021")
        part("身份证号校验码", False)
    except ValueError:
        pass

    part("拼音", syllables("单雄信") == ("shan", "xiong", "xin") and matches("单雄信", "dan"))

    font = iconic_font()
    for name in ("fa5s.folder-open", "fa5b.usb"):
        part(f"图标 {name}", not font.icon(name).pixmap(32, 32).isNull())
    return TEXT["components"]


def run_selftest(keep: Path | None = None, echo: Callable[[str], None] = print) -> int:
    """Run every check, echo one line each; 0 when all pass, 1 otherwise. With `keep`, the
    screenshot and the PDF are written there (and kept) instead of the temporary folder."""
    from app.models import close_database

    passed = failed = 0

    def step(check: Callable[[], str]) -> bool:
        nonlocal passed, failed
        try:
            line = check()
        except Exception as err:  # a self-test reports every failure, whatever its kind
            failed += 1
            echo(f"[{TEXT['fail']}] {type(err).__name__}: {err}")
            return False
        passed += 1
        echo(f"[{TEXT['ok']}] {line}")
        return True

    # Cleanup that meets a held file (a scanner reading the PDF) leaves it, never raises.
    with files.scratch_folder(Path(tempfile.gettempdir()), "dangri-selftest") as root:
        data_dir, out = root / "data", Path(keep) if keep else root / "out"
        out.mkdir(parents=True, exist_ok=True)
        held: list[int] = []

        def database() -> str:
            source, activity_id = fill_database(data_dir)
            held.append(activity_id)
            return TEXT["database"].format(source=source)

        try:
            step(check_resources)
            step(check_default_data_dir)
            if step(database):
                step(lambda: check_window(data_dir, out / "window.png"))
                if has_display():
                    step(lambda: check_window_on_display(data_dir, out / "window-display.png"))
                step(check_translation)
                step(lambda: check_record_pdf(held[0], out / "记录表.pdf"))
                step(lambda: check_components(data_dir, out))
        finally:
            close_database()
    total = passed + failed
    if failed:
        echo(TEXT["summary_fail"].format(failed=failed, n=total))
        return 1
    echo(TEXT["summary_ok"].format(n=total))
    return 0
