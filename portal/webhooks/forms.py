"""Webhook endpoint forms: shape only (lengths, choices); the service checks the URL and the rest."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.events.types import EVENT_TYPES
from portal.i18n import _, _l


class EndpointForm(FlaskForm):
    url = StringField(_l("URL"), validators=[InputRequired(_l("Enter the URL the events are sent to.")),
                                             Length(max=2000)],
                      description=_l("Where the events are POSTed, e.g. https://crm.example.com/hooks/caseport."),
                      render_kw={"autocomplete": "off", "inputmode": "url"})
    description = StringField(_l("Description"), validators=[Length(max=200)],
                              description=_l("What receives the events, for the people who look after it."))
    event_types = SelectMultipleField(_l("Event types"), validate_choice=False,
                                      choices=[SelectChoice(name, name) for name in EVENT_TYPES],
                                      widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                      description=_l("The endpoint receives only the types ticked here."))
    case_template = SelectField(_l("Case template"), validate_choice=False,
                                description=_l("Only events of cases of this template (events of no case are "
                                               "then left out)."))
    active = BooleanField(_l("Active"), default=True,
                          description=_l("An inactive endpoint gets no new events (not even later); deliveries "
                                         "queued before still go out."))

    def set_choices(self, templates) -> None:
        self.case_template.choices = [SelectChoice("", _("Every case")),
                                     *(SelectChoice(value, label) for value, label in templates)]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
