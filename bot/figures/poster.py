"""A printable poster (A4 portrait at 150 dpi, PNG): the street and grid, a call to action and a
QR code whose link starts a report there. Drawing only: the words come translated, the link
built (bot.reports.posters); run it in a thread, it takes a few hundred milliseconds."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from bot.figures.fonts import cjk_font_file

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 90
QR_SIZE = 620
RED = (196, 30, 36)
INK = (33, 33, 33)
GREY = (110, 110, 110)
WHITE = (255, 255, 255)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class PosterWords:
    """Everything written on a poster, already in its language."""

    street: str
    service: str  # the line under the street's name
    grid: str
    headline: str  # the call to action (扫码上报…)
    link: str  # what the QR code holds; printed small under it
    category: str | None = None
    steps: list[str] = field(default_factory=list)
    footer: str = ""  # emergencies: call 119 / 110 / 120


def qr_image(link: str, size: int = QR_SIZE) -> Image.Image:
    """The QR code of `link`, `size` pixels square, black on white with its quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(link)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    scale = max(1, size // image.width)  # whole pixels per module: every module the same size
    image = image.resize((image.width * scale,) * 2, Image.Resampling.NEAREST)
    square = Image.new("RGB", (size, size), WHITE)
    square.paste(image, ((size - image.width) // 2,) * 2)
    return square


def render(words: PosterWords) -> bytes:
    """The poster as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 250), fill=RED)
    _centred(draw, words.street, _font(72), 55, WHITE)
    _centred(draw, words.service, _font(40), 160, WHITE)
    y = _paragraph(draw, words.grid, _font(80), 300, INK)
    if words.category:
        y = _badge(draw, words.category, _font(48), y + 20)
    y = _paragraph(draw, words.headline, _font(76), y + 30, RED)
    left = (WIDTH - QR_SIZE) // 2
    image.paste(qr_image(words.link), (left, y + 20))
    y += 20 + QR_SIZE
    _centred(draw, words.link, _font(26), y + 4, GREY)
    y += 60
    for step in words.steps:
        y = _paragraph(draw, step, _font(40), y, INK, gap=8)
    draw.rectangle((0, HEIGHT - 110, WIDTH, HEIGHT), fill=RED)
    _centred(draw, words.footer, _font(40), HEIGHT - 82, WHITE)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _font(size: int) -> Font:
    path = cjk_font_file()  # without one Chinese shows as boxes; the logs said so already
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _centred(draw: ImageDraw.ImageDraw, text: str, font: Font, y: int, fill: object) -> int:
    width = draw.textlength(text, font=font)
    draw.text(((WIDTH - width) / 2, y), text, font=font, fill=fill)
    return y + _height(font)


def _paragraph(
    draw: ImageDraw.ImageDraw, text: str, font: Font, y: int, fill: object, gap: int = 14
) -> int:
    """`text` centred, wrapped to the page's width; returns where the next line goes."""
    for line in _wrap(draw, text, font, WIDTH - 2 * MARGIN):
        y = _centred(draw, line, font, y, fill) + gap
    return y


def _badge(draw: ImageDraw.ImageDraw, text: str, font: Font, y: int) -> int:
    width = draw.textlength(text, font=font)
    left = (WIDTH - width) / 2
    height = _height(font)
    box = (left - 30, y - 12, left + width + 30, y + height + 18)
    draw.rounded_rectangle(box, radius=20, outline=RED, width=4)
    draw.text((left, y), text, font=font, fill=RED)
    return y + height + 40


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Lines no wider than `width`, broken between characters (Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    return [*lines, line] if line else lines


def _height(font: Font) -> int:
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (12, 4)
    return int(ascent + descent)
