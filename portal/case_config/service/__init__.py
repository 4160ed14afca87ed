"""Changes to the case configuration, by area. Import the layer (`from portal.case_config import
service`) and call its functions; the modules below hold them:

    statuses.py   case statuses, and the system statuses Open, Resolved and Closed
    reasons.py    case reasons
    fields.py     custom case fields and the options of single-select fields
    templates.py  case templates: details, the fields on them, conditions, publishing and retiring
    values.py     the single validator of the values sent for a case (any user, any channel)

Every change above is for admins only (policy.require_admin) and raises ValidationFailed with a
message per field, NotAllowed or NotFound.
"""

from portal.case_config.service.fields import FieldInput, save_field, save_option, suggest_key
from portal.case_config.service.reasons import save_reason
from portal.case_config.service.statuses import SYSTEM_STATUSES, ensure_system_statuses, save_status, system_status
from portal.case_config.service.templates import (
    TemplateInput,
    add_condition,
    add_template_field,
    move_template_field,
    publish_template,
    remove_condition,
    remove_template_field,
    retire_template,
    save_template,
    update_template_field,
)

__all__ = [
    "SYSTEM_STATUSES",
    "FieldInput",
    "TemplateInput",
    "add_condition",
    "add_template_field",
    "ensure_system_statuses",
    "move_template_field",
    "publish_template",
    "remove_condition",
    "remove_template_field",
    "retire_template",
    "save_field",
    "save_option",
    "save_reason",
    "save_status",
    "save_template",
    "suggest_key",
    "system_status",
    "update_template_field",
]
