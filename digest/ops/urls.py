from django.urls import path

from digest.ops import views as ops_views

app_name = "ops"

urlpatterns = [
    path("", ops_views.dashboard_view, name="dashboard"),
    path("reader/", ops_views.reader_view, name="reader"),
    path("reader/<int:pk>/preview/", ops_views.preview_view, name="preview"),
    path("reader/<int:pk>/test-digest/", ops_views.send_test_view, name="send-test"),
]
