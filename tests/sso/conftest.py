"""Single sign-on tests: the portal with one identity provider, a real oidc-provider-mock on 127.0.0.1."""

from __future__ import annotations

import authlib.deprecate  # noqa: F401 - see below
import pytest

from tests.sso.provider import oidc_provider, provider_settings  # noqa: F401 - the provider fixture

# authlib.deprecate puts an "always" filter for its warnings first in line when it is imported. Imported
# here, at collection, that happens once, and each test's filters (pyproject) come before it again.


@pytest.fixture
def sso_app(app, oidc_provider):  # noqa: F811
    """The app with provider "corp" (Corp ID) for customers and staff, addresses at corp.example only."""
    app.config.update({"OIDC_PROVIDERS": "corp",
                       **provider_settings(oidc_provider, ROLES="customer,proxy,agent,supervisor,admin")})
    return app
