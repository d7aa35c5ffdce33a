from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.dossiers.permissions import register_role_actions

        register_role_actions()

    def demo_load(self) -> str:
        """Called by ``tinhso demo`` after the catalogue: the demo dossiers (once)."""
        from django.utils.translation import gettext as _t

        from tinhso.dossiers.demo import dossiers_demo_seed

        report = dossiers_demo_seed(actor=None)
        if report.skipped:
            return _t("Hồ sơ demo đã có sẵn.")
        return _t("Đã tạo %(n)d hồ sơ demo.") % {"n": report.created}
