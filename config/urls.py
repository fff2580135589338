from django.contrib import admin
from django.urls import include, path

from config import devmail
from digest.ops_views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ops/", include("digest.ops_urls")),
    path("healthz", healthz, name="healthz"),
    path("_mail/", devmail.outbox, name="devmail-outbox"),
    path("_mail/<str:name>/", devmail.message_html, name="devmail-message"),
    path("", include("subscriptions.urls")),
    path("", include("digest.urls")),
]
