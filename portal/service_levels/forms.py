"""Service-level admin forms: shape rules only; the service checks the rest (hours, zones, holidays, durations)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.i18n import _, _l
from portal.models.configuration import PRIORITY_LABELS, STATUS_CATEGORIES
from portal.models.service_levels import SLA_METRICS
from portal.service_levels import queries
from portal.service_levels.service import PRIORITY_ROWS, target_field

HOURS_HINT = _l("Like 08:00-12:00, 13:00-17:00. Empty: closed all day. A night shift is two intervals: "
                "22:00-24:00 and 00:00-06:00 the next day.")
DURATION_HINT = _l("Hours, like 16, or hours and minutes, like 1:30. Empty: no target.")
WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))


def _hours_field(label):
    return StringField(label, description=HOURS_HINT, validators=[Length(max=200)])


class CalendarForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name for the calendar.")), Length(max=120)])
    time_zone = SelectField(_l("Time zone"), validate_choice=False,
                            description=_l("Working hours, holidays and closed days are in this time zone."))
    country = SelectField(_l("Public holidays of"), validate_choice=False,
                          description=_l("Optional. The team does not work on this country's public holidays."))
    subdivision = StringField(_l("Region"), validators=[Length(max=10)],
                              description=_l("Optional. The code of a state or province with holidays of its own, "
                                             "like BY for Bavaria."))
    monday = _hours_field(WEEKDAY_LABELS[0])
    tuesday = _hours_field(WEEKDAY_LABELS[1])
    wednesday = _hours_field(WEEKDAY_LABELS[2])
    thursday = _hours_field(WEEKDAY_LABELS[3])
    friday = _hours_field(WEEKDAY_LABELS[4])
    saturday = _hours_field(WEEKDAY_LABELS[5])
    sunday = _hours_field(WEEKDAY_LABELS[6])
    closed_days = TextAreaField(_l("Closed days"), validators=[Length(max=20000)],
                                description=_l("Optional. Days the organisation is closed beyond the public "
                                               "holidays, one a line: a date, then a name, like "
                                               "2026-12-24 Christmas Eve."))

    @property
    def weekday_fields(self):
        return [self.monday, self.tuesday, self.wednesday, self.thursday, self.friday, self.saturday, self.sunday]

    def set_choices(self) -> None:
        self.time_zone.choices = [SelectChoice(zone, zone) for zone in queries.time_zones()]
        territories = get_locale().territories
        countries = sorted(queries.holiday_countries(), key=lambda code: territories.get(code, code))
        self.country.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(code, _("%(country)s (%(code)s)", country=territories.get(code, code), code=code))
            for code in countries
        ]


def _policy_form_class():
    """The SLA form: a duration and a business-time box per (priority row, metric), the pausing status
    categories, the warning share. Built once: the priorities and metrics are fixed codes."""
    attributes = {}
    for priority in PRIORITY_ROWS:
        row_label = PRIORITY_LABELS[priority] if priority else _l("Every priority")
        for metric, metric_label in SLA_METRICS.items():
            name = target_field(priority, metric)
            attributes[name] = StringField(
                _l("%(target)s, %(priority)s", target=metric_label, priority=row_label),
                validators=[Length(max=20)])
            attributes[f"{name}_business"] = BooleanField(
                _l("%(target)s, %(priority)s: in business time", target=metric_label, priority=row_label))
    attributes["pause_categories"] = SelectMultipleField(
        _l("The clock stops while the status is"), validate_choice=False,
        choices=[SelectChoice(code, label) for code, label in STATUS_CATEGORIES.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    attributes["warn_percent"] = IntegerField(
        _l("Warn at this percentage of the target"), validators=[Optional()],
        description=_l("Staff are warned when this share of a target's time has passed. 75 is usual."))
    return type("SlaPolicyForm", (FlaskForm,), attributes)


SlaPolicyForm = _policy_form_class()


class OlaForm(FlaskForm):
    duration = StringField(_l("Resolution target for escalated cases"), validators=[Length(max=20)],
                           description=_l("Counted from the escalation to this workgroup. Hours, like 12, or hours "
                                          "and minutes, like 1:30. Empty: no target of its own."))
    business_time = BooleanField(_l("In this workgroup's business time (otherwise around the clock)"))
