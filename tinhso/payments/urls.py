"""Payment pages, included at the site root (config/urls.py)."""

from django.urls import path

from tinhso.payments import views

app_name = "payments"

urlpatterns = [
    path("ca-nhan/thanh-toan/ket-qua/", views.payment_return, name="return"),
    path("ca-nhan/thanh-toan/<str:reference>/", views.pay, name="pay"),
    path("gia-lap-cong-thanh-toan/", views.simulator, name="simulator"),
]
