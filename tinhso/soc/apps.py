from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocConfig(AppConfig):
    """Security operations: events, request inspection, leaky buckets, decisions (docs/soc.md)."""

    name = "tinhso.soc"
    label = "soc"
    verbose_name = _("Giám sát an toàn thông tin")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.soc import signals  # noqa: F401  (sign-in outcomes feed the engine)
        from tinhso.soc.permissions import register_role_actions

        register_role_actions()

    def backoffice_summary(self, user) -> dict[str, list[dict]]:
        """The "An ninh" card for IT administrators: incidents open and acknowledged."""
        from django.urls import reverse
        from django.utils.translation import gettext as _t

        from tinhso.core.choices import Role
        from tinhso.soc.selectors import incident_counts

        if getattr(user, "role", None) != Role.IT_ADMIN:
            return {}
        counts = incident_counts(user)
        url = reverse("soc:incidents")
        return {
            "an-ninh": [
                {
                    "label": _t("sự cố đang mở"),
                    "value": counts["mo"],
                    "url": f"{url}?trang_thai=mo",
                    "tone": "danger",
                },
                {
                    "label": _t("sự cố đã tiếp nhận"),
                    "value": counts["tiep-nhan"],
                    "url": f"{url}?trang_thai=tiep-nhan",
                    "tone": "warning",
                },
            ]
        }

    def demo_load(self) -> str:
        """Called by ``tinhso demo``: a few plausible incidents for the console (once)."""
        from django.utils.translation import gettext as _t

        from tinhso.soc.demo import soc_demo_seed

        made = soc_demo_seed()
        if not made:
            return _t("Sự cố an ninh demo đã có sẵn.")
        return _t("Đã tạo %(n)d sự cố an ninh demo.") % {"n": made}
