from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from jobboard import health, i18n
from jobboard.board.api import widget
from jobboard.headers import API_DOCS_SOURCES, with_policy_sources
from jobboard.operations.health_page import health_view
from jobboard.operations.views import metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/operations/health/", admin.site.admin_view(health_view), name="operations-health"),
    path(
        "admin/board/widget/",
        admin.site.admin_view(widget.widget_snippet),
        name="board-widget-snippet",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Browsable documentation of every API we serve, from our own static files (no CDN;
    # the split view serves Swagger UI's start-up script as a file, not inline).
    path(
        "api/schema/swagger-ui/",
        with_policy_sources(API_DOCS_SOURCES)(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path(
        "api/schema/redoc/",
        with_policy_sources(API_DOCS_SOURCES)(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("sr/assessments/", include("partner.assessments.urls")),
    # The public jobs API and the widget (jobboard/board/api), for other sites.
    path("", include("jobboard.board.api.urls")),
    path("language/", i18n.switch_language, name="switch_language"),
]

# The board and the apply flow in every language: English unprefixed, the others under
# /de/, /fr/, /es/, /pl/ (jobboard/i18n.py says why and how visitors get there).
urlpatterns += i18n_patterns(
    path("", include("partner.applications.urls")),
    path("", include("jobboard.board.urls")),
    prefix_default_language=False,
)
# IndexNow's key file (/<key>.txt), after the board so that its own files win.
urlpatterns.append(path("", include("jobboard.searchengines.urls")))

if settings.SANDBOX_ENABLED:
    urlpatterns.insert(0, path("sandbox/", include("partner.sandbox.urls")))

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME
