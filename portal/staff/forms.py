"""Forms of the staff workspace: shape rules only; the services decide what is allowed.

Forms that share a page carry a prefix, so no two controls on the case page share an id.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.cases.rules import MAX_COMMENT
from portal.clock import utcnow
from portal.i18n import _l
from portal.models.configuration import PRIORITY_LABELS
from portal.staff.service.contacts import CONTACT_CHANNEL_LABELS, CONTACT_DIRECTION_LABELS, MAX_CONTACT_SUMMARY
from portal.staff.service.handling import MAX_REASON
from portal.staff.service.tasks import TITLE_MAX
from portal.submissions.forms import OnceForm


class ConfirmForm(FlaskForm):
    """A button alone (complete a task, take a customer off): only the CSRF token."""


class TakeForm(FlaskForm):
    """The "Take this case" button, with whom the page showed as the assignee ("" for nobody): when
    a colleague took the case since, taking is refused rather than taking it from them."""

    seen_assignee = HiddenField("Seen Assignee")  # the label WTForms would derive (see OnceForm)


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), validate_choice=False,
                           description=_l("Members of the case's workgroup. Choose nobody to put it back in the "
                                          "queue."))


class MoveForm(FlaskForm):
    workgroup = SelectField(_l("Move to workgroup"), validate_choice=False,
                            validators=[InputRequired(_l("Choose an active workgroup from the list."))],
                            description=_l("The assignee stays only if they are a member there."))


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), validate_choice=False,
                           choices=[SelectChoice(value, label) for value, label in PRIORITY_LABELS.items()],
                           validators=[InputRequired(_l("Choose a priority from the list."))])


class EscalateForm(FlaskForm):
    reason = TextAreaField(_l("Why escalate?"), description=_l("The escalation team and its supervisors read this."),
                           validators=[InputRequired(_l("Say why the case needs escalating.")), Length(max=MAX_REASON)])


class DeescalateForm(FlaskForm):
    reason = TextAreaField(_l("Note (optional)"), validators=[Length(max=MAX_REASON)])


class CustomerPickForm(FlaskForm):
    """Link or unlink: the customer profile's UUID from the search results or the list."""

    customer = HiddenField(_l("Customer"), validators=[InputRequired(_l("Choose a customer from the search results."))])


class CustomerFindForm(FlaskForm):
    """Sent with GET to the case page: searching changes nothing."""

    class Meta:
        csrf = False

    link_q = SearchField(_l("Find a customer to add"), validators=[Length(max=200)],
                         description=_l("Name, email address, phone number, customer or account number."))


class UpdateAllForm(FlaskForm):
    body = TextAreaField(_l("Update for everyone on the case"),
                         description=_l("A public reply: the customer, every linked customer and the internal "
                                        "contact are told."),
                         validators=[InputRequired(_l("Write the update.")), Length(max=MAX_COMMENT)])


EARLIEST_CONTACT_YEAR = 1970


def in_living_memory(form, field) -> None:
    """A contact took place between 1970 and now. Far-off years are typos, and at the ends of the
    calendar a local time cannot even be converted to UTC (or shown in another zone)."""
    if field.data is not None and not EARLIEST_CONTACT_YEAR <= field.data.year <= utcnow().year + 1:
        raise ValidationError(_l("Enter a time between %(year)s and now.", year=EARLIEST_CONTACT_YEAR))


class ContactForm(OnceForm):
    channel = SelectField(_l("Channel"), validate_choice=False,
                          choices=[SelectChoice("", _l("Choose a channel"))]
                          + [SelectChoice(value, label) for value, label in CONTACT_CHANNEL_LABELS.items()],
                          validators=[InputRequired(_l("Choose how you were in contact."))])
    direction = RadioField(_l("Direction"), validate_choice=False,
                           choices=[SelectChoice(value, label) for value, label in CONTACT_DIRECTION_LABELS.items()],
                           default="inbound", validators=[InputRequired(_l("Choose who contacted whom."))])
    summary = TextAreaField(_l("Summary"), validators=[InputRequired(_l("Summarise the contact.")),
                                                   Length(max=MAX_CONTACT_SUMMARY)])
    contacted_at = DateTimeLocalField(_l("When (optional)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      validators=[Optional(), in_living_memory], description=_l("Leave empty for now."))


class TaskForm(OnceForm):
    title = StringField(_l("Task"), validators=[InputRequired(_l("Say what needs doing.")), Length(max=TITLE_MAX)],
                        render_kw={"maxlength": TITLE_MAX})
    assignee = SelectField(_l("Assignee (optional)"), validate_choice=False)
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])
    customer_visible = BooleanField(_l("Show it to the customer as a next step"))


class CaseSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search cases"), validators=[Length(max=1000)],
                    description=_l("Any words from the case: fields, comments, internal notes, the customer's "
                                   "name."))
