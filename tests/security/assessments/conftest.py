"""The assessment tests' fixtures (SR faked with respx, a connected company, tokens)."""

from tests.assessments.conftest import (  # noqa: F401 - fixtures used by this folder
    _sr_settings,
    bearer,
    company,
    other_company,
    queued,
    sr_mock,
)
