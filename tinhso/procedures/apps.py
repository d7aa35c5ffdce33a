from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Models of this app whose rows anyone may read (the catalogue is public).
PUBLIC_MODELS = (
    "procedures.field",
    "procedures.procedure",
    "procedures.procedurecase",
    "procedures.fee",
    "procedures.component",
    "procedures.processtemplate",
    "procedures.processstep",
)


class ProceduresConfig(AppConfig):
    name = "tinhso.procedures"
    label = "procedures"
    verbose_name = _("Thủ tục hành chính")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the catalogue's permissions in core's tables: reading is
        # public, maintaining the catalogue is for IT administrators.
        from tinhso.core.choices import Role
        from tinhso.core.permissions import PUBLIC_VIEW, ROLE_ACTIONS

        PUBLIC_VIEW.update(PUBLIC_MODELS)
        admin = ROLE_ACTIONS.setdefault(Role.IT_ADMIN, {})
        for label in PUBLIC_MODELS:
            admin.setdefault(label, set()).update({"view", "add", "change", "delete"})

    def demo_load(self) -> str:
        """Called by ``tinhso demo``: load the demo catalogue (once) and say what happened."""
        from django.utils.translation import gettext as _t

        from tinhso.procedures.demo import load_demo_catalogue

        report = load_demo_catalogue(actor=None)
        if report.skipped:
            return _t("Danh mục thủ tục demo đã có sẵn (%(n)d thủ tục).") % {"n": report.total}
        return _t("Đã nạp danh mục thủ tục demo: %(n)d thủ tục.") % {"n": report.total}
