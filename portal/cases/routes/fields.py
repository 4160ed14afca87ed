"""The case page's form controls in Python, with the markup of templates/_macros/forms.html's field()
and form_errors() (tests/cases/test_case_page_fields.py checks that both agree for every control of
the case page, with and without errors, in every language).

A staff case page renders about 25 controls and a dozen error summaries: as Jinja macro calls they
were a third of its rendering (issue 12), and WTForms' widgets (string.Formatter for every
attribute, dir() of the flags) cost more than the rest. The plain widgets (inputs, text areas,
selects, checkboxes, file inputs) are written here with WTForms' own rules (the same attributes,
in its sorted order, escaped the same way); any other widget still renders itself. The case
page's templates use these under the macros' names (cases/detail.html); every other page keeps
the macros.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import format_decimal, get_translations
from markupsafe import Markup, soft_str
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.widgets.core import clean_key

from portal.i18n import _, current_locale, escape_text
from portal.languages import count_texts
from portal.new_forms import NewForm, NewHidden


def _text(value) -> str:
    """What Jinja prints for {{ value|string }} with autoescape: markup kept, anything else escaped
    (as text: the controls are written as one str and made Markup once)."""
    return escape_text(soft_str(value))


def _errors(errors) -> str:
    return " ".join(_text(message) for message in errors)


def _required_mark() -> str:
    # our own translation, as {{ _("...") }} prints it (a catalogue's text is markup)
    return f' <span class="required" aria-hidden="true">*</span><span class="visually-hidden"> {_("(required)")}</span>'


# Input widgets that only set their type and value (no __call__ of their own): written by _input().
_PLAIN_INPUT = widgets.Input.__call__
# Date and time inputs: a plain input once their min and max are written in their format.
_DATE_TIME_INPUT = widgets.core._DateTimeBaseInput.__call__


def _attributes(kwargs: dict) -> str:
    """wtforms.widgets.html_params, without Markup.format's cost: the value escaped, then any quote
    left in it (a Markup value's) written &quot; (str's replace: Markup's would escape "&quot;")."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(key)
        elif value is not False:
            text = escape_text(value)
            if '"' in text:
                text = text.replace('"', "&quot;")
            params.append(f'{escape_text(key)}="{text}"')
    return " ".join(params)


def _flagged(f, widget, kwargs: dict, call: bool) -> None:
    """The widget's validation attributes from the field's flags (WTForms reads them with dir())."""
    flags = vars(f.flags)
    for name in widget.validation_attrs:
        if name in flags and name not in kwargs:
            value = flags[name]
            kwargs[name] = value() if call and callable(value) else value


def _control(f, attrs: dict) -> Markup:
    """f(**attrs) as WTForms renders it."""
    widget = f.widget
    kind = type(widget)
    if type(f.meta).render_field is not DefaultMeta.render_field:
        return f(**attrs)
    kwargs = {clean_key(k): v for k, v in attrs.items()}
    if f.render_kw:
        kwargs = dict({clean_key(k): v for k, v in f.render_kw.items()}, **kwargs)
    if kind is widgets.TextArea:
        kwargs.setdefault("id", f.id)
        _flagged(f, widget, kwargs, call=False)
        return Markup(f"<textarea {_attributes({'name': f.name, **kwargs})}>\r\n{escape_text(f._value())}</textarea>")  # noqa: S704
    if kind is widgets.Select and not widget.multiple and not f.has_groups():
        kwargs.setdefault("id", f.id)
        _flagged(f, widget, kwargs, call=False)
        options = []
        for choice in f._iter_choices_normalized():
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            label = escape_text(choice.label or choice.value)
            if choice.render_kw:
                option = {"value": value, **(choice.render_kw or {})}
                if choice.selected:
                    option["selected"] = True
                options.append(f"<option {_attributes(option)}>{label}</option>")
                continue
            # the usual option: _attributes' sorted "selected value=..." written out (a select of a
            # dozen assignees called it a dozen times)
            text = escape_text(value)
            if '"' in text:
                text = text.replace('"', "&quot;")
            options.append(f'<option {"selected " if choice.selected else ""}value="{text}">{label}</option>')
        return Markup(f"<select {_attributes({'name': f.name, **kwargs})}>{''.join(options)}</select>")  # noqa: S704
    if kind is widgets.CheckboxInput:
        if getattr(f, "checked", f.data):
            kwargs.setdefault("checked", True)
    elif kind is widgets.FileInput:
        kwargs["value"] = False
        if widget.multiple:
            kwargs["multiple"] = True
    elif isinstance(widget, widgets.Input) and kind.__call__ is _DATE_TIME_INPUT:
        _date_time_bounds(f, kwargs)
    elif not isinstance(widget, widgets.Input) or kind.__call__ is not _PLAIN_INPUT:
        return f(**attrs)
    kwargs.setdefault("id", f.id)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = f._value()
    datalist = getattr(f, "_datalist", None)
    if datalist is not None and "list" not in kwargs:
        kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
    _flagged(f, widget, kwargs, call=True)
    return Markup(f"<input {_attributes({'name': f.name, **kwargs})}>")  # noqa: S704 -- every value escaped


def _date_time_bounds(f, kwargs: dict) -> None:
    """What WTForms' date and time inputs add before writing a plain input: min and max (an attribute
    given, else the field's flag, called when callable) in the field's first format."""
    format_ = getattr(f, "format", None)
    if format_ is None:
        return
    format_ = format_[0] if isinstance(format_, list) else format_
    flags = getattr(f, "flags", {})
    for name in ("min", "max"):
        value = kwargs.get(name, getattr(flags, name, None))
        if callable(value):
            value = value()
        if hasattr(value, "strftime"):
            kwargs[name] = value.strftime(format_)


def _choices(f) -> Markup:
    """The macro's `{% for option in f %}<div class="choice">{{ option() }} {{ option.label() }}</div>`
    for a radio field, without building WTForms' option fields."""
    if type(f.meta).render_field is not DefaultMeta.render_field or type(f.option_widget) is not widgets.RadioInput:
        return Markup("").join(Markup('<div class="choice">%s %s</div>') % (option(), option.label()) for option in f)
    base = {clean_key(k): v for k, v in (f.render_kw or {}).items()}
    flags = vars(f.flags)  # an option has its field's validators, so its flags
    html = []
    for i, choice in enumerate(f._iter_choices_normalized()):
        option_id = f"{f.id}-{i}"
        kwargs = dict(base)
        if choice.selected:
            kwargs.setdefault("checked", True)
        kwargs.setdefault("id", option_id)
        kwargs.setdefault("type", "radio")
        if "value" not in kwargs:
            kwargs["value"] = str(choice.value)
        for name in widgets.RadioInput.validation_attrs:
            if name in flags and name not in kwargs:
                kwargs[name] = flags[name]() if callable(flags[name]) else flags[name]
        html.append(f'<div class="choice"><input {_attributes({"name": f.name, **kwargs})}> '
                    f'<label for="{escape_text(option_id)}">{escape_text(choice.label or choice.value)}</label></div>')
    return Markup("".join(html))  # noqa: S704 -- every value escaped


def field(f, required=None, hint=None) -> Markup:
    """_macros/forms.html's field(f, required, hint): a labelled control, its hint, its error and, for a
    long text with a limit, the live character counter, tied to it with aria-describedby."""
    is_required = required if required is not None else f.flags.required
    help_text = hint or f.description
    field_id = f.id
    errors = f.errors
    limit = f.flags.maxlength if f.type == "TextAreaField" and f.flags.maxlength else None
    describedby = []
    if help_text:
        describedby.append(f"{field_id}-help")
    if limit:
        describedby.append(f"{field_id}-count")
    if errors:
        describedby.append(f"{field_id}-error")
    # WTForms renders a None attribute as the text "None", so only real values (as the macro does)
    attrs: dict = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if errors:
        attrs["aria-invalid"] = "true"
    if is_required:
        attrs.update({"required": True, "aria-required": "true"})
    if limit:
        attrs.update({"maxlength": False, "data-limit": limit})
    # Written as one text, each value escaped (escape_text) or markup kept, then made Markup once: what
    # the macro's Markup % of every part wrote, without a Markup (and its escaping helper) per part.
    escaped_id = escape_text(field_id)
    hint_html = f'\n    <p class="hint" id="{escaped_id}-help">{_text(help_text)}</p>' if help_text else ""
    error_html = f'\n    <p class="error" id="{escaped_id}-error">{_errors(errors)}</p>' if errors else ""
    has_error = " has-error" if errors else ""
    if f.type == "BooleanField":
        return Markup(f'\n  <div class="field field-check{has_error}">\n    {_html(_control(f, attrs))} '  # noqa: S704
                      f'{_html(f.label())}{hint_html}{error_html}\n  </div>\n')
    required_mark = _required_mark() if is_required else ""
    if f.type == "RadioField":
        described = f'aria-describedby="{escape_text(" ".join(describedby))}"' if describedby else ""
        return Markup(f'\n  <fieldset class="field{has_error}" {described}>\n    <legend>{_text(f.label.text)}'  # noqa: S704
                      f'{required_mark}</legend>{hint_html}{error_html}\n    {_html(_choices(f))}\n  </fieldset>\n')
    counter = ""
    if limit:
        words = _html(_limit_words(str(current_locale()), limit))
        counter = (f'\n    <p class="hint char-count" id="{escaped_id}-count" data-count-for="{escaped_id}"'
                   f' data-texts=\'{_html(count_texts(limit))}\'>{words}</p>')
    control = _html(_control(f, attrs))
    return Markup(f'\n  <div class="field{has_error}">\n    <label for="{escaped_id}">{_text(f.label.text)}'  # noqa: S704
                  f'{required_mark}</label>{hint_html}{error_html}\n    {control}{counter}\n  </div>\n')


_HIDDEN_TYPES = frozenset({"HiddenField", "CSRFTokenField"})


def control_key(form) -> tuple:
    """What a new form's visible controls show besides their words (which the language decides): each
    control's value and the choices it offers. With the language, everything their markup depends on
    (the labels, hints and rules are the form class's, and the class is part of the key, so two classes
    with controls of the same names never share one), so a key for {% remember %} (detail.html's kept()). The
    hidden controls are left out: a CSRF token and a submission key are the request's own. A NewForm
    not built yet answers from what it will be built from (NewForm.control_key)."""
    if isinstance(form, NewForm):
        return form.control_key(_choices_key)
    key: list = [type(form)]
    for control in form:
        if control.type in _HIDDEN_TYPES:
            continue
        data = control.data
        key.append((control.name, tuple(data) if isinstance(data, list) else data,
                    _choices_key(getattr(control, "choices", None))))
    return tuple(key)


def _choices_key(choices):
    """A select's or radio group's choices as hashable values, each label as the text it shows."""
    if choices is None:
        return None
    if isinstance(choices, dict):  # option groups
        return ("groups", tuple((str(group), _choices_key(items)) for group, items in choices.items()))
    key = []
    for choice in choices:
        if isinstance(choice, SelectChoice):
            parts = (choice.value, choice.label, choice.render_kw, choice.optgroup)
        else:
            parts = tuple(choice) if isinstance(choice, (tuple, list)) else (choice,)
        key.append(tuple(repr(sorted(part.items())) if isinstance(part, dict)
                         else part if part is None or isinstance(part, (str, int, bool)) else str(part)
                         for part in parts))
    return tuple(key)


def hidden(f, **attrs) -> Markup:
    """{{ f }} or {{ f(value=...) }} of a hidden control (a form's CSRF token, its submission id, the
    proposal or assignee the page showed) as WTForms writes it: through its widget, html_params'
    string.Formatter took about 60 µs a control, and a staff case page has a dozen of them."""
    if type(f) is NewHidden:  # a new form's token or key (portal.new_forms), written as its field would
        return Markup(f(**attrs))  # noqa: S704 -- NewHidden escapes what it writes
    widget = f.widget
    if (type(widget) is widgets.HiddenInput and not f.render_kw and (not attrs or attrs.keys() == {"value"})
            and type(f.meta).render_field is DefaultMeta.render_field and getattr(f, "_datalist", None) is None
            and "disabled" not in vars(f.flags)):
        # the usual token or key: _control()'s id, name, type and value (in html_params' sorted order), written out
        value = attrs["value"] if attrs else f._value()
        if isinstance(value, str):
            text = escape_text(value)
            if '"' in text:
                text = text.replace('"', "&quot;")
            return Markup(f'<input id="{_quoted(f.id)}" name="{_quoted(f.name)}" type="hidden" value="{text}">')  # noqa: S704
    return _control(f, attrs)


def _quoted(value: str) -> str:
    """An attribute's value as _attributes() writes it."""
    text = escape_text(value)
    return text.replace('"', "&quot;") if '"' in text else text


def _html(value) -> str:
    """A part put into a control's markup as Markup % put it: markup as it is, anything else escaped."""
    return escape_text(value)


@lru_cache(maxsize=256)
def _limit_words(locale: str, limit: int) -> Markup:
    """ "Up to 2,000 characters." once per language and limit (the request's language is `locale`):
    a Babel number and a plural per long text were a fifth of a staff case page's controls."""
    ngettext = get_translations().ungettext  # by this name the catalogue tools find the texts
    return Markup(ngettext("Up to %(num)s character.", "Up to %(num)s characters.", limit)) % {  # noqa: S704
        "num": format_decimal(limit)}


def form_errors(form) -> Markup:
    """_macros/forms.html's form_errors(form): the summary of a refused form's messages, each field's
    linked to its control; nothing for a form without errors."""
    form_level = form.form_errors
    if not form_level and not form.errors:
        return Markup("")
    items = [Markup("<li>%s</li>") % Markup(_text(message)) for message in form_level]  # noqa: S704 -- escaped
    for control in form:
        if control.errors and control.type != "CSRFTokenField":
            for message in control.errors:
                items.append(Markup('<li><a href="#%s">%s</a></li>') % (
                    control.id, Markup(_("%(field)s: %(message)s")) % {  # noqa: S704 -- values escaped by %
                        "field": soft_str(control.label.text), "message": soft_str(message)}))
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        items.append(Markup("<li>%s</li>") % Markup(_("This form has expired. Please send it again.")))  # noqa: S704
    return Markup('\n  <div class="error-summary" role="alert" tabindex="-1" id="error-summary">\n'
                  '    <h2>%s</h2>\n    <ul>\n      %s\n    </ul>\n  </div>\n') % (
        Markup(_("There is a problem")), Markup("").join(items))  # noqa: S704
