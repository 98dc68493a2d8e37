"""What an uploaded file may be: its type, checked on its content, and its size.

Two kinds of upload exist: *images* (an organisation's logo, a practice's cover), shown in pages,
and *documents* (agreements, practice resources), offered for download. A file is judged by its
first bytes, not by its name or the type the browser claims, so an HTML or SVG page renamed
``.pdf`` or ``.png`` is refused: served from the platform's own address it could run script.
The validators are model-field validators (so forms, the admin and services all apply them) and
raise a translated :class:`~django.core.exceptions.ValidationError` saying what is allowed.

:class:`MediaStorage` is the storage for uploaded files: Django's file-system storage, except that
a file appears under its name only once it is complete, so a full or read-only media folder
leaves nothing half-written behind (the services turn the ``OSError`` into an error on the upload
field, and their transaction leaves no row pointing at a missing file).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

IMAGE_MAX_BYTES = 5 * 1024 * 1024
#: A decoded image may have at most this many pixels (a small file can unpack to gigabytes).
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)  # Office Open XML and OpenDocument files are zip archives
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy Microsoft Office files
#: Allowed document extensions and the signatures their content must start with (None: text).
DOCUMENT_TYPES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": _PDF,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".odp": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
    ".txt": None,
    ".csv": None,
}
_MARKUP = (b"<", b"\xef\xbb\xbf<")


def _head(file: Any, size: int = 2048) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return bytes(head)


def _check_size(file: Any, limit: int) -> None:
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s is allowed.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )


def _stored(file: Any) -> bool:
    """A file already in the storage was checked when it came in (and reading it back on every
    later ``full_clean`` would cost a read, or fail if the storage lost it)."""
    return bool(getattr(file, "_committed", False))


def validate_document(file: Any) -> None:
    """A PDF, office document or plain-text file of at most 10 MB, whose content matches its
    name."""
    if _stored(file):
        return
    _check_size(file, DOCUMENT_MAX_BYTES)
    extension = PurePath(file.name or "").suffix.lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Upload a PDF, an office document (%(types)s) or a text file; not “%(ext)s”.")
            % {"types": "docx, xlsx, pptx, odt, ods, odp, doc, xls, ppt", "ext": extension or "?"},
            code="file_type",
        )
    head = _head(file)
    signatures = DOCUMENT_TYPES[extension]
    if signatures is None:
        stripped = head.lstrip()
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
                raise ValidationError(
                    _("A text file must be UTF-8 text."), code="file_content"
                ) from exc
        if stripped.startswith(_MARKUP) or b"\x00" in head:
            raise ValidationError(
                _("This file is not plain text (it looks like a web page or binary data)."),
                code="file_content",
            )
    elif not head.startswith(signatures):
        raise ValidationError(
            _("The file's content is not a %(ext)s document, whatever its name says.")
            % {"ext": extension.lstrip(".").upper()},
            code="file_content",
        )


def validate_image(file: Any) -> None:
    """A PNG, JPEG, GIF or WebP picture of at most 5 MB and 40 megapixels (no SVG: it can hold
    script)."""
    from PIL import Image, UnidentifiedImageError

    if _stored(file):
        return
    _check_size(file, IMAGE_MAX_BYTES)
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    try:
        with Image.open(file) as image:
            kind = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("Upload a picture: PNG, JPEG, GIF or WebP (SVG is not accepted)."),
            code="image_type",
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The picture is too large."), code="image_size") from exc
    finally:
        file.seek(position)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            _("Upload a picture: PNG, JPEG, GIF or WebP, not %(kind)s.") % {"kind": kind},
            code="image_type",
        )
    if width * height > IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The picture has %(pixels)s million pixels; at most %(limit)s million.")
            % {"pixels": round(width * height / 1e6), "limit": IMAGE_MAX_PIXELS // 1_000_000},
            code="image_size",
        )


class MediaStorage(FileSystemStorage):
    """``FileSystemStorage`` that never leaves a partly written file under a file's name.

    Django's storage writes straight into the final name, so a disk that fills up in the middle
    of an upload leaves a truncated file there. This one writes to a hidden ``.part`` file in
    the same folder, flushes it to disk, then gives it its name with a hard link (atomic, and it
    never replaces another file: a taken name gets a new one, as in Django). On any error the
    ``.part`` file is removed and the ``OSError`` (``ENOSPC``, ``EROFS``, ``EACCES``…) goes to
    the caller. The media folder must be on a file system with hard links (any local one, NFS).
    """

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        part = os.path.join(directory, f".{secrets.token_hex(8)}.part")
        try:
            with open(part, "xb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            while True:
                try:
                    os.link(part, full_path)
                    break
                except FileExistsError:
                    if getattr(self, "_allow_overwrite", False):  # FileSystemStorage option
                        os.replace(part, full_path)
                        break
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        # Django's own helper (same group as the storage root), missing from django-stubs.
        self._ensure_location_group_id(full_path)  # type: ignore[attr-defined]
        return os.path.relpath(full_path, self.location).replace("\\", "/")
