from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")
    default_auto_field = "django.db.models.BigAutoField"
    # The commune staff the demo dossiers need, listed by ``tinhso demo``.
    demo_usernames = ("chuyenvien.xa", "lanhdao.xa")

    def ready(self) -> None:
        from tinhso.dossiers.permissions import register_role_actions

        register_role_actions()

    def backoffice_summary(self, user) -> dict[str, list[dict]]:
        """The officer's counts on the back-office dashboard: waiting, due soon, overdue."""
        from django.urls import reverse
        from django.utils.translation import gettext as _t

        from tinhso.dossiers.selectors import due_soon_for, inbox_for, overdue_for

        url = reverse("dossiers:inbox")
        return {
            "ho-so": [
                {
                    "label": _t("chờ tôi xử lý"),
                    "value": inbox_for(user, limit=0)[1],
                    "url": url,
                    "tone": "",
                },
                {
                    "label": _t("sắp đến hạn"),
                    "value": due_soon_for(user, limit=0)[1],
                    "url": f"{url}?loai=sap-den-han",
                    "tone": "warning",
                },
                {
                    "label": _t("quá hạn"),
                    "value": overdue_for(user, limit=0)[1],
                    "url": f"{url}?loai=qua-han",
                    "tone": "danger",
                },
            ]
        }

    def demo_load(self) -> str:
        """Called by ``tinhso demo`` after the catalogue: the demo dossiers (once)."""
        from django.utils.translation import gettext as _t

        from tinhso.dossiers.demo import dossiers_demo_seed

        report = dossiers_demo_seed(actor=None)
        if report.skipped:
            return _t("Hồ sơ demo đã có sẵn.")
        return _t("Đã tạo %(n)d hồ sơ demo.") % {"n": report.created}
