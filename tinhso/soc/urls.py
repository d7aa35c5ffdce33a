"""The analyst console, included at the site root (config/urls.py) before the core."""

from django.urls import path

from tinhso.soc import views

app_name = "soc"

urlpatterns = [
    path("quan-tri/an-ninh/", views.incidents_page, name="incidents"),
    path("quan-tri/an-ninh/su-co/<int:incident_id>/", views.incident_page, name="incident"),
    path(
        "quan-tri/an-ninh/su-co/<int:incident_id>/tiep-nhan/",
        views.incident_acknowledge,
        name="incident_acknowledge",
    ),
    path(
        "quan-tri/an-ninh/su-co/<int:incident_id>/dong/",
        views.incident_close,
        name="incident_close",
    ),
    path("quan-tri/an-ninh/canh-bao/", views.alerts_page, name="alerts"),
    path("quan-tri/an-ninh/quyet-dinh/", views.decisions_page, name="decisions"),
    path(
        "quan-tri/an-ninh/quyet-dinh/<int:decision_id>/go/",
        views.decision_revoke,
        name="decision_revoke",
    ),
    path("quan-tri/an-ninh/chan/", views.ban, name="ban"),
]
