"""Page addresses of one-stop dossiers, included at the site root (config/urls.py).

Citizens: /nop-ho-so/, /ca-nhan/ho-so/; everyone: /tra-cuu-ho-so/; officers:
/quan-tri/ho-so/ (included before the core's /quan-tri/<section>/ placeholder).
"""

from django.urls import path

from tinhso.dossiers import views, views_documents, views_results

app_name = "dossiers"

urlpatterns = [
    path("nop-ho-so/<str:national_code>/", views.submit, name="submit"),
    path("tra-cuu-ho-so/", views.track, name="track"),
    path("ca-nhan/ho-so/", views.my_list, name="my_list"),
    path("ca-nhan/ho-so/<str:code>/", views.my_detail, name="my_detail"),
    path("ca-nhan/ho-so/<str:code>/da-nop/", views.submitted, name="submitted"),
    path("ca-nhan/ho-so/<str:code>/thao-tac/<slug:action>/", views.my_act, name="my_act"),
    path("ca-nhan/ho-so/<str:code>/giay-tiep-nhan.pdf", views.my_receipt, name="my_receipt"),
    path("ca-nhan/ho-so/<str:code>/tep/<str:file_id>/", views.my_file, name="my_file"),
    path("ca-nhan/ho-so/<str:code>/ket-qua.pdf", views_results.my_result, name="my_result"),
    path(
        "ca-nhan/ho-so/<str:code>/xin-loi/<int:letter_id>.pdf",
        views_documents.my_letter,
        name="my_letter",
    ),
    path("ca-nhan/kho-giay-to/", views_results.my_papers, name="my_papers"),
    path("xac-thuc-ket-qua/<str:token>/", views_results.verify, name="result_verify"),
    path("quan-tri/ho-so/", views.inbox, name="inbox"),
    path("quan-tri/ho-so/tiep-nhan/", views.intake, name="intake"),
    path("quan-tri/ho-so/<str:code>/", views.office_detail, name="office_detail"),
    path("quan-tri/ho-so/<str:code>/thao-tac/<slug:action>/", views.office_act, name="office_act"),
    path(
        "quan-tri/ho-so/<str:code>/giay-tiep-nhan.pdf", views.office_receipt, name="office_receipt"
    ),
    path("quan-tri/ho-so/<str:code>/tep/<str:file_id>/", views.office_file, name="office_file"),
    path(
        "quan-tri/ho-so/<str:code>/ket-qua/",
        views_documents.office_result_upload,
        name="office_result_upload",
    ),
    path(
        "quan-tri/ho-so/<str:code>/ket-qua.pdf", views_documents.office_result, name="office_result"
    ),
    path(
        "quan-tri/ho-so/<str:code>/xin-loi/", views_documents.office_apology, name="office_apology"
    ),
    path(
        "quan-tri/ho-so/<str:code>/xin-loi/<int:letter_id>.pdf",
        views_documents.office_letter,
        name="office_letter",
    ),
]
