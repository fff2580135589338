from django.contrib import admin
from django.urls import include, path

from config import devmail

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_mail/", devmail.outbox, name="devmail-outbox"),
    path("_mail/<str:name>/", devmail.message_html, name="devmail-message"),
    path("", include("subscriptions.urls")),
    path("", include("digest.urls")),
]
