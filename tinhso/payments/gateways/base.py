"""The payment gateway interface the platform codes against.

A gateway turns a ``PaymentRequest`` into a signed redirect URL to its payment
page, verifies the signed callbacks it sends back (the browser's return and the
server-to-server IPN), answers a status query and lists a day's transactions
(its statement, read by the reconciliation). Amounts crossing this interface
are whole đồng; each implementation converts to its wire format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CallbackResult:
    """What a callback says, once its signature has been checked.

    ``valid`` is False for a missing or wrong signature (then nothing else is to
    be trusted). ``success`` is the gateway's own verdict on the transaction.
    """

    valid: bool
    reference: str = ""
    amount: int | None = None
    success: bool = False
    transaction_no: str = ""
    bank_code: str = ""
    response_code: str = ""
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class StatementLine:
    """One transaction of the gateway's daily statement (successful ones)."""

    reference: str
    amount: int
    transaction_no: str
    paid_at: dt.datetime


@dataclass(frozen=True)
class QueryResult:
    reference: str
    found: bool
    success: bool = False
    amount: int | None = None
    transaction_no: str = ""


class PaymentGateway:
    """The adapter interface; ``name`` is stored on each paid request."""

    name = ""

    def create_payment_url(self, request, return_url: str) -> str:
        raise NotImplementedError

    def verify_callback(self, params: dict[str, str]) -> CallbackResult:
        raise NotImplementedError

    def query(self, reference: str) -> QueryResult:
        raise NotImplementedError

    def statement(self, date: dt.date) -> list[StatementLine]:
        raise NotImplementedError

    def ipn_answer(self, code: str) -> dict[str, str]:
        """The body the gateway expects in answer to an IPN, for one of our codes."""
        raise NotImplementedError
