"""DEMO dossiers for ``tinhso demo``: a few dozen in every status, made through the services.

Everything here is demonstration content. The dossiers are made by the demo
accounts through the real services and actions (so history, audit and
deadlines are genuine), with the clock set back for each step so that some are
overdue, some due soon and one waits for a supplement. Two extra demo accounts
are added for the demo commune's committee (a specialist and a head), so that a
commune dossier can be taken through every step:

- ``chuyenvien.xa`` (specialist) and ``lanhdao.xa`` (head of the committee),
  password ``tinhso.core.demo.seeder.DEMO_PASSWORD``.

The demo citizen ``congdan`` also gets a dossier waiting for their payment (a
pending request, so "Thanh toán" is there at once) and a finished one whose
fees were paid through the gateway simulator and whose signed result (PDF with
the QR of its verification page) is in their dossier page. Some commune
dossiers of procedures with fees are paid online the same way, so the Decision
766 page has online payments to count. The demo certificate authority and the
certificates of the agencies in the demo (``demo_certificates``, also behind
``tinhso demo_pki``) are made before the results are signed.

Idempotent: nothing is done when demo dossiers exist already.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tinhso.core import calendar
from tinhso.core.choices import OrganisationKind, Role, UnitVersion
from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import AdministrativeUnit, Citizen, Organisation, User

DEMO_KEY_PREFIX = "demo-"
EXTRA_ACCOUNTS = (
    ("chuyenvien.xa", Role.SPECIALIST, "Hoàng Thị Lan"),
    ("lanhdao.xa", Role.HEAD, "Bùi Văn Quang"),
)


@dataclass
class DossierDemoReport:
    created: int = 0
    skipped: bool = False


@contextlib.contextmanager
def _clock(moment: dt.datetime):
    """Set the platform's clock back while a demo step runs (demo data only)."""
    original = calendar.now
    calendar.now = lambda: moment
    try:
        yield
    finally:
        calendar.now = original


def demo_pdf(label: str) -> SimpleUploadedFile:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(f"{label}.pdf", body, content_type="application/pdf")


def _files(procedure, case=None) -> dict[str, list]:
    return {
        c.code: [demo_pdf(c.code)]
        for c in procedure.components_for(case)
        if c.required and "pdf" in c.extensions
    }


def _extra_accounts(committee) -> dict[str, User]:
    from tinhso.core.demo.seeder import DEMO_PASSWORD
    from tinhso.core.services.users import user_create

    accounts = {}
    for username, role, name in EXTRA_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                organisation=committee,
                units=[committee.unit],
                full_name=name,
            )
        accounts[username] = user
    return accounts


def _working_days_ago(days: int, hour: int = 9) -> dt.datetime:
    """A moment ``days`` working days before now, at ``hour``."""
    cal = calendar.get_calendar()
    day = calendar.now().date()
    count = 0
    while count < days:
        day -= dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return dt.datetime.combine(day, dt.time(hour), tzinfo=cal.tz)


def demo_certificates(organisations) -> tuple[bool, int]:
    """The demo root and a certificate for each of ``organisations`` (what exists is kept).

    Returns whether the root was created now and how many agencies have a certificate.
    """
    from tinhso.core.signing import ensure_root, organisation_signer

    _folder, created = ensure_root()
    count = 0
    for organisation in organisations:
        if organisation.identifier_code:
            organisation_signer(organisation)
            count += 1
    return created, count


def _has_fees(procedure) -> bool:
    return any(fee.amount for fee in procedure.fees())


def _pay_online(dossier, when: dt.datetime):
    """Pay the dossier's pending request through the gateway simulator's bank side.

    The simulator signs the result and delivers the IPN to the platform's own
    handler, which verifies it and takes the dossier back to work.
    """
    from django.urls import reverse

    from tinhso.core.links import public_url
    from tinhso.payments.choices import PaymentStatus
    from tinhso.payments.gateways.simulator import SimulatorGateway
    from tinhso.payments.models import PaymentRequest
    from tinhso.payments.views import simulate_payment

    with _clock(when):
        payment = PaymentRequest.objects.get(dossier=dossier, status=PaymentStatus.PENDING)
        gateway = SimulatorGateway()
        params = gateway.payment_params(payment, public_url(reverse("payments:return")))
        simulate_payment(gateway, params, paid=True)
    dossier.refresh_from_db()
    return dossier


def dossiers_demo_seed(*, actor=None) -> DossierDemoReport:
    from tinhso.core.demo.seeder import DEMO_COMMUNE_CODE
    from tinhso.dossiers.actions import dossier_act
    from tinhso.dossiers.choices import Channel
    from tinhso.dossiers.models import Dossier
    from tinhso.dossiers.services import dossier_submit
    from tinhso.procedures.models import Procedure

    report = DossierDemoReport()
    if Dossier.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).exists():
        report.skipped = True
        return report
    users = {
        u.username: u for u in User.objects.filter(username__in=["congdan", "motcua", "motcua.xa"])
    }
    if len(users) < 3:
        return report  # the core demo data set is not there: nothing to build on
    commune = AdministrativeUnit.objects.filter(
        version=UnitVersion.POST_2025, code=DEMO_COMMUNE_CODE
    ).first()
    committee = Organisation.objects.filter(
        kind=OrganisationKind.COMMUNE_COMMITTEE, unit=commune
    ).first()
    if commune is None or committee is None:
        return report
    commune_procedures = list(
        Procedure.objects.filter(is_active=True, level="commune", agency_kind="commune_committee")
        .exclude(service_level="information_only")
        .order_by("national_code")[:8]
    )
    province_procedures = list(
        Procedure.objects.filter(is_active=True, level="province")
        .exclude(service_level="information_only")
        .order_by("national_code")[:6]
    )
    if not commune_procedures:
        return report
    citizen_user, desk, commune_desk = users["congdan"], users["motcua"], users["motcua.xa"]
    citizens = list(Citizen.objects.exclude(pk=citizen_user.citizen_id).order_by("id")[:40])
    now = calendar.now()
    counter = iter(range(1, 10_000))

    def key() -> str:
        return f"{DEMO_KEY_PREFIX}{next(counter):05d}"

    def desk_submit(officer, procedure, applicant, unit, when):
        with _clock(when):
            return dossier_submit(
                actor=officer,
                procedure=procedure,
                applicant=applicant,
                channel=Channel.IN_PERSON,
                unit=unit,
                form_data={"address": "Số 12 Trần Hưng Đạo"},
                files=_files(procedure),
                idempotency_key=key(),
            )

    def act(user, dossier, action, when, **params):
        if action == "pay":
            return _pay_online(dossier, when)
        with _clock(when):
            return dossier_act(actor=user, dossier=dossier, action=action, **params)

    def citizen_submit(procedure, when):
        with _clock(when):
            return dossier_submit(
                actor=citizen_user,
                procedure=procedure,
                applicant=citizen_user.citizen,
                channel=Channel.ONLINE,
                unit=commune,
                form_data={"address": "Số 5 Nguyễn Lương Bằng"},
                files=_files(procedure),
                idempotency_key=key(),
            )

    fee_procedures = [p for p in commune_procedures if _has_fees(p)]

    with transaction.atomic():
        staff = _extra_accounts(committee)
        specialist, head = staff["chuyenvien.xa"], staff["lanhdao.xa"]
        made = []
        # 1. New online dossiers by the demo citizen, waiting at the commune desk.
        for procedure in commune_procedures[:3]:
            with _clock(now - dt.timedelta(hours=2)):
                made.append(
                    dossier_submit(
                        actor=citizen_user,
                        procedure=procedure,
                        applicant=citizen_user.citizen,
                        channel=Channel.ONLINE,
                        unit=commune,
                        form_data={"address": "Số 5 Nguyễn Lương Bằng", "note": "Hồ sơ demo"},
                        files=_files(procedure),
                        idempotency_key=key(),
                    )
                )
        # 2. Commune dossiers at every stage, received on past working days.
        for n, citizen in enumerate(citizens[:24]):
            procedure = commune_procedures[n % len(commune_procedures)]
            days_ago = [1, 2, 4, 6, 9, 12][n % 6]
            start = _working_days_ago(days_ago, hour=8 + n % 8)
            dossier = desk_submit(commune_desk, procedure, citizen, commune, start)
            plans = {
                0: [],
                1: [(head, "assign", {"assignee": specialist.pk})],
                2: [(head, "assign", {"assignee": specialist.pk}), (specialist, "forward", {})],
                3: [
                    (head, "assign", {"assignee": specialist.pk}),
                    (specialist, "forward", {}),
                    (head, "approve", {}),
                ],
                4: [
                    (head, "assign", {"assignee": specialist.pk}),
                    (specialist, "forward", {}),
                    (head, "approve", {}),
                    (commune_desk, "return_result", {}),
                ],
                5: [
                    (head, "assign", {"assignee": specialist.pk}),
                    (head, "refuse", {"reason": "Hồ sơ không đủ điều kiện (demo)"}),
                ],
            }[n % 6]
            if procedure in fee_procedures and plans and plans[-1][1] != "refuse":
                # The specialist asks for the fees; on the way to a decision they are paid online.
                paying = [(specialist, "request_payment", {})]
                if len(plans) > 1:
                    paying.append((None, "pay", {}))
                plans = plans[:1] + paying + plans[1:]
            for hours, (user, action, params) in enumerate(plans, start=1):
                try:
                    dossier = act(
                        user, dossier, action, start + dt.timedelta(hours=hours), **params
                    )
                except TinhsoError:
                    break  # a catalogue process of another shape: leave it where it is
            made.append(dossier)
        # 3. One waiting for a supplement from the demo citizen.
        procedure = commune_procedures[0]
        start = _working_days_ago(2, hour=9)
        with _clock(start):
            dossier = dossier_submit(
                actor=citizen_user,
                procedure=procedure,
                applicant=citizen_user.citizen,
                channel=Channel.ONLINE,
                unit=commune,
                form_data={"address": "Số 5 Nguyễn Lương Bằng"},
                files=_files(procedure),
                idempotency_key=key(),
            )
        dossier = act(commune_desk, dossier, "receive", start + dt.timedelta(minutes=30))
        dossier = act(
            head, dossier, "assign", start + dt.timedelta(hours=1), assignee=specialist.pk
        )
        dossier = act(
            specialist,
            dossier,
            "request_supplement",
            start + dt.timedelta(hours=2),
            reason="Bản sao giấy tờ chưa rõ nét (demo)",
            items=["Chụp lại bản sao giấy tờ tuỳ thân rõ nét"],
        )
        made.append(dossier)
        # 3b. The demo citizen's dossiers with fees: one waiting for their payment
        # (requested an hour ago, so the request is open), one paid online, decided
        # and returned with its signed result.
        if fee_procedures:
            procedure = fee_procedures[-1]
            start = _working_days_ago(1, hour=9)
            dossier = citizen_submit(procedure, start)
            steps = [
                (commune_desk, "receive", {}),
                (head, "assign", {"assignee": specialist.pk}),
            ]
            for minutes, (user, action, params) in enumerate(steps, start=1):
                when = start + dt.timedelta(minutes=30 * minutes)
                dossier = act(user, dossier, action, when, **params)
            dossier = act(specialist, dossier, "request_payment", now - dt.timedelta(hours=1))
            made.append(dossier)

            procedure = fee_procedures[0]
            start = _working_days_ago(3, hour=9)
            dossier = citizen_submit(procedure, start)
            steps = [
                (commune_desk, "receive", {}),
                (head, "assign", {"assignee": specialist.pk}),
                (specialist, "request_payment", {}),
                (None, "pay", {}),
                (specialist, "forward", {}),
                (head, "approve", {}),
                (commune_desk, "return_result", {}),
            ]
            for hours, (user, action, params) in enumerate(steps, start=1):
                dossier = act(user, dossier, action, start + dt.timedelta(hours=hours), **params)
            made.append(dossier)
        # 4. Province dossiers received at the city's centre ("phi địa giới": for any commune).
        for n, procedure in enumerate(province_procedures):
            citizen = citizens[24 + n]
            start = _working_days_ago([1, 3, 8, 15, 2, 5][n % 6], hour=9 + n % 6)
            made.append(desk_submit(desk, procedure, citizen, commune, start))
        # The demo authority and the certificates of the agencies in the demo, before
        # the approved dossiers' results are signed (when this transaction commits).
        signing = {d.competent_organisation_id for d in made}
        signing |= {u.organisation_id for u in (desk, commune_desk, specialist, head)}
        demo_certificates(Organisation.objects.filter(pk__in=signing).order_by("pk"))
        report.created = len(made)
    return report
