"""Admin for papers, sources, ingest runs, editions, the delivery ledger and ESP events.

One module per group of models; importing them registers their ModelAdmins. The site's titles
are set here, with the operator's side of Paperboy.
"""

from django.contrib import admin

from digest.admin import channels, deliveries, papers, sources  # noqa: F401 (registers them)

admin.site.site_header = "Paperboy admin"
admin.site.site_title = "Paperboy admin"
