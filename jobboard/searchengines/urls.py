from django.urls import re_path

from jobboard.searchengines import views

urlpatterns = [
    # IndexNow keys are 8 to 128 of these characters (indexnow.org).
    re_path(r"^(?P<key>[A-Za-z0-9-]{8,128})\.txt$", views.indexnow_key_file, name="indexnow-key"),
]
