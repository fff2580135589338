from django.urls import path

from digest.web import pages, views

app_name = "digest"

urlpatterns = [
    path("", pages.home, name="home"),
    path("preview/", pages.preview, name="preview"),
    path("papers/", pages.archive_index, name="archive"),
    path("papers/<str:day>/", pages.archive_day, name="archive_day"),
    # slug: the alphabet of secrets.token_urlsafe; anything else (a NUL byte) is a 404, not a 500.
    path("feed/<slug:feed_key>.xml", pages.reader_feed, name="feed"),
    path("d/<str:token>/", views.view_in_browser, name="view"),
    path("f/<str:token>/", views.feedback, name="feedback"),
]
