"""The public read API for jobs (``/api/v1/jobs/``) and the embeddable widget.

Read-only and anonymous: what the board shows anyone, as JSON, for other sites and
for the widget (``/widget.js``) that employers paste into theirs.
"""
