"""ID numbers never reach the logs in clear."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from tinhso.core.logging import MaskIdNumbersFilter, mask_text


def _record(msg, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("tinhso.test", logging.INFO, __file__, 1, msg, args, exc_info)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("citizen 030085000123 signed in", "citizen 030******123 signed in"),
        ("id=030085000123,031310123456", "id=030******123,031******456"),
        ("card GD4010120152431 checked", "card GD4*********431 checked"),
        # Not an ID: longer or shorter digit runs stay as they are.
        ("order 1234567890123 total", "order 1234567890123 total"),
        ("phone 0912345678", "phone 0912345678"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_filter_masks_arguments_merged_into_the_message():
    record = _record("lookup of %s failed (%d tries)", "030085000123", 3)
    assert MaskIdNumbersFilter().filter(record)
    assert record.getMessage() == "lookup of 030******123 failed (3 tries)"


def test_filter_masks_the_traceback():
    try:
        raise ValueError("bad number 030085000123")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    MaskIdNumbersFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "030085000123" not in text
    assert "030******123" in text


def test_the_console_handler_of_the_settings_masks(settings):
    root = logging.getLogger()
    handlers = [
        h for h in root.handlers if any(isinstance(f, MaskIdNumbersFilter) for f in h.filters)
    ]
    assert handlers, "LOGGING does not install MaskIdNumbersFilter on the root handlers"
    handler = handlers[0]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    try:
        logging.getLogger("tinhso.anything").warning("citizen %s not found", "030085000123")
    finally:
        handler.setStream(old_stream)
    assert "030******123" in buffer.getvalue()
    assert "030085000123" not in buffer.getvalue()
