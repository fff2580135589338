"""Public pages: home with the live preview, archive, feed, view in browser, feedback."""
