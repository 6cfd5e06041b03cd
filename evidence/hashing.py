"""Perceptual hashes of photos (pHash, 64 bits): two photos whose hashes differ in few bits look alike, whatever
their size, compression or EXIF. The readiness check compares them to find the same photo filed twice
(civunit.reports.readiness); the previews job computes them (evidence/previews.py), and
`manage.py hash_photos` fills them in for files stored before.

The previews job takes the hash from the thumbnail it has just made of the photo (upright, 320 px): the photo is
decoded once for every preview and the hash, and the hash itself then costs a millisecond or two. `hash_photos`
hashes that same stored thumbnail, or, for a photo without previews, the original through a small decoded draft
(a JPEG is decoded at 1/8 scale with Pillow's `draft`, which still reads every byte of the file: some 30 ms for a
12 MP photo, where a full decode costs about 175 ms). The pHash is computed from 32 × 32 pixels anyway. EXIF
orientation is applied first, so a photo stored sideways with an orientation tag hashes like its upright copy.

Stored as a signed 64-bit integer (`StoredFile.phash`, what both databases' BIGINT hold); `to_unsigned` turns
it back into the 64 bits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO

import imagehash
import numpy
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

register_heif_opener()

log = logging.getLogger(__name__)

BITS = 64
# The draft asked of a JPEG decoder: the smallest DCT scale that still gives at least this size.
DRAFT_SIZE = (256, 256)
_SIGN = 1 << (BITS - 1)
_MASK = (1 << BITS) - 1


def to_signed(value: int) -> int:
    """64 unsigned bits as the signed integer a BIGINT column holds."""
    return value - (1 << BITS) if value & _SIGN else value


def to_unsigned(value: int) -> int:
    return value & _MASK


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ (the Hamming distance), for stored (signed) or unsigned hashes alike."""
    return ((a ^ b) & _MASK).bit_count()


def image_hash(im: Image.Image) -> int:
    """The pHash of an image already decoded and upright, as a signed 64-bit integer."""
    bits = imagehash.phash(im).hash  # 8 × 8 booleans, row by row: the first is the highest bit
    return to_signed(int.from_bytes(numpy.packbits(bits).tobytes(), "big"))


def photo_hash(path: Path | str | IO[bytes]) -> int | None:
    """The pHash of the photo at `path` from a small draft after EXIF orientation; None when it cannot be decoded
    (a damaged file is the previews' to report)."""
    try:
        with Image.open(path) as im:
            if im.format == "JPEG":
                im.draft("L", DRAFT_SIZE)
            im.load()
            upright = ImageOps.exif_transpose(im)
            if upright.mode not in ("L", "RGB"):
                upright = upright.convert("RGB")
            return image_hash(upright)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("no perceptual hash for %s: %s", path, exc)
        return None
