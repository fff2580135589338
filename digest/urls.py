from django.urls import include, path

from digest import views

app_name = "digest"

urlpatterns = [
    path("d/<str:token>/", views.view_in_browser, name="view"),
    path("f/<str:token>/", views.feedback, name="feedback"),
    # anymail's ESP webhooks, e.g. /anymail/postmark/tracking/ (basic auth: WEBHOOK_SECRET).
    path("anymail/", include("anymail.urls")),
]
