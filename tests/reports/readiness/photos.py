"""Photos drawn for the readiness tests and benchmark: a street scene (sky, buildings with lit windows, a banner,
people on the ground) with sensor noise, seen through a camera that can move, turn, or find the people elsewhere.

`scene()` is one shot; a copy of a shot is the same pixels resized and recompressed (`jpeg(..., size=, quality=)`)
with new EXIF; another photo of the same scene is `scene(shift=..., people=...)`: the camera moved and the
people with it, as when two photos are taken minutes apart.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def scene(
    width: int = 800,
    height: int = 600,
    *,
    shift: tuple[int, int] = (0, 0),
    seed: int = 1,
    people: int = 2,
    angle: float = 0.0,
    noise: float = 12.0,
) -> Image.Image:
    """The scene `seed` seen through a `width` × `height` window moved by `shift` pixels (and turned by `angle`
    degrees), with the people placed by `people`."""
    big_w, big_h = int(width * 1.4), int(height * 1.4)
    world = Image.new("RGB", (big_w, big_h), (135, 190, 235))
    draw = ImageDraw.Draw(world)
    rng = random.Random(seed)
    ground = int(big_h * 0.6)
    draw.rectangle((0, ground, big_w, big_h), fill=(90, 140, 70))
    for _ in range(8):
        x, w, h = (
            rng.randrange(0, big_w - width // 8),
            rng.randrange(width // 13, width // 5),
            rng.randrange(height // 6, height // 2),
        )
        draw.rectangle((x, ground - h, x + w, ground), fill=tuple(rng.randrange(80, 220) for _ in range(3)))
        for wy in range(ground - h + height // 60, ground - height // 60, max(height // 24, 4)):
            for wx in range(x + width // 100, x + w - width // 60, max(width // 40, 4)):
                draw.rectangle((wx, wy, wx + width // 90, wy + height // 48), fill=(250, 240, 180))
    draw.rectangle((int(big_w * 0.35), int(big_h * 0.45), int(big_w * 0.65), int(big_h * 0.52)), fill=(200, 20, 20))
    placing = random.Random(people)
    unit = max(width // 90, 2)
    for _ in range(14):
        x = placing.randrange(width // 16, big_w - width // 16)
        y = placing.randrange(int(big_h * 0.62), big_h - height // 8)
        draw.ellipse((x - unit, y - 4 * unit, x + unit, y - 2 * unit), fill=(240, 200, 160))
        draw.rectangle(
            (x - int(1.4 * unit), y - 2 * unit, x + int(1.4 * unit), y + 3 * unit),
            fill=tuple(placing.randrange(0, 255) for _ in range(3)),
        )
    if angle:
        world = world.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(135, 190, 235))
    x0, y0 = int(big_w * 0.14) + shift[0], int(big_h * 0.1) + shift[1]
    shot = np.asarray(world.crop((x0, y0, x0 + width, y0 + height))).astype(np.int16)
    grain = np.random.default_rng(seed * 1000 + people).normal(0, noise, shot.shape)
    return Image.fromarray(np.clip(shot + grain, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))


def exif(date: str | None = None, camera: str = "TestCam") -> Image.Exif:
    data = Image.Exif()
    data[0x010F] = camera
    if date:
        data[0x0132] = date
        data.get_ifd(0x8769)[0x9003] = date
    return data


def jpeg(
    im: Image.Image,
    *,
    date: str | None = None,
    quality: int = 90,
    size: tuple[int, int] | None = None,
    camera: str = "TestCam",
) -> bytes:
    """`im` as JPEG bytes with a camera date (EXIF DateTimeOriginal, "2026:03:05 09:30:00")."""
    if size is not None:
        im = im.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, exif=exif(date, camera))
    return buf.getvalue()
