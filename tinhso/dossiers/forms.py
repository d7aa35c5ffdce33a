"""Forms of the dossier pages: the submission form, the desk intake, tracking, actions.

The forms only shape and bound what a page sends; every rule about dossiers
(components, file types and sizes, who may act, statuses) is decided by the
services and actions the pages call, the same ones the API calls. Files are
not Django form fields: the view reads them per component (``file__<code>``)
and hands them to the service, which judges each one.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.dossiers.choices import Channel

FILE_PREFIX = "file__"
# A stored result chosen from the citizen's "Kho giấy tờ" for a component (``paper__<code>``).
PAPER_PREFIX = "paper__"
# What Django adds to every POST form; never a forged field.
FRAMEWORK_FIELDS = frozenset({"csrfmiddlewaretoken"})

RESULT_DELIVERY_CHOICES = [
    ("online", _("Nhận trực tuyến")),
    ("in_person", _("Nhận trực tiếp tại nơi nộp")),
    ("post", _("Nhận qua dịch vụ bưu chính")),
]


def new_idempotency_key() -> str:
    """A fresh key for one rendering of a submission form (32 hex digits)."""
    return uuid.uuid4().hex


class AccessibleForm(forms.Form):
    """Links each field to its hint and error (``aria-describedby``) and marks it invalid."""

    def decorate(self) -> AccessibleForm:
        for name, field in self.fields.items():
            bound = self[name]
            attrs = field.widget.attrs
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if self.is_bound and bound.errors:
                described.append(f"{bound.auto_id}-error")
                attrs["aria-invalid"] = "true"
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                attrs["aria-required"] = "true"
        return self

    def unknown_keys(self, data, files=None, *, component_codes=(), paper_codes=()) -> list[str]:
        """POST keys this form never renders (a forged field), and file keys of no component.

        ``paper_codes``: components whose paper may be picked from the citizen's
        stored results (``paper__<code>``); the service judges the choice.
        """
        allowed_files = {self.add_prefix(FILE_PREFIX + code) for code in component_codes}
        papers = {self.add_prefix(PAPER_PREFIX + code) for code in paper_codes}
        # A browser sends an empty file input as a plain field with no value.
        known = (
            {self.add_prefix(name) for name in self.fields}
            | FRAMEWORK_FIELDS
            | allowed_files
            | papers
        )
        unknown = sorted(str(key)[:64] for key in data if key not in known)
        unknown += sorted(str(key)[:64] for key in (files or {}) if key not in allowed_files)
        return unknown


class SubmissionForm(AccessibleForm):
    """What a citizen fills in online besides the files: where, contact, how to get the result."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    case = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    unit = forms.ChoiceField(
        label=_("Xã, phường nơi đề nghị giải quyết"),
        required=False,
        help_text=_("Với thủ tục cấp tỉnh có thể để trống."),
    )
    receiving_organisation = forms.ChoiceField(
        label=_("Nơi tiếp nhận hồ sơ"),
        required=False,
        help_text=_(
            "Có thể chọn bất kỳ Trung tâm Phục vụ hành chính công hoặc Ủy ban nhân dân xã, "
            "phường nào trong tỉnh; để trống thì hệ thống chọn nơi phù hợp."
        ),
    )
    address = forms.CharField(label=_("Địa chỉ liên hệ"), max_length=300, required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    result_delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"), choices=RESULT_DELIVERY_CHOICES, initial="online"
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, units=(), receiving=(), unit_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("— Chọn xã, phường —"))]
        self.fields["unit"].choices = blank + [(u.code, u.full_name) for u in units]
        self.fields["unit"].required = unit_required
        if unit_required:
            self.fields["unit"].help_text = _("Thủ tục cấp xã: chọn xã, phường giải quyết hồ sơ.")
        self.fields["receiving_organisation"].choices = [("", _("Để hệ thống chọn"))] + [
            (o.identifier_code, o.name) for o in receiving
        ]
        for name in ("unit", "result_delivery"):
            self.fields[name].error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")
        self.fields["receiving_organisation"].error_messages["invalid_choice"] = _(
            "Lựa chọn không hợp lệ."
        )
        for name in ("unit", "result_delivery"):
            self.fields[name].error_messages["required"] = _("Vui lòng chọn.")

    def declaration(self) -> dict[str, str]:
        """The declaration as the service takes it (``form_data``), blanks left out."""
        keys = ("address", "phone", "email", "result_delivery", "note")
        return {key: self.cleaned_data[key] for key in keys if self.cleaned_data.get(key)}


class DeskSubmissionForm(SubmissionForm):
    """The desk officer's intake: the applicant found or registered by CCCD, then the dossier."""

    id_number = forms.CharField(
        label=_("Số CCCD của người nộp"),
        max_length=12,
        min_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số."),
        error_messages={
            "required": _("Vui lòng nhập số CCCD."),
            "min_length": _("Số CCCD gồm đúng 12 chữ số."),
            "max_length": _("Số CCCD gồm đúng 12 chữ số."),
        },
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        required=False,
        help_text=_("Chỉ cần khi công dân chưa có trong hệ thống."),
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(Channel.IN_PERSON, _("Trực tiếp")), (Channel.POST, _("Qua bưu chính"))],
        initial=Channel.IN_PERSON,
    )

    ma = forms.CharField(widget=forms.HiddenInput, max_length=32)

    field_order = ["id_number", "full_name", "channel", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["receiving_organisation"]  # the desk that receives is the officer's
        self.fields["result_delivery"].initial = "in_person"
        self.fields["channel"].error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")

    def clean_id_number(self) -> str:
        value = "".join(self.cleaned_data["id_number"].split())
        if not value.isdigit() or len(value) != 12:
            raise forms.ValidationError(_("Số CCCD gồm đúng 12 chữ số."), code="cccd_format")
        return value


class TrackForm(AccessibleForm):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        help_text=_("In trên giấy tiếp nhận, ví dụ 000.00.50.H24-250801-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    id_number = forms.CharField(
        label=_("Số CCCD của người nộp"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập số CCCD.")},
    )


class ActionForm(AccessibleForm):
    """One workflow action on the officer's or the citizen's dossier page.

    ``expected_version`` is the version the page showed: if someone acted in
    between, the action refuses with ``stale_version`` and nothing changes.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Lý do"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    items = forms.CharField(
        label=_("Nội dung cần bổ sung"),
        max_length=6000,
        required=False,
        help_text=_("Mỗi dòng một nội dung."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assignee = forms.ChoiceField(label=_("Giao cho"), required=False)

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— Chọn người xử lý —"))] + [
            (str(user.pk), user.full_name or user.username) for user in assignees
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")

    def params(self) -> dict:
        """The action's parameters, as the API passes them."""
        data = self.cleaned_data
        items = [line.strip() for line in (data.get("items") or "").splitlines() if line.strip()]
        params = {"reason": data.get("reason") or "", "note": data.get("note") or ""}
        if items:
            params["items"] = items
        if data.get("assignee"):
            params["assignee"] = int(data["assignee"])
        return params


class OfficeDocumentForm(AccessibleForm):
    """Base of the officer's document forms on a dossier page (a result, an apology letter).

    Like the action forms, each posts the version the page showed; the service
    refuses with ``stale_version`` when someone acted in between.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def unknown_keys(self, data, files=None, *, component_codes=()) -> list[str]:
        known = {self.add_prefix(name) for name in self.fields} | FRAMEWORK_FIELDS
        unknown = sorted(str(key)[:64] for key in data if key not in known)
        unknown += sorted(str(key)[:64] for key in (files or {}) if key not in known)
        return unknown


class ResultUploadForm(OfficeDocumentForm):
    """The head of the competent agency uploads the result signed with their agency's certificate."""

    file = forms.FileField(
        label=_("Tệp kết quả đã ký số (PDF)"),
        help_text=_(
            "Tệp PDF đã ký số bằng chứng thư của cơ quan giải quyết; tệp khác, tệp chưa ký "
            "hoặc chữ ký không hợp lệ sẽ bị từ chối."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={
            "required": _("Vui lòng chọn tệp kết quả."),
            "empty": _("Tệp đã chọn rỗng."),
            "invalid": _("Tệp không hợp lệ."),
        },
    )


class ApologyForm(OfficeDocumentForm):
    """An apology letter: the reason, and the new date as working days from now or a moment."""

    reason = forms.CharField(
        label=_("Lý do chậm trả kết quả"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần ghi lý do chậm trả kết quả.")},
    )
    extra_days = forms.IntegerField(
        label=_("Hẹn thêm (số ngày làm việc)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Từ 1 đến 60 ngày làm việc, tính từ bây giờ theo lịch làm việc."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Nhập một số nguyên."),
            "min_value": _("Số ngày làm việc hẹn thêm phải từ 1 đến 60."),
            "max_value": _("Số ngày làm việc hẹn thêm phải từ 1 đến 60."),
        },
    )
    new_due_at = forms.DateTimeField(
        label=_("Hoặc hẹn trả kết quả vào lúc"),
        required=False,
        help_text=_("Để trống nếu đã nhập số ngày hẹn thêm."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": _("Ngày giờ không hợp lệ.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("extra_days") and data.get("new_due_at"):
            raise forms.ValidationError(
                _("Chỉ nhập một trong hai: số ngày hẹn thêm hoặc ngày giờ hẹn mới."),
                code="apology_both_dates",
            )
        if not data.get("extra_days") and not data.get("new_due_at") and not self.errors:
            self.add_error("extra_days", _("Nhập số ngày hẹn thêm hoặc ngày giờ hẹn mới."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "extra_days": data.get("extra_days"),
            "new_due_at": data.get("new_due_at"),
        }
