"""The inbound address form: shape only (lengths, choices); portal/mail_in/addresses.py checks the rest."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.i18n import LANGUAGES, _, _l


class InboundAddressForm(FlaskForm):
    address = StringField(_l("Address"), validators=[InputRequired(_l("Enter the address mail is sent to.")),
                                                     Length(max=254)],
                          description=_l("Mail to it (or to any +tag of it, e.g. support+web@example.com) opens "
                                         "cases, e.g. support@example.com. Your mail server must deliver it to "
                                         "Caseport."),
                          render_kw={"autocomplete": "off", "inputmode": "email"})
    case_template = SelectField(_l("Case template"), validate_choice=False,
                                description=_l("The cases it opens are of this template. It must ask for nothing "
                                               "but a title and a description: an email fills in nothing else."))
    workgroup = SelectField(_l("Workgroup"), validate_choice=False,
                            description=_l("Where the cases land. The template's default workgroup when none is "
                                           "chosen."))
    language = SelectField(_l("Language"), validate_choice=False,
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                           description=_l("The language of accounts this address opens for new senders, and of "
                                          "the answers to senders we do not know."))
    unknown_senders = RadioField(_l("Mail from unknown senders"), validate_choice=False, default="link",
                                 choices=[SelectChoice("link", _l("Answer with a link to the portal (no case)")),
                                          SelectChoice("open", _l("Open a customer profile, a sign-in (the answer "
                                                                  "carries the link to choose a password) and the "
                                                                  "case"))])
    active = BooleanField(_l("Active"), default=True,
                          description=_l("Mail to an inactive address opens no case: it waits for review."))

    def set_choices(self, templates, workgroups) -> None:
        self.case_template.choices = [SelectChoice("", _("Choose a template")),
                                      *(SelectChoice(value, label) for value, label in templates)]
        self.workgroup.choices = [SelectChoice("", _("The template's default workgroup")),
                                  *(SelectChoice(value, label) for value, label in workgroups)]
