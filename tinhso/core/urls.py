from django.urls import path

from tinhso.core import views, views_auth

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views_auth.login_view, name="login"),
    path("dang-nhap/xac-thuc/", views_auth.login_otp_view, name="login_otp"),
    path("dang-xuat/", views_auth.logout_view, name="logout"),
    path("tai-khoan/bao-mat/", views_auth.security_view, name="account_security"),
    path("don-vi-hanh-chinh/", views.units, name="units"),
    path("quan-tri/", views.backoffice, name="backoffice"),
    path("quan-tri/<slug:slug>/", views.backoffice_section, name="backoffice_section"),
]
