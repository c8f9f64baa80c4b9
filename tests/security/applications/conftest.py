"""The application tests' fixtures: the contract's example form on a published listing."""

import pytest

from tests.applications.conftest import (  # noqa: F401 - fixtures used by this folder
    _fresh_cache_and_eager_celery,
    config_json,
    make_listing,
)
from tests.applications.test_apply_form import cache_configuration


@pytest.fixture
def listing(config_json):  # noqa: F811 - the fixture above
    listing = make_listing()
    cache_configuration(listing, config_json)
    return listing
