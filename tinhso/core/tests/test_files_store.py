"""Stored files: judged by content, refused clearly, kept under a random name, served safely."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from tinhso.core.files import (
    FileEmpty,
    FileEncrypted,
    FileTooLarge,
    FileTypeNotAllowed,
    FileUnsafeContent,
    file_open,
    file_response,
    file_store,
    sanitise_name,
)
from tinhso.core.models import AuditEvent, StoredFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def _pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + body + b">>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def _image(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def _office(main_part: str, *extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
        for name in extra:
            archive.writestr(name, "binary")
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_pdf_is_stored_under_a_random_name_with_its_hash_and_audited(
    media_root, django_user_model
):
    # given a citizen uploading a PDF whose name carries a Windows path
    user = django_user_model.objects.create_user(username="huong", password="x" * 12)
    content = _pdf()
    upload = _upload("C:\\Users\\huong\\Giấy khai sinh.pdf", content)
    # when it is stored
    stored = file_store(actor=user, uploaded_file=upload, purpose="dossier")
    # then the row describes it, judged by content
    stored.refresh_from_db()
    assert stored.original_name == "Giấy khai sinh.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(content)
    import hashlib

    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.uploaded_by_id == user.pk
    # and the bytes are on disk under a random name, not the user's
    disk_name = Path(stored.file.name).name
    assert "khai" not in disk_name and disk_name.endswith(".pdf")
    assert (media_root / stored.file.name).read_bytes() == content
    with file_open(stored) as handle:
        assert handle.read() == content
    # and the store is in the audit trail
    event = AuditEvent.objects.get(action="file.store", object_id=str(stored.pk))
    assert event.changes["sha256"] == stored.sha256


@pytest.mark.parametrize(
    ("name", "kind", "content_type"),
    [("anh.png", "PNG", "image/png"), ("anh.JPG", "JPEG", "image/jpeg")],
)
def test_images_are_accepted_by_their_content(name, kind, content_type):
    stored = file_store(
        actor=None, uploaded_file=_upload(name, _image(kind), "text/plain"), purpose="dossier"
    )
    # the client's declared type (text/plain) is ignored
    assert stored.content_type == content_type


def test_an_empty_file_is_refused_naming_it():
    with pytest.raises(FileEmpty) as caught:
        file_store(actor=None, uploaded_file=_upload("don.pdf", b""), purpose="dossier")
    assert caught.value.code == "file_empty"
    assert "“don.pdf”" in str(caught.value.message)
    assert StoredFile.objects.count() == 0


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(media_root):
    # given a limit of 1 KB and a 2 KB PDF
    content = _pdf(b"/Padding (" + b"x" * 2048 + b") ")
    # when it is stored
    with pytest.raises(FileTooLarge) as caught:
        file_store(
            actor=None, uploaded_file=_upload("to.pdf", content), purpose="dossier", max_bytes=1024
        )
    # then it is a 413 naming the file and the limit, and nothing is left
    assert caught.value.status == 413
    assert caught.value.code == "file_too_large"
    assert "“to.pdf”" in str(caught.value.message) and "1 KB" in str(caught.value.message)
    assert StoredFile.objects.count() == 0
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_the_default_limit_comes_from_the_settings(settings):
    settings.TINHSO_MAX_FILE_BYTES = 100
    with pytest.raises(FileTooLarge):
        file_store(actor=None, uploaded_file=_upload("a.pdf", _pdf()), purpose="dossier")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("giay-to.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("giay-to.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("giay-to.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("bang.docx", None),  # a real docx, not among the accepted types
    ],
)
def test_content_of_a_type_not_accepted_is_refused_whatever_the_name(name, content):
    content = content if content is not None else _office("word/document.xml")
    with pytest.raises(FileTypeNotAllowed) as caught:
        file_store(actor=None, uploaded_file=_upload(name, content), purpose="dossier")
    assert caught.value.code == "file_type_not_allowed"
    message = str(caught.value.message)
    assert f"“{name}”" in message and "PDF, JPG, PNG" in message
    assert StoredFile.objects.count() == 0


def test_a_png_named_pdf_is_refused_even_though_png_is_accepted():
    with pytest.raises(FileTypeNotAllowed) as caught:
        file_store(actor=None, uploaded_file=_upload("scan.pdf", _image("PNG")), purpose="x")
    assert caught.value.details["detected"] == "png"
    assert "không khớp" in str(caught.value.message)


def test_a_truncated_image_is_refused():
    broken = _image("PNG")[:40]
    with pytest.raises(FileTypeNotAllowed):
        file_store(actor=None, uploaded_file=_upload("anh.png", broken), purpose="x")


@pytest.mark.parametrize(
    "body",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ",
        b"/OpenAction << /S /Launch /F (cmd.exe) >> ",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /EF << /F 3 0 R >> >>] >> >> /X << /Type /EmbeddedFile >> ",
    ],
)
def test_a_pdf_with_active_content_is_refused(body):
    with pytest.raises(FileUnsafeContent) as caught:
        file_store(actor=None, uploaded_file=_upload("don.pdf", _pdf(body)), purpose="x")
    assert caught.value.code == "file_unsafe_content"
    assert "“don.pdf”" in str(caught.value.message)


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    # given a PDF whose only JavaScript is inside a Flate-compressed object stream
    hidden = zlib.compress(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")
    stream = b"3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + hidden
    stream += b"\nendstream\nendobj\n"
    content = _pdf() + stream
    assert b"JavaScript" not in content
    # then it is refused all the same
    with pytest.raises(FileUnsafeContent):
        file_store(actor=None, uploaded_file=_upload("don.pdf", content), purpose="x")


def test_an_encrypted_pdf_is_refused():
    content = _pdf().replace(b"<< /Root 1 0 R >>", b"<< /Root 1 0 R /Encrypt 9 0 R >>")
    with pytest.raises(FileEncrypted) as caught:
        file_store(actor=None, uploaded_file=_upload("don.pdf", content), purpose="x")
    assert caught.value.code == "file_encrypted"


def test_office_files_are_told_apart_and_macros_refused():
    docx = file_store(
        actor=None,
        uploaded_file=_upload("to-khai.docx", _office("word/document.xml")),
        purpose="x",
        accepted_types=("docx", "xlsx"),
    )
    assert docx.content_type.endswith("wordprocessingml.document")
    xlsx = file_store(
        actor=None,
        uploaded_file=_upload("bang.xlsx", _office("xl/workbook.xml")),
        purpose="x",
        accepted_types=("docx", "xlsx"),
    )
    assert xlsx.content_type.endswith("spreadsheetml.sheet")
    with pytest.raises(FileUnsafeContent):
        file_store(
            actor=None,
            uploaded_file=_upload(
                "to-khai.docx", _office("word/document.xml", "word/vbaProject.bin")
            ),
            purpose="x",
            accepted_types=("docx",),
        )


def test_an_unknown_accepted_type_is_a_programming_error():
    with pytest.raises(ValueError, match="exe"):
        file_store(
            actor=None, uploaded_file=_upload("a.pdf", _pdf()), purpose="x", accepted_types=("exe",)
        )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\Đơn đề nghị.pdf", "Đơn đề nghị.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ('x<y>:"z|?.pdf', "x_y___z__.pdf"),
        ("...", "tep"),
        ("", "tep"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_names_lose_path_parts_and_unsafe_characters(raw, expected):
    assert sanitise_name(raw) == expected


def test_the_response_streams_the_file_with_safe_headers():
    # given a stored PDF with a Vietnamese name
    stored = file_store(
        actor=None, uploaded_file=_upload("Giấy tiếp nhận.pdf", _pdf()), purpose="receipt"
    )
    request = RequestFactory().get("/")
    # when it is served as an attachment
    response = file_response(request, stored)
    # then the headers are safe and the name survives (RFC 5987)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Gi%E1%BA%A5y%20ti%E1%BA%BFp%20nh%E1%BA%ADn.pdf" in disposition
    assert int(response["Content-Length"]) == stored.size
    assert b"".join(response.streaming_content) == _pdf()
    # and inline it is sandboxed
    inline = file_response(request, stored, as_attachment=False)
    assert inline["Content-Disposition"].startswith("inline;")
    assert "sandbox" in inline["Content-Security-Policy"]
    inline.close()
    response.close()
