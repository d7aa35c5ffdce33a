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
