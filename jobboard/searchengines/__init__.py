"""Search engines told at once: Google's Indexing API and IndexNow.

When a job page appears, changes or goes, the board says so (``board.signals``); this
app writes one notice per configured engine into its outbox in the same transaction,
and a relay sends them with retries. Each engine is off until configured.
"""
