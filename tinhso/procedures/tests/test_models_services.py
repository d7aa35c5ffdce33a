"""Models and services: legal time, cases, fees, process validation, permissions, audit."""

from decimal import Decimal

import pytest

from tinhso.core.exceptions import PermissionDenied, TinhsoError
from tinhso.core.models import AuditEvent, User
from tinhso.procedures.errors import InvalidProcedure, InvalidProcess
from tinhso.procedures.models import Component, Fee, ProcedureCase
from tinhso.procedures.selectors import template_for
from tinhso.procedures.services import (
    legal_hours,
    procedure_create,
    procedure_update,
    template_save,
    template_validate,
)

from .factories import make_field, make_procedure, steps

pytestmark = pytest.mark.django_db


def test_a_case_overrides_the_procedures_time_and_keeps_its_unit_when_blank():
    # given a 1-working-day procedure with a 3-day case and a case without a time
    procedure = make_procedure()
    late = ProcedureCase.objects.create(
        procedure=procedure, code="qua-han", name="Quá hạn", processing_time=3
    )
    same = ProcedureCase.objects.create(procedure=procedure, code="dung-han", name="Đúng hạn")
    # then
    assert procedure.legal_duration() == (Decimal("1"), "working_days")
    assert procedure.legal_duration(late) == (Decimal("3"), "working_days")
    assert procedure.legal_duration(same) == (Decimal("1"), "working_days")


def test_a_cases_own_fees_replace_the_general_ones_and_components_add_up():
    procedure = make_procedure()
    late = ProcedureCase.objects.create(procedure=procedure, code="qua-han", name="Quá hạn")
    other = ProcedureCase.objects.create(procedure=procedure, code="khac", name="Khác")
    Fee.objects.create(procedure=procedure, name="Chung", amount=0)
    Fee.objects.create(procedure=procedure, case=late, name="Quá hạn", amount=5000)
    Component.objects.create(procedure=procedure, code="to-khai", name="Tờ khai")
    Component.objects.create(procedure=procedure, case=late, code="cam-doan", name="Cam đoan")

    assert [fee.amount for fee in procedure.fees()] == [0]
    assert [fee.amount for fee in procedure.fees(late)] == [5000]
    assert [fee.amount for fee in procedure.fees(other)] == [0]
    assert [c.code for c in procedure.components_for()] == ["to-khai"]
    assert [c.code for c in procedure.components_for(late)] == ["to-khai", "cam-doan"]


def test_legal_hours_converts_working_days_hours_and_calendar_days():
    assert legal_hours(3, "working_days") == Decimal(24)
    assert legal_hours(4, "working_hours") == Decimal(4)
    # 15 calendar days hold at least floor(15 × 5 / 7) = 10 working days
    assert legal_hours(15, "calendar_days") == Decimal(80)


def test_a_template_longer_than_the_legal_time_is_refused():
    # given a 1-working-day (8 h) procedure
    procedure = make_procedure()
    # when its process adds up to 9 hours
    with pytest.raises(InvalidProcess) as caught:
        template_save(actor=None, procedure=procedure, name="Quá dài", steps=steps(1, 6, 1, 1))
    # then it is refused and nothing is stored
    assert caught.value.code == "process_too_long"
    assert caught.value.details == {"total_hours": "9", "legal_hours": "8"}
    assert "vượt thời hạn" in str(caught.value.message)
    assert not procedure.templates.exists()


def test_a_case_with_more_time_accepts_a_longer_template():
    procedure = make_procedure()
    late = ProcedureCase.objects.create(
        procedure=procedure, code="qua-han", name="Quá hạn", processing_time=3
    )
    template = template_save(
        actor=None, procedure=procedure, case=late, name="Q", steps=steps(2, 16, 4, 2)
    )
    template_validate(template)
    assert template_for(procedure, late) == template


@pytest.mark.parametrize(
    ("broken", "code"),
    [
        (lambda s: s.__setitem__(0, {**s[0], "kind": "process"}), "process_receive_first"),
        (lambda s: s.__setitem__(3, {**s[3], "kind": "approve"}), "process_return_last"),
        (lambda s: s.__setitem__(2, {**s[2], "on_approve": "nowhere"}), "process_bad_branch"),
        (lambda s: s.__setitem__(2, {**s[2], "on_approve": "tiep-nhan"}), "process_bad_branch"),
        (lambda s: s.__setitem__(1, {**s[1], "code": "tiep-nhan"}), "process_duplicate_step"),
        (lambda s: s.__setitem__(1, {**s[1], "order": 1}), "process_bad_order"),
        (lambda s: s.__setitem__(1, {**s[1], "role": "citizen"}), "process_bad_role"),
        (lambda s: s.__setitem__(1, {**s[1], "duration_hours": "-1"}), "process_bad_duration"),
        (lambda s: s.clear(), "process_empty"),
    ],
)
def test_a_template_breaking_a_rule_is_refused_with_its_code(broken, code):
    procedure = make_procedure(processing_time=5)
    bad = steps(1, 1, 1, 1)
    broken(bad)
    with pytest.raises(InvalidProcess) as caught:
        template_save(actor=None, procedure=procedure, name="X", steps=bad)
    assert caught.value.code == code


def test_saving_a_template_again_replaces_its_steps_and_keeps_branches():
    procedure = make_procedure(processing_time=2)
    template_save(actor=None, procedure=procedure, name="A", steps=steps(1, 1, 1, 1))
    template = template_save(
        actor=None, procedure=procedure, name="B", steps=steps(2, 8, 4, 2, refuse_to="tham-dinh")
    )
    stored = list(template.steps.order_by("order"))
    assert [float(step.duration_hours) for step in stored] == [2, 8, 4, 2]
    assert stored[2].on_refuse == stored[1]
    assert template_for(procedure).name == "B"
    assert AuditEvent.objects.filter(action="process_template.save").count() == 2


def test_template_for_falls_back_to_the_procedures_template():
    procedure = make_procedure()
    case = ProcedureCase.objects.create(procedure=procedure, code="c", name="C")
    general = template_save(actor=None, procedure=procedure, name="G", steps=steps(1, 1, 1, 1))
    assert template_for(procedure, case) == general


def test_create_and_update_are_audited_and_validate_the_code():
    field = make_field()
    procedure = procedure_create(
        actor=None,
        national_code="2.000884",
        name="Chứng thực chữ ký",
        field=field,
        level="commune",
        agency_kind="commune_committee",
        service_level="information_only",
        processing_time=4,
        time_unit="working_hours",
    )
    procedure_update(actor=None, procedure=procedure, processing_time=1, time_unit="working_days")
    event = AuditEvent.objects.filter(action="procedure.update").get()
    assert event.changes["processing_time"] == ["4", "1"]
    with pytest.raises(InvalidProcedure) as caught:
        procedure_create(
            actor=None,
            national_code="1.1193",
            name="X",
            field=field,
            level="commune",
            agency_kind="other",
            service_level="full_online",
            processing_time=1,
        )
    assert "national_code" in caught.value.details
    with pytest.raises(TinhsoError) as duplicate:
        procedure_create(
            actor=None,
            national_code="2.000884",
            name="Y",
            field=field,
            level="commune",
            agency_kind="other",
            service_level="full_online",
            processing_time=1,
        )
    assert duplicate.value.code == "procedure_exists"


def test_only_it_administrators_may_change_the_catalogue():
    citizen = User.objects.create_user(username="dan", password="x-Very-long-1", role="citizen")
    admin = User.objects.create_user(username="it", password="x-Very-long-1", role="it_admin")
    procedure = make_procedure()
    with pytest.raises(PermissionDenied):
        template_save(actor=citizen, procedure=procedure, name="X", steps=steps(1, 1, 1, 1))
    template_save(actor=admin, procedure=procedure, name="X", steps=steps(1, 1, 1, 1))
    assert AuditEvent.objects.get(action="process_template.save").actor_id == admin.pk
