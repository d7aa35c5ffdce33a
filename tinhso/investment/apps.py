from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "tinhso.investment"
    label = "investment"
    verbose_name = _("Đầu tư công")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.investment.permissions import register_role_actions

        register_role_actions()
