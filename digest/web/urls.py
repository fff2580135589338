from django.urls import path

from digest.web import archive, pages, reader, views

app_name = "digest"

urlpatterns = [
    path("", pages.home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (JSON, mail previews).
    path("favicon.ico", pages.favicon),
    path("preview/", pages.preview, name="preview"),
    path("papers/", archive.archive_index, name="archive"),
    path("papers/<str:day>/", archive.archive_day, name="archive_day"),
    # slug: the alphabet of secrets.token_urlsafe; anything else (a NUL byte) is a 404, not a 500.
    path("feed/<slug:feed_key>.xml", pages.reader_feed, name="feed"),
    path("d/<str:token>/", views.view_in_browser, name="view"),
    path("f/<str:token>/", views.feedback, name="feedback"),
    # The preferences centre's seeds and followed authors (its forms post to these).
    path("manage/<str:token>/library/", reader.library, name="library"),
    path("manage/<str:token>/authors/", reader.authors, name="authors"),
]
