"""Logging helpers: keep ID numbers out of the logs.

``MaskIdNumbersFilter`` rewrites every record before a handler formats it: any
run of exactly 12 digits (a CCCD) and any 15-character health-insurance card
code becomes ``030******789``. It masks the message with its arguments merged
and the formatted exception, since a traceback may quote a value. Install it
on handlers (``LOGGING["handlers"][...]["filters"]``) so it covers records from
every logger, Django's own included.
"""

from __future__ import annotations

import logging
import re

from tinhso.core.validators import mask_id_number

# Digits standing alone: not inside a longer number.
_ID_RUN = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_BHYT_OLD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[1-5][0-9]{12}(?![0-9])")


def mask_text(text: str) -> str:
    """``text`` with CCCDs and old BHYT card codes masked."""
    if not text:
        return text
    text = _BHYT_OLD.sub(lambda m: mask_id_number(m.group(0)), text)
    return _ID_RUN.sub(lambda m: mask_id_number(m.group(0)), text)


class MaskIdNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return True
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
