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
    PRIORITY_LABELS,
    SECTIONS,
    STATUS_CATEGORIES,
    VISIBILITIES,
)


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class StatusForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    category = SelectField(_l("Category"), choices=_choices(STATUS_CATEGORIES), validate_choice=False,
                           description=_l("The category drives the rules: waiting pauses targets, resolved asks "
                                          "the customer to accept, closed ends the case."))
    customer_description = TextAreaField(_l("What it means for customers"), validators=[Length(max=2000)],
                                         description=_l("Plain words shown to customers next to the status."))
    active = BooleanField(_l("Can be chosen for cases"), default=True)


class ReasonForm(FlaskForm):
    name = StringField(_l("Reason"), validators=[Length(max=300)])
    active = BooleanField(_l("Can be chosen for new cases"), default=True)


class FieldForm(FlaskForm):
    label = StringField(_l("Label"), validators=[Length(max=300)],
                        description=_l("Shown to the people filling in the form."))
    field_type = SelectField(_l("Type"), choices=_choices(FIELD_TYPES), validate_choice=False,
                             description=_l("Cannot be changed later: cases store values in the type's format."))
    key = StringField(_l("Key"), validators=[Length(max=100)],
                      description=_l("The field's permanent name for the API, like membership_number. "
                                     "Leave empty to make one from the label. Cannot be changed later."))
    help_text = StringField(_l("Help text for customers"), validators=[Length(max=600)])
    admin_description = TextAreaField(_l("Description for admins"), validators=[Length(max=4000)],
                                      description=_l("Only admins see this."))
    visibility = SelectField(_l("Who can see it"), choices=_choices(VISIBILITIES), validate_choice=False)
    pattern = StringField(_l("Format rule (pattern)"), validators=[Length(max=600)],
                          description=_l(r"Optional regular expression the whole value must match, like \d{8}. "
                                         "For text, email, phone and web address fields."))
    pattern_message = StringField(_l("Message when the format does not match"), validators=[Length(max=400)],
                                  description=_l("For example: Your membership number has 8 digits."))
    number_kind = SelectField(_l("Numbers"), choices=_choices(NUMBER_KINDS), validate_choice=False)
    min_value = StringField(_l("Smallest number allowed"), validators=[Length(max=40)])
    max_value = StringField(_l("Largest number allowed"), validators=[Length(max=40)])
    max_length = StringField(_l("Maximum length (characters)"), validators=[Length(max=10)],
                             description=_l("For text and long text; empty for the default."))
    active = BooleanField(_l("Offered on forms"), default=True,
                          description=_l("An inactive field is left off new forms; cases keep their values."))


class OptionForm(FlaskForm):
    label = StringField(_l("Option label"), validators=[Length(max=300)], description=_l("What people see."))
    value = StringField(_l("Stored value"), validators=[Length(max=300)],
                        description=_l("What cases store; empty to use the label. Cannot be changed later."))


class OptionEditForm(FlaskForm):
    label = StringField(_l("Label"), validators=[Length(max=300)])
    active = BooleanField(_l("Can be chosen"))


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=300)],
                       description=_l("Shown to customers, like Billing question."))
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)],
                                description=_l("Shown to customers when they choose a form."))
    for_customers = BooleanField(_l("Customers may use it"), default=True)
    for_proxies = BooleanField(_l("Proxy employees may use it"), default=True)
    for_staff = BooleanField(_l("Staff may use it"), default=True)
    asks_asset = BooleanField(_l("Ask which product or asset the case is about"), default=True,
                              description=_l("The form offers the products and assets registered for the "
                                             "customer's account (optional to answer). Turn it off when the "
                                             "template has a product field of its own, so nobody is asked twice."))
    default_workgroup = SelectField(_l("Default workgroup"), validate_choice=False, validators=[Optional()])
    escalation_workgroup = SelectField(_l("Escalation workgroup"), validate_choice=False, validators=[Optional()])
    default_priority = SelectField(_l("Default priority"), choices=_choices(PRIORITY_LABELS), default="normal",
                                   validate_choice=False)

    def set_workgroups(self, workgroups) -> None:
        choices = [SelectChoice("", _l("None"))] + [SelectChoice(w.uuid, w.name) for w in workgroups]
        self.default_workgroup.choices = choices
        self.escalation_workgroup.choices = list(choices)


class AddTemplateFieldForm(FlaskForm):
    field = SelectField(_l("Field"), validate_choice=False)
    section = SelectField(_l("Section"), choices=_choices(SECTIONS), validate_choice=False)
    required = BooleanField(_l("Required"))


class PlacementForm(FlaskForm):
    section = SelectField(_l("Section"), choices=_choices(SECTIONS), validate_choice=False)
    required = BooleanField(_l("Required"))


class ConditionForm(FlaskForm):
    action = SelectField(_l("Do this"), choices=_choices(CONDITION_ACTIONS), validate_choice=False)
    target = SelectField(_l("to this field"), validate_choice=False)
    source = SelectField(_l("when this field"), validate_choice=False)
    value = StringField(_l("has this value"), validators=[Length(max=255)],
                        description=_l("For a single-select field, the option's stored value; for true/false, "
                                       "true or false."))
