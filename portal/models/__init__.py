"""All peewee models of the portal, by area. No Flask imports here."""

import notifier
from portal.models.api import MODELS as API_MODELS
from portal.models.assets import MODELS as ASSET_MODELS
from portal.models.calendars import MODELS as CALENDAR_MODELS
from portal.models.cases import MODELS as CASE_MODELS
from portal.models.configuration import MODELS as CONFIGURATION_MODELS
from portal.models.events import MODELS as EVENT_MODELS
from portal.models.inbound_addresses import MODELS as INBOUND_ADDRESS_MODELS
from portal.models.mail_in import MODELS as MAIL_IN_MODELS
from portal.models.mfa import MODELS as MFA_MODELS
from portal.models.notifications import MODELS as NOTIFICATION_MODELS
from portal.models.passkeys import MODELS as PASSKEY_MODELS
from portal.models.people import MODELS as PEOPLE_MODELS
from portal.models.readings import MODELS as READING_MODELS
from portal.models.service_levels import MODELS as SERVICE_LEVEL_MODELS
from portal.models.sso import MODELS as SSO_MODELS
from portal.models.staff import MODELS as STAFF_MODELS
from portal.models.teams import MODELS as TEAM_MODELS
from portal.models.webhooks import MODELS as WEBHOOK_MODELS

PORTAL_MODELS = [*PEOPLE_MODELS, *CALENDAR_MODELS, *TEAM_MODELS, *ASSET_MODELS, *CONFIGURATION_MODELS,
                 *CASE_MODELS, *NOTIFICATION_MODELS, *STAFF_MODELS, *READING_MODELS,
                 *EVENT_MODELS, *API_MODELS, *SERVICE_LEVEL_MODELS, *WEBHOOK_MODELS,
                 *SSO_MODELS, *MFA_MODELS, *PASSKEY_MODELS, *MAIL_IN_MODELS, *INBOUND_ADDRESS_MODELS]


def all_models():
    """Every table the application's migrations create: the portal's and the notifier's."""
    return [*PORTAL_MODELS, *notifier.MODELS]
