"""When each person last read each case: what the dashboard marks as updated since their last visit."""

import peewee

from portal.models.base import BaseModel, UTCDateTimeField
from portal.models.cases import Case
from portal.models.people import User


class CaseReading(BaseModel):
    """user last opened case at seen_at. Written only when the case changed since (a page view of an
    unchanged case writes nothing)."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    case = peewee.ForeignKeyField(Case, on_delete="CASCADE")
    seen_at = UTCDateTimeField()

    class Meta:
        table_name = "case_reading"
        indexes = ((("user", "case"), True),)


MODELS = [CaseReading]
