"""Forms of the core pages (sign-in, second factor)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.core.auth import normalise_otp


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Cán bộ dùng tên đăng nhập được cấp; công dân dùng số CCCD."),
        error_messages={"required": _("Vui lòng nhập tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("Mã 6 chữ số đang hiển thị trong ứng dụng xác thực trên điện thoại."),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )

    def clean_code(self) -> str:
        code = normalise_otp(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Mã xác thực gồm đúng 6 chữ số."), code="otp_format")
        return code
