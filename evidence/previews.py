"""Previews of a stored file, made once by the background worker: a thumbnail, a screen preview (long side about
1600 px) and a print copy (long side about 1000 px, JPEG quality 75), upright per EXIF orientation and carrying
no EXIF at all (so no GPS position), and a photo's perceptual hash (evidence/hashing.py). A PDF's first page is
rendered with pdftoppm. The original is read from the storage and never touched; the previews are saved to it
(evidence/files.py). A damaged image gets "cannot preview" and a warning, never an error."""

from __future__ import annotations

import hashlib
import io
import logging
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from . import files, hashing
from .models import EvidenceKind, StoredFile

# The worker imports this module without the upload views: HEIC support must be registered here too.
register_heif_opener()

log = logging.getLogger(__name__)

SIZES = {"thumbnail": (320, 85), "screen": (1600, 85), "print_copy": (1000, 75)}
PDFTOPPM_TIMEOUT = 60


class PreviewFailed(Exception):
    pass


def _render_variants(im: Image.Image) -> dict[str, bytes]:
    im = ImageOps.exif_transpose(im)
    if im.mode not in ("RGB", "L"):
        background = Image.new("RGB", im.size, "white")
        rgba = im.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        im = background
    out = {}
    for variant, (side, quality) in sorted(SIZES.items(), key=lambda pair: -pair[1][0]):
        # Largest first, each from the one before: cheaper than resampling the decoded photo for each, alike.
        copy = im.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        im = copy
        buf = io.BytesIO()
        # Saved without exif=: no EXIF (and so no GPS) in any preview.
        copy.save(buf, "JPEG", quality=quality, optimize=True, progressive=variant != "thumbnail")
        out[variant] = buf.getvalue()
    return {variant: out[variant] for variant in SIZES}


def _open_photo(path: Path) -> Image.Image:
    im = Image.open(path)
    if im.format == "JPEG":
        # Decode at a reduced scale: much faster and smaller for large photos.
        im.draft("RGB", (1600, 1600))
    im.load()
    return im


def _render_pdf_first_page(path: Path) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(  # noqa: S603 (fixed program, no shell, our own paths)
                ["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-scale-to", "1600", "-png", str(path), str(prefix)],  # noqa: S607
                check=True,
                capture_output=True,
                timeout=PDFTOPPM_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as exc:
            raise PreviewFailed(_("The PDF's first page could not be rendered.")) from exc
        with Image.open(prefix.with_suffix(".png")) as page:
            page.load()
            return page.copy()


def make_previews(stored_file_id: int) -> str:
    """Make the previews of one stored file; returns the resulting preview status."""
    stored = StoredFile.objects.filter(pk=stored_file_id).first()
    if stored is None or not stored.file.name:  # gone, or a row without its file: nothing to preview
        return "missing"
    if stored.kind not in (EvidenceKind.PHOTO, EvidenceKind.PDF):
        StoredFile.objects.filter(pk=stored.pk).update(preview_status=StoredFile.PreviewStatus.NONE)
        return StoredFile.PreviewStatus.NONE
    phash = None
    try:
        with files.local_path(stored.file.name) as path:
            if stored.kind == EvidenceKind.PHOTO:
                with _open_photo(path) as im:
                    variants = _render_variants(im)
                # From the thumbnail just made (upright, 320 px): the photo is decoded once, for every variant and
                # the hash, and `hash_photos` hashes the same stored thumbnail.
                phash = hashing.photo_hash(io.BytesIO(variants["thumbnail"]))
            else:
                with _render_pdf_first_page(path) as im:
                    variants = _render_variants(im)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, PreviewFailed) as exc:
        log.warning("no preview for stored file %s: %s", stored.pk, exc)
        warning = (
            str(exc)
            if isinstance(exc, PreviewFailed)
            else _("The image is damaged or incomplete; the original is kept as it was uploaded.")
        )
        StoredFile.objects.filter(pk=stored.pk).update(
            preview_status=StoredFile.PreviewStatus.FAILED, preview_warning=warning[:300]
        )
        return StoredFile.PreviewStatus.FAILED

    previous = [getattr(stored, variant).name for variant in variants]
    names: dict[str, str] = {}
    # What the integrity check (verify_archive) compares each stored preview with.
    digests = {
        variant: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for variant, data in variants.items()
    }
    try:
        for variant, data in variants.items():
            names[variant] = files.save_bytes(files.preview_name(stored.sha256, variant), data)
        updated = StoredFile.objects.filter(pk=stored.pk).update(
            preview_status=StoredFile.PreviewStatus.READY,
            preview_warning="",
            preview_digests=digests,
            phash=phash,
            **names,
        )
    except BaseException:
        files.delete_quietly(names.values())
        raise
    if not updated:  # purged meanwhile
        files.delete_quietly(names.values())
        return "missing"
    files.delete_quietly(previous)  # the previews this run replaced (make_evidence_previews --all)
    return StoredFile.PreviewStatus.READY
