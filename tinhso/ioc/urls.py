"""Pages of the operations centre, included at the site root (config/urls.py)."""

from django.urls import path

from tinhso.ioc import views

app_name = "ioc"

urlpatterns = [
    path("quan-tri/chi-so-766/", views.indicators_page, name="indicators"),
    path("quan-tri/chi-so-766/<slug:code>/<slug:part>/", views.drill_page, name="drill"),
]
