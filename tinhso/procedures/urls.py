from django.urls import path

from tinhso.procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.search, name="search"),
    path("<str:national_code>/", views.detail, name="detail"),
]
