"""Django settings, read from the environment.

Every variable is documented in ``.env.example`` and the README. Development has safe
defaults so that ``make run`` works on a fresh machine; ``DJANGO_ENV=production``
refuses to start without the secrets and hosts an operator must choose.

Two modules, read in this order: ``core`` (what the whole project runs on) and
``features`` (what each feature can be tuned by, some defaults taken from ``core``).
Django reads settings as this module's upper-case names, hence the star imports.
"""

from jobboard.settings.core import *  # noqa: F403
from jobboard.settings.features import *  # noqa: F403
