"""Forms of the cases pages (the case page, the dashboard's filters): shape rules only; the services
decide what is allowed. The new-case form is built from its template by portal.case_config.forms."""

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, MultipleFileField, RadioField, SearchField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.cases.queries.dashboard import CATEGORY_FILTERS
from portal.cases.rules import MAX_COMMENT, MAX_QUERY_CHARS
from portal.i18n import _l
from portal.submissions.forms import OnceForm

TOO_LONG = _l("Use at most %(max)d characters (you used %(length)d).")


class CommentForm(OnceForm):
    body = TextAreaField(_l("Your comment"), validators=[Length(max=MAX_COMMENT, message=TOO_LONG)],
                         description=_l("The team handling your case reads every comment."))
    files = MultipleFileField(_l("Attach files"),
                              description=_l("Optional. PDF, images, text, CSV or Office documents."))


class StaffCommentForm(CommentForm):
    body = TextAreaField(_l("Your reply or note"), validators=[Length(max=MAX_COMMENT, message=TOO_LONG)],
                         description=_l("A public reply is emailed to the customer side; a note stays with staff."))
    visibility = RadioField(_l("Who can read it"),
                            choices=[SelectChoice("public", _l("Public reply: the customer sees it")),
                                     SelectChoice("internal", _l("Internal note: staff only"))],
                            default="public", validators=[InputRequired()])


class AcceptResolutionForm(FlaskForm):
    # rules.proposal_stamp() of the resolution the page showed. Hidden fields carry the label WTForms
    # would derive (never shown): deriving it reads WTForms' catalogue from disk (portal.submissions.forms).
    seen_proposal = HiddenField("Seen Proposal")
    rating = RadioField(_l("How satisfied are you? (optional)"), validate_choice=False,
                        choices=[SelectChoice(value, label) for value, label in (
                            ("5", _l("5: Very satisfied")), ("4", _l("4: Satisfied")), ("3", _l("3: Neutral")),
                            ("2", _l("2: Dissatisfied")), ("1", _l("1: Very dissatisfied")))],
                        validators=[Optional()])
    comment = TextAreaField(_l("Anything to add? (optional)"), validators=[Length(max=2000, message=TOO_LONG)])


class RejectResolutionForm(FlaskForm):
    seen_proposal = HiddenField("Seen Proposal")
    reason = TextAreaField(_l("Why does this not solve it?"),
                           validators=[InputRequired(_l("Tell the team why this does not solve it.")),
                                       Length(max=10_000, message=TOO_LONG)])


class ReasonForm(FlaskForm):
    """Closing or reopening, with an optional reason."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000, message=TOO_LONG)])


class ProposeResolutionForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"), description=_l("The customer reads this and accepts or rejects it."),
                               validators=[InputRequired(_l("Describe the resolution for the customer.")),
                                           Length(max=10_000, message=TOO_LONG)])


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validate_choice=False,
                         validators=[InputRequired(_l("Choose a status from the list."))])


CATEGORY_CHOICES = [SelectChoice("", _l("All")),
                    *(SelectChoice(key, label) for key, label in CATEGORY_FILTERS.items())]


class DashboardFilterForm(Form):
    """Filters read from the query string: no CSRF token, because it changes nothing."""

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=MAX_QUERY_CHARS, message=TOO_LONG)],
                    description=_l("Words from the title, description, messages, answers or the case number."))
    category = SelectField(_l("Status group"), choices=CATEGORY_CHOICES, default="")
    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any status"))], default="")
    template = SelectField(_l("Form"), choices=[SelectChoice("", _l("Any form"))], default="")
