"""What each feature can be tuned by: the sandbox, assessments, the public board, its
search engines, applications and the feed sync (jobboard.settings puts it together)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from jobboard.envconfig import (
    env,
    env_bool,
    env_choice,
    env_float,
    env_http_url,
    env_int,
    env_list,
    env_str,
)
from jobboard.settings.core import DEFAULT_FROM_EMAIL, PRODUCTION, SITE_NAME

# ---------------------------------------------------------------------------
# Sandbox (partner/sandbox; only read when SANDBOX_ENABLED)
# ---------------------------------------------------------------------------
# Control API header X-Sandbox-Control-Token. The development value is public on purpose:
# the sandbox guards demo data only, and production does not run it.
SANDBOX_CONTROL_TOKEN = env_str(
    "SANDBOX_CONTROL_TOKEN", "" if PRODUCTION else "sandbox-control-dev-token"
)
# Switch defaults merged over the contracts' defaults, e.g. '{"rate_limit": false}'
# (names and values are checked when the sandbox reads them).
try:
    SANDBOX_SWITCHES = json.loads(env_str("SANDBOX_SWITCHES", "{}"))
except ValueError:
    raise ImproperlyConfigured("SANDBOX_SWITCHES must be a JSON object") from None
if not isinstance(SANDBOX_SWITCHES, dict):
    raise ImproperlyConfigured("SANDBOX_SWITCHES must be a JSON object")
# The request journal keeps this many most recent rows.
SANDBOX_JOURNAL_MAX_ROWS = env_int("SANDBOX_JOURNAL_MAX_ROWS", 5000, minimum=100)

# ---------------------------------------------------------------------------
# Assessments (Assessment API 2021: we are the vendor)
# ---------------------------------------------------------------------------
# Days a candidate has to take an assessment after the invitation; then EXPIRED.
ASSESSMENT_INVITATION_DAYS = env_int("ASSESSMENT_INVITATION_DAYS", 14, minimum=1)
# Lifetime of the Bearer tokens we issue to SmartRecruiters (the contract says 3600).
ASSESSMENT_TOKEN_TTL = env_int("ASSESSMENT_TOKEN_TTL", 3600, minimum=60)
# Result pushes: attempts before a transient failure is given up, and the backoff (s).
ASSESSMENT_PUSH_MAX_ATTEMPTS = env_int("ASSESSMENT_PUSH_MAX_ATTEMPTS", 10, minimum=1)
ASSESSMENT_PUSH_BACKOFF_BASE = env_float("ASSESSMENT_PUSH_BACKOFF_BASE", 30.0, minimum=0.0)
ASSESSMENT_PUSH_BACKOFF_CAP = env_float("ASSESSMENT_PUSH_BACKOFF_CAP", 3600.0, minimum=0.0)
# Partner configuration sent by `manage.py register_assessment_partner`.
ASSESSMENT_CONSENT_DISPLAY_MODE = env_choice(
    "ASSESSMENT_CONSENT_DISPLAY_MODE", "REDIRECT", ("REDIRECT", "POPUP")
)
# Custom job parameters (at most 5), JSON: [{"id": ..., "name": ..., "description": ...}].
ASSESSMENT_PARTNER_FIELDS = env.json(
    "ASSESSMENT_PARTNER_FIELDS",
    default=[
        {"id": "cost-center", "name": "Cost center", "description": "Billing code for this job"}
    ],
)
ASSESSMENT_SUPPORTED_TYPES = env_list(
    "ASSESSMENT_SUPPORTED_TYPES", ["SKILL_TEST", "BEHAVIORAL_ASSESSMENT", "INLINE_ASSESSMENT"]
)
# Branding: candidates deal with the vendor, not the board. Used in the invitation mail,
# on the candidate's pages and in the PDF report.
ASSESSMENT_VENDOR_NAME = env_str("ASSESSMENT_VENDOR_NAME", SITE_NAME)
# Sender of the candidates' mails (the name above is put in front of the address).
ASSESSMENT_FROM_EMAIL = env_str("ASSESSMENT_FROM_EMAIL", DEFAULT_FROM_EMAIL)
ASSESSMENT_REPLY_TO = env_str("ASSESSMENT_REPLY_TO", "")
# A PNG or JPEG file (at most 512 KB); empty: the vendor's name is shown instead.
ASSESSMENT_VENDOR_LOGO = env_str("ASSESSMENT_VENDOR_LOGO", "")
# A TrueType font for the PDF report (e.g. DejaVuSans.ttf) so every script prints; empty:
# the built-in Helvetica, which prints Latin-1 only (other letters lose their accents).
ASSESSMENT_REPORT_FONT = env_str("ASSESSMENT_REPORT_FONT", "")

# ---------------------------------------------------------------------------
# Public job board (jobboard.board)
# ---------------------------------------------------------------------------
# PostgreSQL text-search configuration for keyword search ("english" stems, "simple" not).
BOARD_SEARCH_CONFIG = env_str("BOARD_SEARCH_CONFIG", "english")
BOARD_PAGE_SIZE = env_int("BOARD_PAGE_SIZE", 20, minimum=1)
# Facet counts are the costly part of a list page; they are cached this long (0: never).
BOARD_FACET_CACHE_SECONDS = env_int("BOARD_FACET_CACHE_SECONDS", 60, minimum=0)
# A keyword search counts its total and facets over at most this many matches, shown as
# "1,000+" beyond (0: count every match).
BOARD_SEARCH_COUNT_LIMIT = env_int("BOARD_SEARCH_COUNT_LIMIT", 1000, minimum=0)
# Such a search finds its matches by walking the newest listings (or the table) until it
# has enough: at most this many listings (four times as many in table order), then the
# indexes alone, which find rare matches at a cost bounded by their number.
BOARD_SEARCH_WALK_ROWS = env_int("BOARD_SEARCH_WALK_ROWS", 30000, minimum=1)
# A job page is rendered once per version of its listing and language, kept this long
# (its "posted 3 days ago" and the company's other jobs may be that old; 0: never).
BOARD_JOB_PAGE_CACHE_SECONDS = env_int("BOARD_JOB_PAGE_CACHE_SECONDS", 300, minimum=0)
# An anonymous visitor's list or company page is kept whole under the board's version
# (any publish or withdrawal moves it); only an expiry not yet run can be this old.
BOARD_LIST_PAGE_CACHE_SECONDS = env_int("BOARD_LIST_PAGE_CACHE_SECONDS", 60, minimum=0)
# Job alert sign-ups allowed per hour, per client IP and per email address.
BOARD_ALERT_SIGNUPS_PER_IP = env_int("BOARD_ALERT_SIGNUPS_PER_IP", 10, minimum=1)
BOARD_ALERT_SIGNUPS_PER_EMAIL = env_int("BOARD_ALERT_SIGNUPS_PER_EMAIL", 3, minimum=1)
# Days a confirmation link stays valid; most jobs in one digest email.
BOARD_ALERT_CONFIRM_DAYS = env_int("BOARD_ALERT_CONFIRM_DAYS", 7, minimum=1)
BOARD_ALERT_MAX_JOBS = env_int("BOARD_ALERT_MAX_JOBS", 25, minimum=1)
# The public jobs API (/api/v1/jobs/): requests per client address per window (seconds).
JOBS_API_RATE_LIMIT = env_int("JOBS_API_RATE_LIMIT", 120, minimum=1)
JOBS_API_RATE_WINDOW = env_int("JOBS_API_RATE_WINDOW", 60, minimum=1)
# Search engines told at once (jobboard.searchengines); each is off until configured.
# Google Indexing API: a service account's JSON key file (the account must be an owner of
# the site in Search Console). Token URL: empty means the file's token_uri.
GOOGLE_INDEXING_CREDENTIALS_FILE = env_str("GOOGLE_INDEXING_CREDENTIALS_FILE", "")
if GOOGLE_INDEXING_CREDENTIALS_FILE and not Path(GOOGLE_INDEXING_CREDENTIALS_FILE).is_file():
    raise ImproperlyConfigured(
        f"GOOGLE_INDEXING_CREDENTIALS_FILE={GOOGLE_INDEXING_CREDENTIALS_FILE!r} is not a file"
    )
GOOGLE_INDEXING_TOKEN_URL = (
    env_http_url("GOOGLE_INDEXING_TOKEN_URL", "", https=PRODUCTION)
    if env_str("GOOGLE_INDEXING_TOKEN_URL", "")
    else ""
)
# Production sends notices over https only (the token request carries a signed assertion).
GOOGLE_INDEXING_ENDPOINT = env_http_url(
    "GOOGLE_INDEXING_ENDPOINT",
    "https://indexing.googleapis.com/v3/urlNotifications:publish",
    https=PRODUCTION,
)
# IndexNow: our key (8-128 letters, digits, dashes), served at /<key>.txt.
INDEXNOW_KEY = env_str("INDEXNOW_KEY", "")
if INDEXNOW_KEY and not re.fullmatch(r"[A-Za-z0-9-]{8,128}", INDEXNOW_KEY):
    raise ImproperlyConfigured("INDEXNOW_KEY must be 8 to 128 letters, digits or dashes")
INDEXNOW_ENDPOINT = env_http_url(
    "INDEXNOW_ENDPOINT", "https://api.indexnow.org/indexnow", https=PRODUCTION
)
# Seconds per call; relay runs before a notice is failed; backoff base and claim lease (s).
SEARCH_NOTIFY_TIMEOUT = env_float("SEARCH_NOTIFY_TIMEOUT", 10.0, minimum=0.1)
SEARCH_NOTIFY_MAX_ATTEMPTS = env_int("SEARCH_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
SEARCH_NOTIFY_RETRY_BASE = env_int("SEARCH_NOTIFY_RETRY_BASE", 60, minimum=1)
SEARCH_NOTIFY_CLAIM_TIMEOUT = env_int("SEARCH_NOTIFY_CLAIM_TIMEOUT", 600, minimum=60)
# Benchmarks only: serves /_bench/titles, the floor the board's pages are compared with.
BOARD_BENCH_VIEWS = env_bool("BOARD_BENCH_VIEWS", default=False)

# ---------------------------------------------------------------------------
# Applications on the board (partner.applications, Application API)
# ---------------------------------------------------------------------------
# Seconds a posting's form configuration is used before it is fetched again; from 3/4 of
# it a background task refreshes it ahead of time.
APPLICATION_CONFIG_TTL = env_int("APPLICATION_CONFIG_TTL", 3600, minimum=0)
# Transient failures (429, 5xx, timeouts) are retried with backoff for this long.
APPLICATION_RETRY_WINDOW_HOURS = env_float("APPLICATION_RETRY_WINDOW_HOURS", 24.0, minimum=0.0)
APPLICATION_RETRY_BASE = env_float("APPLICATION_RETRY_BASE", 60.0, minimum=0.0)
APPLICATION_RETRY_CAP = env_float("APPLICATION_RETRY_CAP", 3600.0, minimum=0.0)
# A claimed submission is taken over after this long: longer than the longest POST with
# the transport's own retries (6 read timeouts + 5 capped backoffs), see CELERY_TASK_TIME_LIMIT.
APPLICATION_SUBMIT_LEASE = env_int("APPLICATION_SUBMIT_LEASE", 900, minimum=10)
# Days after a successful submission before personal data and files are erased.
APPLICATION_RETENTION_DAYS = env_int("APPLICATION_RETENTION_DAYS", 30, minimum=0)
APPLICATION_STATUS_CACHE_SECONDS = env_int("APPLICATION_STATUS_CACHE_SECONDS", 600, minimum=0)
APPLICATION_STATUS_MAX_AGE_DAYS = env_int("APPLICATION_STATUS_MAX_AGE_DAYS", 90, minimum=1)
# The apply form's limits (partner/applications/services/limits.py), per client address
# (jobboard.clientaddr) per window (seconds): accepted applications, and apart from them
# every other apply POST (invalid submissions, "add another" clicks).
APPLICATION_RATE_LIMIT = env_int("APPLICATION_RATE_LIMIT", 10, minimum=1)
APPLICATION_RATE_WINDOW = env_int("APPLICATION_RATE_WINDOW", 600, minimum=1)
APPLICATION_ATTEMPT_LIMIT = env_int("APPLICATION_ATTEMPT_LIMIT", 60, minimum=1)
# Accepted applications per email address and posting per window (seconds).
APPLICATION_EMAIL_LIMIT = env_int("APPLICATION_EMAIL_LIMIT", 3, minimum=1)
APPLICATION_EMAIL_WINDOW = env_int("APPLICATION_EMAIL_WINDOW", 86_400, minimum=1)
# Our board's entry in SmartRecruiters' source lists, sent as sourceDetails only when both
# the type and the source id are set (SR's spec requires both in the object).
APPLICATION_SOURCE_TYPE_ID = env_str("APPLICATION_SOURCE_TYPE_ID", "")
APPLICATION_SOURCE_SUBTYPE_ID = env_str("APPLICATION_SOURCE_SUBTYPE_ID", "")
APPLICATION_SOURCE_ID = env_str("APPLICATION_SOURCE_ID", "")
if PRODUCTION and bool(APPLICATION_SOURCE_TYPE_ID) != bool(APPLICATION_SOURCE_ID):
    raise ImproperlyConfigured(
        "APPLICATION_SOURCE_TYPE_ID and APPLICATION_SOURCE_ID must be set together "
        "(SmartRecruiters refuses sourceDetails without both); set both or neither"
    )
if PRODUCTION and APPLICATION_SOURCE_SUBTYPE_ID and not APPLICATION_SOURCE_ID:
    raise ImproperlyConfigured(
        "APPLICATION_SOURCE_SUBTYPE_ID needs APPLICATION_SOURCE_TYPE_ID and APPLICATION_SOURCE_ID"
    )
# After SmartRecruiters answers TRAFFIC_LOCKED (it has blocked our traffic), no application
# is sent for this many seconds; then one is tried again. Paused tries count no attempt.
APPLICATION_TRAFFIC_LOCK_PAUSE = env_int("APPLICATION_TRAFFIC_LOCK_PAUSE", 3600, minimum=1)
# The diversity block's notice (SmartRecruiters' display duty). Empty: the words of
# templates/applications/_diversity_notice.html, which follow SR's partner docs.
APPLICATION_DIVERSITY_NOTICE_HEADING = env_str("APPLICATION_DIVERSITY_NOTICE_HEADING", "")
APPLICATION_DIVERSITY_NOTICE_TEXT = env_str("APPLICATION_DIVERSITY_NOTICE_TEXT", "")
# Where the question with id eeoInformation links for the definitions of its categories.
APPLICATION_EEO_DEFINITIONS_URL = env_http_url(
    "APPLICATION_EEO_DEFINITIONS_URL",
    "https://www.eeoc.gov/employers/eeo-1-survey/eeo-1-instruction-booklet",
)

# ---------------------------------------------------------------------------
# Job feed sync (partner.postings)
# ---------------------------------------------------------------------------
# Postings published per transaction; offers and PUTs of a chunk go out concurrently.
FEED_SYNC_CHUNK_SIZE = env_int("FEED_SYNC_CHUNK_SIZE", 50, minimum=1)
# Lease of the lock row (SQLite); renewed per chunk, so only a dead pass lets it lapse.
FEED_SYNC_LOCK_TTL = env_int("FEED_SYNC_LOCK_TTL", 900, minimum=30)
# A status report is retried this many relay runs, backing off from this many seconds
# (jobboard.outbox.backoff: full jitter, doubling, capped at an hour).
FEED_REPORT_MAX_ATTEMPTS = env_int("FEED_REPORT_MAX_ATTEMPTS", 12, minimum=1)
FEED_REPORT_RETRY_BASE = env_int("FEED_REPORT_RETRY_BASE", 60, minimum=0)
# The lease of a claimed report: past it, the relay that claimed it is presumed dead.
FEED_REPORT_CLAIM_TIMEOUT = env_int("FEED_REPORT_CLAIM_TIMEOUT", 600, minimum=30)
# Shown as the hiring company when a posting names none (company is optional in the feed).
FEED_UNKNOWN_COMPANY = env_str("FEED_UNKNOWN_COMPANY", "Undisclosed company")
