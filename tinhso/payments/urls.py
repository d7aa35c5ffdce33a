"""Payment pages, included at the site root (config/urls.py)."""

from django.urls import path

from tinhso.payments import views

app_name = "payments"

urlpatterns = [
    path("ca-nhan/thanh-toan/ket-qua/", views.payment_return, name="return"),
    path("ca-nhan/thanh-toan/<str:reference>/", views.pay, name="pay"),
    path("ca-nhan/thanh-toan/<str:reference>/bien-lai.pdf", views.my_receipt, name="my_receipt"),
    path("quan-tri/thanh-toan/doi-soat/", views.reconciliation, name="reconciliation"),
    path(
        "quan-tri/thanh-toan/<str:reference>/bien-lai.pdf",
        views.office_receipt,
        name="office_receipt",
    ),
    path("gia-lap-cong-thanh-toan/", views.simulator, name="simulator"),
]
