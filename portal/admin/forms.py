"""Case settings forms: shape only (lengths, choices); the case_config services check the rules."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.i18n import _l
from portal.models.configuration import (
    CONDITION_ACTIONS,
    FIELD_TYPES,
    NUMBER_KINDS,
    PRIORITIES,
    SECTIONS,
    STATUS_CATEGORIES,
    VISIBILITIES,
)


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class StatusForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=200)])
    category = SelectField("Category", choices=_choices(STATUS_CATEGORIES), validate_choice=False,
                           description="The category drives the rules: waiting pauses targets, resolved asks the "
                                       "customer to accept, closed ends the case.")
    customer_description = TextAreaField("What it means for customers", validators=[Length(max=2000)],
                                         description="Plain words shown to customers next to the status.")
    active = BooleanField("Can be chosen for cases", default=True)


class ReasonForm(FlaskForm):
    name = StringField("Reason", validators=[Length(max=300)])
    active = BooleanField("Can be chosen for new cases", default=True)


class FieldForm(FlaskForm):
    label = StringField("Label", validators=[Length(max=300)], description="Shown to the people filling in the form.")
    field_type = SelectField("Type", choices=_choices(FIELD_TYPES), validate_choice=False,
                             description="Cannot be changed later: cases store values in the type's format.")
    key = StringField("Key", validators=[Length(max=100)],
                      description="The field's permanent name for the API, like membership_number. "
                                  "Leave empty to make one from the label. Cannot be changed later.")
    help_text = StringField("Help text for customers", validators=[Length(max=600)])
    admin_description = TextAreaField("Description for admins", validators=[Length(max=4000)],
                                      description="Only admins see this.")
    visibility = SelectField("Who can see it", choices=_choices(VISIBILITIES), validate_choice=False)
    pattern = StringField("Format rule (pattern)", validators=[Length(max=600)],
                          description=r"Optional regular expression the whole value must match, like \d{8}. "
                                      "For text, email, phone and web address fields.")
    pattern_message = StringField("Message when the format does not match", validators=[Length(max=400)],
                                  description="For example: Your membership number has 8 digits.")
    number_kind = SelectField("Numbers", choices=_choices(NUMBER_KINDS), validate_choice=False)
    min_value = StringField("Smallest number allowed", validators=[Length(max=40)])
    max_value = StringField("Largest number allowed", validators=[Length(max=40)])
    max_length = StringField("Maximum length (characters)", validators=[Length(max=10)],
                             description="For text and long text; empty for the default.")
    active = BooleanField("Offered on forms", default=True,
                          description="An inactive field is left off new forms; cases keep their values.")


class OptionForm(FlaskForm):
    label = StringField("Option label", validators=[Length(max=300)], description="What people see.")
    value = StringField("Stored value", validators=[Length(max=300)],
                        description="What cases store; empty to use the label. Cannot be changed later.")


class OptionEditForm(FlaskForm):
    label = StringField("Label", validators=[Length(max=300)])
    active = BooleanField("Can be chosen")


class TemplateForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=300)], description="Shown to customers, like Billing question.")
    description = TextAreaField("Description", validators=[Length(max=4000)],
                                description="Shown to customers when they choose a form.")
    for_customers = BooleanField("Customers may use it", default=True)
    for_proxies = BooleanField("Proxy employees may use it", default=True)
    for_staff = BooleanField("Staff may use it", default=True)
    asks_asset = BooleanField(_l("Ask which product or asset the case is about"), default=True,
                              description=_l("The form offers the products and assets registered for the "
                                             "customer's account (optional to answer). Turn it off when the "
                                             "template has a product field of its own, so nobody is asked twice."))
    default_workgroup = SelectField("Default workgroup", validate_choice=False, validators=[Optional()])
    escalation_workgroup = SelectField("Escalation workgroup", validate_choice=False, validators=[Optional()])
    default_priority = SelectField("Default priority", choices=_choices(PRIORITIES), default="normal",
                                   validate_choice=False)

    def set_workgroups(self, workgroups) -> None:
        choices = [SelectChoice("", "None")] + [SelectChoice(w.uuid, w.name) for w in workgroups]
        self.default_workgroup.choices = choices
        self.escalation_workgroup.choices = list(choices)


class AddTemplateFieldForm(FlaskForm):
    field = SelectField("Field", validate_choice=False)
    section = SelectField("Section", choices=_choices(SECTIONS), validate_choice=False)
    required = BooleanField("Required")


class PlacementForm(FlaskForm):
    section = SelectField("Section", choices=_choices(SECTIONS), validate_choice=False)
    required = BooleanField("Required")


class ConditionForm(FlaskForm):
    action = SelectField("Do this", choices=_choices(CONDITION_ACTIONS), validate_choice=False)
    target = SelectField("to this field", validate_choice=False)
    source = SelectField("when this field", validate_choice=False)
    value = StringField("has this value", validators=[Length(max=255)],
                        description="For a single-select field, the option's stored value; for true/false, "
                                    "true or false.")
