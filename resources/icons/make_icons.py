"""Draw the application icon (app.png, app.ico): a red rounded square with 党日 in the bundled font.

No party emblem: only the two characters. Run once with `python resources/icons/make_icons.py`;
the results are committed, so a build does not need Pillow.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "NotoSansSC-Regular.ttf"
RED = (200, 16, 46, 255)
GOLD = (255, 222, 0, 255)
SIZE = 512
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = SIZE) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = size // 32
    pen.rounded_rectangle(
        (margin, margin, size - margin, size - margin), radius=size // 6, fill=RED
    )
    font = ImageFont.truetype(str(FONT), int(size * 0.40))
    # stroke_width thickens the Regular weight so the glyphs stay legible at 16 px
    stroke = max(1, size // 64)
    text = "党日"
    box = pen.textbbox((0, 0), text, font=font, stroke_width=stroke)
    x = (size - (box[2] - box[0])) / 2 - box[0]
    y = (size - (box[3] - box[1])) / 2 - box[1]
    pen.text((x, y), text, font=font, fill=GOLD, stroke_width=stroke, stroke_fill=GOLD)
    return image


def main() -> None:
    image = draw()
    image.resize((256, 256), Image.LANCZOS).save(HERE / "app.png")
    image.save(HERE / "app.ico", sizes=ICO_SIZES)


if __name__ == "__main__":
    main()
