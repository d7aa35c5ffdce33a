from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "tinhso.investment"
    label = "investment"
    verbose_name = _("Đầu tư công")
    default_auto_field = "django.db.models.BigAutoField"
    # The commune's project owner the demo adds (``chudautu``, the city board's, is core's).
    demo_usernames = ("chudautu.xa",)

    def ready(self) -> None:
        from tinhso.investment.permissions import register_role_actions

        register_role_actions()

    def backoffice_summary(self, user) -> dict[str, list[dict]]:
        """The "Đầu tư công" card: projects in scope, open alerts, alerts not yet seen.

        Counts only (two small queries): the disbursement rates are on the
        overview page, whose grouped queries are too heavy for every dashboard view.
        """
        from django.db.models import Count, Q
        from django.urls import reverse
        from django.utils.translation import gettext as _t

        from tinhso.investment import selectors, services
        from tinhso.investment.models import Alert, Disbursement, Project

        if not services.may(user, Project, "view"):
            return {}
        alerts_url = reverse("investment:alerts")
        figures = [
            {
                "label": _t("dự án trong phạm vi"),
                "value": Project.objects.restrict(user, "view").count(),
                "url": reverse("investment:overview"),
                "tone": "",
            }
        ]
        if services.may(user, Alert, "view"):
            counts = selectors.alerts_for(user, open_only=True).aggregate(
                open=Count("id"), unseen=Count("id", filter=Q(acknowledged_at__isnull=True))
            )
            figures += [
                {
                    "label": _t("cảnh báo đang mở"),
                    "value": counts["open"],
                    "url": alerts_url,
                    "tone": "warning",
                },
                {
                    "label": _t("cảnh báo chưa xem"),
                    "value": counts["unseen"],
                    "url": f"{alerts_url}?chua-xem=1",
                    "tone": "danger",
                },
            ]
        if services.may(user, Disbursement, "add"):
            figures[0]["url"] = reverse("investment:update")
            figures[0]["label"] = _t("dự án của đơn vị (cập nhật hôm nay)")
        return {"dau-tu": figures}

    def demo_load(self) -> str:
        """Called by ``tinhso demo``: the demo's public-investment projects (once)."""
        from django.utils.translation import gettext as _t

        from tinhso.investment.demo import investment_demo_seed

        report = investment_demo_seed(actor=None)
        if report.skipped:
            return _t("Dự án đầu tư công demo đã có sẵn.")
        return _t(
            "Đã tạo %(projects)d dự án đầu tư công demo, %(rows)d dòng giải ngân, "
            "%(alerts)d cảnh báo (%(s).1f giây)."
        ) % {
            "projects": report.projects,
            "rows": report.disbursements,
            "alerts": report.alerts,
            "s": report.seconds,
        }
