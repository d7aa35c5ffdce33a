"""Public-investment pages, included at the site root (config/urls.py) before the core."""

from django.urls import path

from tinhso.investment import views

app_name = "investment"

urlpatterns = [
    path("quan-tri/dau-tu/", views.overview_page, name="overview"),
    path("quan-tri/dau-tu/cap-nhat/", views.update_page, name="update"),
    path("quan-tri/dau-tu/canh-bao/", views.alerts_page, name="alerts"),
    path("quan-tri/dau-tu/canh-bao/<int:alert_id>/xac-nhan/", views.alert_ack, name="alert_ack"),
    path("quan-tri/dau-tu/du-an/<str:code>/", views.project_page, name="project"),
    path(
        "quan-tri/dau-tu/du-an/<str:code>/tep/<uuid:file_id>/",
        views.project_file,
        name="project_file",
    ),
]
