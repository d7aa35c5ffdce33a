"""Public addresses of the security module, included at the site root (config/urls.py):
the challenge page and the firewall's pull of the ban sets (docs/soc.md)."""

from django.urls import path

from tinhso.soc import challenge, nftables

app_name = "soc_public"

urlpatterns = [
    path("soc/xac-minh/", challenge.challenge_view, name="challenge"),
    path("soc/nftables.nft", nftables.export_view, name="nftables"),
]
