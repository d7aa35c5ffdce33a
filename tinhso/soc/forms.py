"""Forms of the analyst console: the incident list's filters, closing, banning by hand."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.soc.choices import CloseReason, Scope, Severity
from tinhso.soc.selectors import STATUS_FILTERS
from tinhso.soc.services import MANUAL_BAN_SECONDS

TTL_LABELS = {
    15 * 60: _("15 phút"),
    3600: _("1 giờ"),
    4 * 3600: _("4 giờ"),
    24 * 3600: _("1 ngày"),
    7 * 24 * 3600: _("7 ngày"),
}


class _Form(forms.Form):
    """Points each field with an error at its message (``<id>-error``) for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class IncidentFilterForm(_Form):
    """GET filters; a bad value is reported next to its field and the filter is ignored."""

    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[(k, label) for k, (label, _q) in STATUS_FILTERS.items()],
    )
    muc_do = forms.ChoiceField(
        label=_("Mức độ nghiêm trọng"),
        required=False,
        choices=[("", _("Tất cả")), *Severity.choices],
    )
    luat = forms.CharField(label=_("Luật"), required=False, max_length=64)
    doi_tuong = forms.CharField(label=_("Địa chỉ hoặc người dùng"), required=False, max_length=150)
    tu_ngay = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )
    den_ngay = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )

    def __init__(self, data=None, *, rules=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["luat"] = forms.ChoiceField(
            label=_("Luật"),
            required=False,
            choices=[("", _("Tất cả"))] + [(r, r) for r in rules],
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("tu_ngay"), cleaned.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters (a field with an error counts as not given)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        ok = lambda name: data.get(name) if name not in self.errors else None  # noqa: E731
        return {
            "status": ok("trang_thai") or "dang-xu-ly",
            "severity": ok("muc_do") or "",
            "rule": ok("luat") or "",
            "key": ok("doi_tuong") or "",
            "date_from": ok("tu_ngay"),
            "date_to": ok("den_ngay"),
        }


class CloseForm(_Form):
    reason = forms.ChoiceField(
        label=_("Lý do đóng"),
        choices=[("", _("— Chọn lý do —")), *CloseReason.choices],
        error_messages={
            "required": _("Hãy chọn lý do đóng sự cố."),
            "invalid_choice": _("Lý do đóng không hợp lệ."),
        },
    )
    note = forms.CharField(
        label=_("Ghi chú (đã xác minh hoặc xử lý thế nào)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Hãy ghi rõ đã xác minh hoặc xử lý thế nào."),
            "max_length": _("Ghi chú dài quá 2.000 ký tự."),
        },
    )


class BanForm(_Form):
    scope = forms.ChoiceField(
        label=_("Chặn theo"),
        choices=Scope.choices,
        error_messages={"invalid_choice": _("Phạm vi chặn không hợp lệ.")},
    )
    value = forms.CharField(
        label=_("Địa chỉ, dải địa chỉ hoặc người dùng"),
        max_length=150,
        error_messages={"required": _("Hãy nhập địa chỉ hoặc người dùng cần chặn.")},
    )
    ttl_seconds = forms.TypedChoiceField(
        label=_("Thời hạn"),
        coerce=int,
        choices=[(s, TTL_LABELS[s]) for s in MANUAL_BAN_SECONDS],
        initial=3600,
        error_messages={"invalid_choice": _("Thời hạn chặn không hợp lệ.")},
    )
    reason = forms.CharField(
        label=_("Lý do chặn"),
        max_length=255,
        error_messages={"required": _("Hãy ghi lý do chặn.")},
    )
