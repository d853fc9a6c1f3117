"""Icons from qtawesome, drawn once and kept as PNG files.

qtawesome is the icons' source, but importing it costs about a quarter of a second and some
50 MB (it loads qtpy, its fonts and QtOpenGL) — too much for every start, for some forty icons.
So the window's start names a cache folder in the data dir (`use_cache`, paths.icon_cache_dir):
an icon whose PNG files are there is loaded from them, at the sizes a screen at 100–300 % asks
for, and qtawesome is not imported at all. An icon not there yet gets an engine that imports
qtawesome only when Qt first asks it for pixels (a menu opened, the tab icons set after the first
paint), draws it, and writes its PNG files for the next start. The first start of a version on a
PC draws them; later starts only read them.

Why the data dir and not resources/ at build time: the icons are drawn by the qtawesome the
program runs with, there is no generated file to keep in step with the code (a new icon() call is
simply drawn on its first use), and a source checkout, the tests and the frozen program work the
same way. Without `use_cache` (the tests, the CLI) every icon is drawn by qtawesome when shown.

qtawesome's own `qtawesome.icon` loads all of its ten icon fonts (~6 MB); the program draws from
the Font Awesome 5 solid and brands sets only (ICON_FONTS), so it keeps an IconicFont of those
two, and build.spec bundles only their files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap

SIZES = (16, 24, 32, 48)  # drawn for: 16 px at 100/150/200/300 %, 24 px at 100/200 %
# The qtawesome icon sets the program's icon names come from ("fa5s.folder-open"); build.spec
# reads this line to bundle only their fonts, and tests/ui/test_lighter_start.py checks that every
# icon name in app/ uses one of them.
ICON_FONTS = ("fa5s", "fa5b")
_cache: list[Path] = []  # the folder, once the window's start has named it
_fonts: list[Any] = []  # the IconicFont of ICON_FONTS, once an icon has been drawn


def iconic_font() -> Any:
    """qtawesome's IconicFont with the ICON_FONTS sets loaded (after the QApplication exists)."""
    if not _fonts:
        import qtawesome

        sets = [spec for spec in qtawesome._BUNDLED_FONTS if spec[0] in ICON_FONTS]
        _fonts.append(qtawesome.IconicFont(*sets))
    return _fonts[0]


def use_cache(folder: Path | None) -> None:
    """Load icons from PNG files in `folder`, drawing (and writing) the missing ones; None: draw
    every icon with qtawesome, write nothing."""
    _cache[:] = [folder] if folder is not None else []


def cached_files(name: str, options: dict[str, Any]) -> list[tuple[int, Path]]:
    """The (size, PNG file) of an icon in the cache, smallest first; [] without a cache."""
    if not _cache:
        return []
    stem = name.replace("/", "_")
    if options:
        stem += "-" + hashlib.sha1(repr(sorted(options.items())).encode()).hexdigest()[:10]
    return [(size, _cache[0] / f"{stem}-{size}.png") for size in SIZES]


class _LazyEngine(QIconEngine):
    def __init__(self, name: str, options: dict[str, Any], store: list[tuple[int, Path]]):
        super().__init__()
        self.name = name
        self.options = options
        self.store = store  # where to write its PNG files once drawn ([] : nowhere)
        self._icon: QIcon | None = None

    def _real(self) -> QIcon:
        if self._icon is None:
            self._icon = iconic_font().icon(self.name, **self.options)
            if self.store:
                _write_pngs(self._icon, self.store)
        return self._icon

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        from PySide6.QtCore import Qt  # not before the first paint: Qt's enums cost 25 ms

        self._real().paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._real().pixmap(size, mode, state)

    def clone(self) -> QIconEngine:
        return _LazyEngine(self.name, self.options, self.store)


def _png(pixmap: QPixmap) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _write_pngs(drawn: QIcon, store: list[tuple[int, Path]]) -> None:
    """Keep a drawn icon for the next start; the largest size last, as it marks a whole set.
    A cache that cannot be written (a full or read-only disk) only means drawing it again."""
    from app import files  # only when an icon is drawn, not on a start from the cache

    try:
        store[0][1].parent.mkdir(parents=True, exist_ok=True)
        for size, path in store:
            files.write_bytes(path, _png(drawn.pixmap(QSize(size, size), 1.0)), what="图标缓存")
    except (OSError, files.UserError):
        pass


def icon(name: str, **options: Any) -> QIcon:
    """`qtawesome.icon(name, **options)`: from the PNG cache when it has the icon, else drawn by
    qtawesome (imported then) on first use and written to the cache."""
    store = cached_files(name, options)
    if store and store[-1][1].is_file():
        loaded = QIcon()
        for size, path in store:
            loaded.addFile(str(path), QSize(size, size))
        return loaded
    return QIcon(_LazyEngine(name, options, store))
