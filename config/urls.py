from django.urls import include, path
from django.views.i18n import set_language

from tinhso.api import api
from tinhso.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("tinhso.soc.urls_public")),  # challenge page, firewall export
    path("thu-tuc-hanh-chinh/", include("tinhso.procedures.urls")),
    # Before the core: /quan-tri/ho-so/ is the dossiers' desk, not a core placeholder.
    path("", include("tinhso.payments.urls")),
    path("", include("tinhso.dossiers.urls")),
    path("", include("tinhso.ioc.urls")),
    path("", include("tinhso.investment.urls_excel")),
    path("", include("tinhso.investment.urls")),
    path("", include("tinhso.soc.urls")),
    path("", include("tinhso.core.urls")),
]

handler400 = "tinhso.core.views.error_400"
handler403 = "tinhso.core.views.error_403"
handler404 = "tinhso.core.views.error_404"
handler500 = "tinhso.core.views.error_500"
