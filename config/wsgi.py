import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URLconf, and with it every view, while the worker starts (~0.4 s) rather than in
# the first request it serves: otherwise that request, and those queued behind it, wait.
views = get_resolver().url_patterns
