from django.urls import path

from digest.web import pages, reader, views

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
    # The preferences centre's seeds and followed authors (its forms post to these).
    path("manage/<str:token>/library/", reader.library, name="library"),
    path("manage/<str:token>/authors/", reader.authors, name="authors"),
]
