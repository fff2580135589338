from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
