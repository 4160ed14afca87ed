"""Forms of the cases pages (the case page, the dashboard's filters): shape rules only; the services
decide what is allowed. The new-case form is built from its template by portal.case_config.forms."""

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, MultipleFileField, RadioField, SearchField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.cases.queries.dashboard import CATEGORY_FILTERS
from portal.cases.rules import MAX_COMMENT, MAX_QUERY_CHARS
from portal.submissions.forms import OnceForm

TOO_LONG = "Use at most %(max)d characters (you used %(length)d)."


class CommentForm(OnceForm):
    body = TextAreaField("Your comment", validators=[Length(max=MAX_COMMENT, message=TOO_LONG)],
                         description="The team handling your case reads every comment.")
    files = MultipleFileField("Attach files", description="Optional. PDF, images, text, CSV or Office documents.")


class StaffCommentForm(CommentForm):
    body = TextAreaField("Your reply or note", validators=[Length(max=MAX_COMMENT, message=TOO_LONG)],
                         description="A public reply is emailed to the customer side; a note stays with staff.")
    visibility = RadioField("Who can read it", choices=[SelectChoice("public", "Public reply: the customer sees it"),
                                                        SelectChoice("internal", "Internal note: staff only")],
                            default="public", validators=[InputRequired()])


class AcceptResolutionForm(FlaskForm):
    seen_proposal = HiddenField()  # rules.proposal_stamp() of the resolution the page showed
    rating = RadioField("How satisfied are you? (optional)", validate_choice=False,
                        choices=[SelectChoice(value, label) for value, label in (
                            ("5", "5: Very satisfied"), ("4", "4: Satisfied"), ("3", "3: Neutral"),
                            ("2", "2: Dissatisfied"), ("1", "1: Very dissatisfied"))],
                        validators=[Optional()])
    comment = TextAreaField("Anything to add? (optional)", validators=[Length(max=2000)])


class RejectResolutionForm(FlaskForm):
    seen_proposal = HiddenField()
    reason = TextAreaField("Why does this not solve it?",
                           validators=[InputRequired("Tell the team why this does not solve it."), Length(max=10_000)])


class ReasonForm(FlaskForm):
    """Closing or reopening, with an optional reason."""

    reason = TextAreaField("Reason (optional)", validators=[Length(max=2000)])


class ProposeResolutionForm(FlaskForm):
    resolution = TextAreaField("Resolution", description="The customer reads this and accepts or rejects it.",
                               validators=[InputRequired("Describe the resolution for the customer."),
                                           Length(max=10_000)])


class StatusForm(FlaskForm):
    status = SelectField("New status", validate_choice=False,
                         validators=[InputRequired("Choose a status from the list.")])


CATEGORY_CHOICES = [SelectChoice("", "All"), *(SelectChoice(key, label) for key, label in CATEGORY_FILTERS.items())]


class DashboardFilterForm(Form):
    """Filters read from the query string: no CSRF token, because it changes nothing."""

    q = SearchField("Search", validators=[Optional(), Length(max=MAX_QUERY_CHARS)],
                    description="Words from the title, description, messages, answers or the case number.")
    category = SelectField("Status group", choices=CATEGORY_CHOICES, default="")
    status = SelectField("Status", choices=[SelectChoice("", "Any status")], default="")
    template = SelectField("Form", choices=[SelectChoice("", "Any form")], default="")
