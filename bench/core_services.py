"""Speed of the one-stop's core services: counters, stored files, notifications, PDF documents.

Run: .venv/bin/python bench/core_services.py [N]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench .venv/bin/python bench/core_services.py
Works on a throw-away test database (``test_<name>``, or a temporary SQLite file) and a
temporary MEDIA_ROOT, both removed afterwards. Prints operations per second.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
if not os.environ.get("DATABASE_URL"):
    # A file, not memory: the concurrent case needs connections that share it.
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from tinhso.core.documents import (  # noqa: E402
    KeyValues,
    OfficialDocument,
    Paragraph,
    Qr,
    Signature,
    Table,
    place_date,
    render_pdf,
    static_fonts,
)
from tinhso.core.files import file_store  # noqa: E402
from tinhso.core.notifications import notify  # noqa: E402
from tinhso.core.sequences import next_value  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
THREADS = 4


def rate(label: str, count: int, seconds: float, unit: str = "ops") -> None:
    print(f"{label:<52} {count / seconds:>9.0f} {unit}/s  ({count} in {seconds:.2f} s)")


def bench_counters() -> None:
    start = time.perf_counter()
    for _ in range(N):
        with transaction.atomic():
            next_value(scope="bench:one")
    rate("next_value, one caller, one transaction each", N, time.perf_counter() - start)

    def caller() -> None:
        try:
            for _ in range(N // THREADS):
                with transaction.atomic():
                    next_value(scope="bench:shared")
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate(f"next_value, {THREADS} callers on one scope", N, time.perf_counter() - start)


def bench_files() -> None:
    pdf = render_pdf(_doc())
    count = max(N // 5, 50)
    start = time.perf_counter()
    for i in range(count):
        upload = SimpleUploadedFile(f"giay-to-{i}.pdf", pdf, content_type="application/pdf")
        file_store(actor=None, uploaded_file=upload, purpose="bench")
    seconds = time.perf_counter() - start
    rate(f"file_store, {len(pdf) // 1024} KB PDF (checked, hashed, written)", count, seconds)


def bench_notifications() -> None:
    count = N
    start = time.perf_counter()
    for i in range(count):
        with transaction.atomic():
            notify(subject=f"Hồ sơ {i}", body="Nội dung", email="a@example.vn", phone="0912345678")
    rate("notify email + SMS (locmem mail, logging SMS)", count, time.perf_counter() - start)


def _doc() -> OfficialDocument:
    return OfficialDocument(
        agency_parent="Ủy ban nhân dân thành phố Hải Phòng",
        agency="Trung tâm Phục vụ hành chính công",
        number="1234/GTN-TTPVHCC",
        place_date=place_date("Hải Phòng", dt.date(2026, 11, 22)),
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        subtitle="Mã hồ sơ: 000.00.50.H24-261122-0001",
        blocks=[
            Paragraph(
                "Trung tâm Phục vụ hành chính công đã tiếp nhận hồ sơ của bà Nguyễn Thị Hương."
            ),
            KeyValues([("Họ và tên", "Nguyễn Thị Hương"), ("Thủ tục", "Đăng ký khai sinh")]),
            Table(
                ["STT", "Tên giấy tờ", "Số lượng"],
                [["1", "Tờ khai", "1"], ["2", "Giấy chứng sinh", "1"]],
            ),
            Qr("https://example.vn/tra-cuu/000.00.50.H24-261122-0001", "Quét mã để tra cứu"),
            Signature("Người tiếp nhận", "Trần Văn Đức"),
        ],
    )


def bench_documents() -> None:
    start = time.perf_counter()
    static_fonts()
    print(
        f"{'static fonts ready (made now or read from the cache)':<52} {time.perf_counter() - start:>9.2f} s"
    )
    count = 50
    start = time.perf_counter()
    for _ in range(count):
        render_pdf(_doc())
    seconds = time.perf_counter() - start
    rate("render_pdf, one-page receipt with QR", count, seconds, "docs")


def main() -> None:
    import logging

    logging.getLogger("tinhso.notifications").setLevel(logging.WARNING)
    media = tempfile.mkdtemp()
    settings.MEDIA_ROOT = media
    if connection.vendor == "sqlite":
        # A file, not memory: the concurrent callers need connections sharing it.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + ".test"
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        print(f"database: {connection.vendor}, N={N}")
        bench_counters()
        bench_files()
        bench_notifications()
        bench_documents()
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_name, verbosity=0)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
