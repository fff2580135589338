from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import devmail
from config.esp import esp_name, tracking_webhook_mounted
from digest.ops.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ops/", include("digest.ops.urls")),
    path("healthz", healthz, name="healthz"),
    path("_mail/", devmail.outbox, name="devmail-outbox"),
    path("_mail/<str:name>/", devmail.message_html, name="devmail-message"),
    path("", include("subscriptions.urls")),
    path("", include("digest.web.urls")),
]

# The configured ESP's tracking webhook (e.g. /anymail/postmark/tracking/), and only when it is
# authenticated (config/esp.py): with SMTP alone, or no secret, there is nothing to forge.
if tracking_webhook_mounted(email_backend=settings.EMAIL_BACKEND, anymail=settings.ANYMAIL):
    _esp = esp_name(settings.EMAIL_BACKEND)
    _tracking = [
        pattern
        for pattern in anymail_urls.urlpatterns
        if pattern.name in {f"{_esp}_tracking_webhook", f"{_esp}_webhook"}
    ]
    urlpatterns.insert(0, path("anymail/", include((_tracking, "anymail"))))

handler500 = "config.errors.server_error"
