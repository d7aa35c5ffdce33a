from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IocConfig(AppConfig):
    """Operations centre reports: the Decision 766/QĐ-TTg indicators (docs/indicators-766.md)."""

    name = "tinhso.ioc"
    label = "ioc"
    verbose_name = _("Trung tâm điều hành")
    default_auto_field = "django.db.models.BigAutoField"

    def backoffice_summary(self, user) -> dict[str, list[dict]]:
        """The "Báo cáo" card points leaders and heads to the Decision 766 indicators.

        Nothing is computed here (the indicators of a province-year take seconds):
        the card is a link, the figure the decision's number.
        """
        from django.urls import reverse
        from django.utils.translation import gettext as _t

        from tinhso.ioc.indicators import READER_ROLES

        if getattr(user, "role", None) not in READER_ROLES:
            return {}
        return {
            "bao-cao": [
                {
                    "label": _t("Bộ chỉ số phục vụ người dân, doanh nghiệp"),
                    "value": "766",
                    "url": reverse("ioc:indicators"),
                    "tone": "",
                }
            ]
        }
