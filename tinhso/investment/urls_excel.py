"""The Excel update and export pages, included at the site root (config/urls.py)."""

from django.urls import path

from tinhso.investment import views_excel

app_name = "investment_excel"

urlpatterns = [
    path("quan-tri/dau-tu/cap-nhat-excel/", views_excel.upload_page, name="upload"),
    path("quan-tri/dau-tu/cap-nhat-excel/mau.xlsx", views_excel.template_download, name="template"),
    path("quan-tri/dau-tu/bao-cao-giai-ngan.xlsx", views_excel.report_download, name="report"),
    path("quan-tri/dau-tu/oc4ids.json", views_excel.oc4ids_download, name="oc4ids"),
]
