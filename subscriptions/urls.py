from django.urls import path

from subscriptions import manage, views

app_name = "subscriptions"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("link/", views.send_link, name="send_link"),
    path("link/sent/", views.link_sent, name="link_sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", manage.manage, name="manage"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("privacy/", views.privacy, name="privacy"),
]
