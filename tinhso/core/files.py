"""Uploaded files: checked by their content, stored under a random name, served safely.

``file_store`` is the only way a file enters the platform. It reads the upload
once, in chunks, and refuses it with a ``TinhsoError`` when it is

- empty (``file_empty``, 400);
- larger than ``max_bytes`` or ``settings.TINHSO_MAX_FILE_BYTES``
  (``file_too_large``, 413), counted on the bytes read, not on what the client
  declared;
- of a type not in ``accepted_types``, judged by its first bytes (magic
  numbers), never by the name or the client's Content-Type; or whose name's
  extension says another type than its content (a PNG or an HTML page named
  ``.pdf``) (``file_type_not_allowed``, 400);
- a PDF with active content: JavaScript, launch actions, embedded files or
  rich media, also inside compressed object streams (``file_unsafe_content``,
  400), or an encrypted PDF, whose content cannot be checked
  (``file_encrypted``, 400);
- an image that does not decode, or one so large in pixels that decoding it
  could exhaust memory (``file_type_not_allowed``).

The name kept (``original_name``) has no path parts or control characters; the
name on disk is random (``tinhso.core.models.files.stored_file_path``), and the
storage is ``STORAGES["default"]`` from the settings (a local folder now, an
S3-compatible store later). Access control is the caller's job: the record
that points to a file (a dossier, a result) decides who may read it, and only
then calls ``file_open`` or ``file_response``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import PayloadTooLarge, ValidationError
from tinhso.core.models import StoredFile

CHUNK = 64 * 1024
DEFAULT_ACCEPTED = ("pdf", "jpg", "png")


@dataclass(frozen=True)
class FileKind:
    """A type the platform can recognise: its name, MIME type and the extensions a name may carry."""

    name: str
    content_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("pdf", "application/pdf", (".pdf",)),
        FileKind("jpg", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif")),
        FileKind("png", "image/png", (".png",)),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        FileKind("zip", "application/zip", (".zip",)),
    )
}


class FileEmpty(ValidationError):
    code = "file_empty"
    default_message = _("Tệp không có nội dung.")


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"
    default_message = _("Tệp quá lớn.")


class FileTypeNotAllowed(ValidationError):
    code = "file_type_not_allowed"
    default_message = _("Định dạng tệp không được chấp nhận.")


class FileUnsafeContent(FileTypeNotAllowed):
    code = "file_unsafe_content"
    default_message = _("Tệp chứa nội dung có thể gây hại nên không được chấp nhận.")


class FileEncrypted(FileTypeNotAllowed):
    code = "file_encrypted"
    default_message = _("Tệp được đặt mật khẩu hoặc mã hoá nên không được chấp nhận.")


# --- names -----------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r'[<>:"|?*]')


def sanitise_name(name: str | None, *, fallback: str = "tep") -> str:
    """The file name without path parts, control characters or reserved characters.

    Diacritics are kept (NFC): ``C:\\Users\\a\\Giấy khai sinh.pdf`` gives
    ``Giấy khai sinh.pdf``. At most 255 characters, the extension kept.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = _UNSAFE.sub("_", _CONTROL.sub("", text))
    text = " ".join(text.split()).strip(" .")
    if not text:
        return fallback
    if len(text) > 255:
        stem, dot, ext = text.rpartition(".")
        ext = ext[:16] if dot else ""
        stem = (stem if dot else text)[: 255 - len(ext) - 1]
        text = f"{stem}.{ext}" if ext else stem[:255]
    return text


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


# --- content -----------------------------------------------------------------


def sniff(head: bytes, file: IO[bytes] | None = None) -> str | None:
    """The kind of a file from its first bytes (and, for zips, its member names), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if file is None:
            return "zip"
        names = _zip_names(file)
        if names is None:
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
        if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
            return "xlsx"
        return "zip"
    return None


def _zip_names(file: IO[bytes]) -> set[str] | None:
    """The member names of a zip (its central directory only; nothing is decompressed)."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


# PDF names that carry or start active content. A name may be written with
# #xx escapes (/J#61vaScript), so names are decoded before they are compared.
PDF_ACTIVE_NAMES = frozenset({"JavaScript", "JS", "Launch", "EmbeddedFile", "RichMedia"})
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# Decompressed bytes inspected per PDF, in total: a compression bomb stops here.
PDF_INFLATE_BUDGET = 64 * 1024 * 1024


def _pdf_names(data: bytes) -> set[str]:
    names = set()
    for match in _PDF_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        names.add(raw.decode("latin-1"))
    return names


def _pdf_streams(data: bytes) -> Iterable[bytes]:
    """The Flate-decoded content of each stream that decodes; others are skipped."""
    budget = PDF_INFLATE_BUDGET
    for match in _PDF_STREAM.finditer(data):
        if budget <= 0:
            return
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            return
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[start:end], budget)
        except zlib.error:
            continue  # not Flate (an image, another filter): nothing to read in it
        budget -= len(out)
        yield out


def pdf_findings(data: bytes) -> tuple[set[str], bool]:
    """The active-content names found in a PDF, and whether it is encrypted."""
    names = _pdf_names(data)
    for stream in _pdf_streams(data):
        names |= _pdf_names(stream)
    return names & PDF_ACTIVE_NAMES, "Encrypt" in names


def _check_image(file: IO[bytes]) -> bool:
    from PIL import Image

    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
        return True
    except (Image.DecompressionBombError, Image.UnidentifiedImageError, OSError, SyntaxError):
        return False
    except Exception:  # Pillow raises many kinds on damaged images
        return False


# --- service ------------------------------------------------------------------


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        text = f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    elif size >= 1024:
        text = f"{size / 1024:.1f}".removesuffix(".0") + " KB"
    else:
        text = f"{size} B"
    return text.replace(".", ",")  # Vietnamese decimal comma


def _types_label(types: Iterable[str]) -> str:
    return ", ".join(t.upper() for t in types)


def _copy_to_temp(uploaded_file: Any, limit: int, name: str) -> tuple[IO[bytes], int, str]:
    """Read the upload once into a temporary file: its size (counted) and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    try:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        chunks = (
            uploaded_file.chunks(CHUNK)
            if hasattr(uploaded_file, "chunks")
            else iter(lambda: uploaded_file.read(CHUNK), b"")
        )
        for chunk in chunks:
            if isinstance(chunk, str):
                chunk = chunk.encode()
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(
                    _("Tệp “%(name)s” quá lớn, dung lượng tối đa là %(limit)s.")
                    % {"name": name, "limit": _size_label(limit)},
                    details={"file": name, "max_bytes": limit},
                )
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


def check_content(
    file: IO[bytes], *, name: str, accepted_types: Iterable[str] = DEFAULT_ACCEPTED
) -> FileKind:
    """The file's kind, or the ``TinhsoError`` that refuses it (see the module docstring)."""
    accepted = tuple(accepted_types)
    unknown = [t for t in accepted if t not in KINDS]
    if unknown:
        raise ValueError(f"unknown file types: {unknown}; known: {sorted(KINDS)}")
    types = _types_label(accepted)
    file.seek(0)
    head = file.read(16)
    kind_name = sniff(head, file)
    if kind_name is None or kind_name not in accepted:
        raise FileTypeNotAllowed(
            _(
                "Tệp “%(name)s” không đúng định dạng được chấp nhận. "
                "Định dạng được chấp nhận: %(types)s."
            )
            % {"name": name, "types": types},
            details={"file": name, "detected": kind_name, "accepted": list(accepted)},
        )
    kind = KINDS[kind_name]
    extension = _extension(name)
    if extension not in kind.extensions:
        raise FileTypeNotAllowed(
            _(
                "Tên tệp “%(name)s” không khớp với nội dung tệp (%(actual)s). "
                "Định dạng được chấp nhận: %(types)s."
            )
            % {"name": name, "actual": kind_name.upper(), "types": types},
            details={"file": name, "detected": kind_name, "accepted": list(accepted)},
        )
    if kind_name == "pdf":
        file.seek(0)
        active, encrypted = pdf_findings(file.read())
        if encrypted:
            raise FileEncrypted(
                _(
                    "Tệp PDF “%(name)s” được đặt mật khẩu hoặc mã hoá nên không thể kiểm tra. "
                    "Vui lòng tải lên bản không đặt mật khẩu."
                )
                % {"name": name},
                details={"file": name},
            )
        if active:
            raise FileUnsafeContent(
                _(
                    "Tệp PDF “%(name)s” chứa mã lệnh hoặc tệp đính kèm (%(features)s) "
                    "nên không được chấp nhận. Vui lòng lưu lại thành PDF thông thường rồi tải lên."
                )
                % {"name": name, "features": ", ".join(sorted(active))},
                details={"file": name, "found": sorted(active)},
            )
    if kind_name in ("jpg", "png") and not _check_image(file):
        raise FileTypeNotAllowed(
            _("Ảnh “%(name)s” bị hỏng hoặc quá lớn để mở. Định dạng được chấp nhận: %(types)s.")
            % {"name": name, "types": types},
            details={"file": name, "detected": kind_name, "accepted": list(accepted)},
        )
    if kind_name in ("docx", "xlsx"):
        names = _zip_names(file) or set()
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileUnsafeContent(
                _("Tệp “%(name)s” chứa macro nên không được chấp nhận.") % {"name": name},
                details={"file": name, "found": ["vbaProject.bin"]},
            )
    return kind


def file_store(
    *,
    actor,
    uploaded_file,
    purpose: str,
    accepted_types: Iterable[str] = DEFAULT_ACCEPTED,
    max_bytes: int | None = None,
) -> StoredFile:
    """Check an upload and keep it; returns the ``StoredFile`` (audited as ``file.store``).

    ``uploaded_file`` is a Django ``UploadedFile`` (or any file object with a
    ``name``). ``accepted_types`` are names from ``KINDS`` (pdf, jpg, png, docx,
    xlsx, zip). Raises ``FileEmpty``, ``FileTooLarge``, ``FileTypeNotAllowed``,
    ``FileUnsafeContent`` or ``FileEncrypted``; nothing is stored then.
    Who may later read the file is not decided here: see the module docstring.
    """
    name = sanitise_name(getattr(uploaded_file, "name", None))
    limit = max_bytes if max_bytes is not None else settings.TINHSO_MAX_FILE_BYTES
    spool, size, sha256 = _copy_to_temp(uploaded_file, limit, name)
    try:
        if size == 0:
            raise FileEmpty(
                _("Tệp “%(name)s” không có nội dung.") % {"name": name},
                details={"file": name},
            )
        kind = check_content(spool, name=name, accepted_types=accepted_types)
        stored = StoredFile(
            purpose=purpose[:64],
            original_name=name,
            content_type=kind.content_type,
            size=size,
            sha256=sha256,
            uploaded_by_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        )
        spool.seek(0)
        stored.file.save(name, File(spool), save=False)
    finally:
        spool.close()
    try:
        with transaction.atomic():
            stored.save(force_insert=True)
            audit_record(
                actor=actor,
                action="file.store",
                obj=stored,
                changes={
                    "purpose": stored.purpose,
                    "original_name": name,
                    "content_type": stored.content_type,
                    "size": size,
                    "sha256": sha256,
                },
            )
    except BaseException:
        # The row was not written: do not leave its bytes behind.
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


def file_open(stored_file: StoredFile) -> IO[bytes]:
    """A new readable binary handle on the stored bytes; the caller closes it.

    No access check here: call it only after the owning record allowed the read.
    """
    return stored_file.file.storage.open(stored_file.file.name, "rb")


def file_response(request, stored_file: StoredFile, *, as_attachment: bool = True) -> FileResponse:
    """Stream a stored file with safe headers.

    ``Content-Disposition`` carries the original name (RFC 5987 ``filename*``
    for non-ASCII names), the type is the one judged at upload, the browser may
    not sniff another (``nosniff``), and the file is sandboxed if shown inline.
    No access check here: the caller decides who may read the file.
    """
    response = FileResponse(
        file_open(stored_file),
        as_attachment=as_attachment,
        filename=stored_file.original_name,
        content_type=stored_file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(stored_file.size)
    return response


__all__ = [
    "KINDS",
    "FileEmpty",
    "FileEncrypted",
    "FileTooLarge",
    "FileTypeNotAllowed",
    "FileUnsafeContent",
    "check_content",
    "file_open",
    "file_response",
    "file_store",
    "sanitise_name",
    "sniff",
]
