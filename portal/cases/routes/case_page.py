"""The case page and what people do on it. Thin views: parse, call one service, redirect (or show the
page again with the messages and everything the person typed).

Customers, proxies and staff share this page. What only the staff workspace shows on it (its actions,
tasks, customer search) is a part the staff blueprint adds with add_case_page_part() when the app
registers it: this side never imports the staff side, and without the staff blueprint the page
simply has no staff part.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.cases.forms import (
    AcceptResolutionForm,
    CommentForm,
    ProposeResolutionForm,
    ReasonForm,
    RejectResolutionForm,
    StaffCommentForm,
    StatusForm,
)
from portal.cases.queries.case_page import (
    attachment_for_viewer,
    case_for_viewer,
    feed_for,
    last_reading,
    linked_customers,
    next_steps,
    statuses_to_choose,
    values_by_section,
)
from portal.cases.routes import fields
from portal.cases.routes.feed_lines import feed_lines
from portal.cases.rules import proposal_stamp
from portal.cases.service import conversation, lifecycle, readings
from portal.errors import AlreadyDone, Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.files import storage
from portal.i18n import _
from portal.new_forms import NewForm
from portal.outbox_views.queries import notifications_for_shown_case
from portal.submissions.forms import SENT_TWICE
from portal.web_helpers import apply_errors, file_download, safe_next_url


def register(bp: Blueprint) -> None:
    bp.record_once(_policy_for_templates)
    bp.add_url_rule("/<reference>", view_func=detail, methods=["GET"])
    bp.add_url_rule("/<reference>/comments", view_func=comment, methods=["POST"])
    bp.add_url_rule("/<reference>/resolution/accept", view_func=accept_resolution, methods=["POST"])
    bp.add_url_rule("/<reference>/resolution/reject", view_func=reject_resolution, methods=["POST"])
    bp.add_url_rule("/<reference>/close", view_func=close, methods=["POST"])
    bp.add_url_rule("/<reference>/reopen", view_func=reopen, methods=["POST"])
    bp.add_url_rule("/<reference>/resolution", view_func=propose_resolution, methods=["POST"])
    bp.add_url_rule("/<reference>/status", view_func=change_status, methods=["POST"])
    bp.add_url_rule("/<reference>/files/<attachment_uuid>", view_func=download, methods=["GET"])


# Where the app keeps the case page parts other blueprints added (app.extensions[CASE_PAGE_PARTS]).
CASE_PAGE_PARTS = "caseport_case_page_parts"
REPLY_MODE = "reply_visibility"  # session key: the staff reply box's last mode, public or internal


def add_case_page_part(app: Flask, part: Callable[..., dict]) -> None:
    """Let another blueprint add to the case page: part(case, viewer, forms) is called for every case
    page with the forms of a refused submission in `forms` (by name, to show their errors again) and
    returns template variables. Call it when that blueprint is registered (Blueprint.record_once)."""
    app.extensions.setdefault(CASE_PAGE_PARTS, []).append(part)


def _parts(case, viewer, forms: dict) -> dict:
    context: dict = {}
    for part in current_app.extensions.get(CASE_PAGE_PARTS, ()):
        context.update(part(case, viewer, forms))
    return context


def _policy_for_templates(state):
    """Pages decide which controls to show with the same rules the services apply: every case rule
    of portal.policy is a template global, called as can_take(current_user, case)."""
    for rule in policy.CASE_RULES:
        state.app.add_template_global(rule)
    state.app.add_template_global(proposal_stamp)
    # The case page's controls, the shared macros' markup written in Python (portal.cases.routes.fields)
    state.app.add_template_global(fields.field, "case_field")
    state.app.add_template_global(fields.form_errors, "case_form_errors")
    state.app.add_template_global(fields.hidden, "case_hidden")
    state.app.add_template_global(fields.control_key, "case_control_key")


def case_page(case, status: int = 200, **forms):
    # The signed-in user, resolved once: through Flask-Login's proxy every attribute a rule reads
    # looked the user up again (a hundred lookups a staff page). The templates get it as `viewer`.
    viewer = current_user._get_current_object()
    staff = policy.is_staff(viewer)
    is_open = case.status.category != "closed"
    # What the viewer may do here: portal.policy's rules, the ones the services apply, asked once; the
    # template shows each control by them, and a control's form is built only when it shows (or when
    # it was sent and comes back with its errors): the customer side never pays for the staff's.
    may = {
        "comment": is_open and policy.can_comment(viewer, case),
        "answer": case.status.category == "resolved" and policy.can_answer_resolution(viewer, case),
        "reopen": not is_open and policy.can_reopen(viewer, case),
        "close": is_open and policy.can_close(viewer, case),
        "propose": is_open and policy.can_propose_resolution(viewer, case),
        "change_status": is_open and policy.can_change_status(viewer, case),
    }
    # A new form is built when the page first needs more of it than its hidden token and key
    # (portal.new_forms): one whose controls the page keeps is mostly never built.
    comment_form = forms.get("comment_form")
    reply_mode = None  # a new staff reply box's mode, which its kept controls show
    if comment_form is None and may["comment"]:
        if policy.can_write_internal_note(viewer, case):
            reply_mode = str(session.get(REPLY_MODE, "public"))
            comment_form = NewForm(StaffCommentForm, visibility=reply_mode)
        else:
            comment_form = NewForm(CommentForm)
    status_form = forms.get("status_form")
    if status_form is not None or may["change_status"]:
        choices = [SelectChoice("", _("Choose a status"))] + [
            SelectChoice(s.uuid, s.name) for s in statuses_to_choose() if s.id != case.status_id]
        if status_form is None:
            status_form = NewForm(StatusForm, choices={"status": choices})
        else:
            status_form.status.choices = choices
    parts = _parts(case, viewer, forms)
    # The forms built here (not one sent back with what was typed and its messages): the template may
    # keep their controls' markup, the same on every page in a language (detail.html's kept()).
    fresh = frozenset(name for name in _FORM_NAMES if forms.get(name) is None)
    # A logged contact's own time shows to the staff who handle the case (they have the staff part).
    feed = feed_lines(feed_for(case, viewer), case.reference, contact_times=bool(parts.get("staff_panel")))
    return render_template(
        "cases/detail.html",
        case=case,
        viewer=viewer,
        may=may,
        sections=values_by_section(case, viewer),
        feed=feed,
        linked=linked_customers(case),
        staff=staff,
        reopen_deadline=policy.reopen_deadline(case),
        comment_form=comment_form,
        reply_mode=reply_mode,
        accept_form=forms.get("accept_form") or (NewForm(AcceptResolutionForm) if may["answer"] else None),
        reject_form=forms.get("reject_form") or (NewForm(RejectResolutionForm) if may["answer"] else None),
        close_form=forms.get("close_form") or (NewForm(ReasonForm, prefix="close") if may["close"] else None),
        reopen_form=forms.get("reopen_form") or (NewForm(ReasonForm, prefix="reopen") if may["reopen"] else None),
        resolution_form=forms.get("resolution_form") or (NewForm(ProposeResolutionForm) if may["propose"] else None),
        status_form=status_form,
        fresh=fresh,
        case_notifications=notifications_for_shown_case(viewer, case) if staff else [],
        next_steps=[] if staff else next_steps(case),  # staff see every task in their own part
        **parts,
    ), status


_FORM_NAMES = ("comment_form", "accept_form", "reject_form", "close_form", "reopen_form", "resolution_form",
               "status_form")


@login_required
def detail(reference):
    viewer = current_user._get_current_object()
    case = case_for_viewer(viewer, reference)
    readings.mark_read(viewer, case, last_seen=last_reading(case, viewer))
    return case_page(case)


def act_on_case(case, form, form_name: str, action, success: str, anchor: str = ""):
    """Run one service for a submitted form on the case page. Success: redirect to the case page
    (or to `next`, or to the start page when the actor can no longer see the case, e.g. after
    escalating it away). A refusal about a value: the case page again, with the message next to
    that form and everything that was typed. A refusal of the action itself (not allowed, or the case
    is no longer in the state the page showed, e.g. the second of two clicks): the case page as it is
    now, with the message on top, since the form may no longer be on it."""
    if not form.validate_on_submit():
        return case_page(case, 400, **{form_name: form})
    try:
        action()
    except AlreadyDone:  # a double click: the first sending did it; show the case as it is
        flash(SENT_TWICE, "info")
        return redirect(url_for("cases.detail", reference=case.reference) + anchor)
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return case_page(case, 503 if isinstance(exc, storage.StorageUnavailable) else 400, **{form_name: form})
    except (InvalidTransition, NotAllowed, Conflict) as exc:
        if exc.fields:
            apply_errors(form, exc)
            return case_page(case, exc.status, **{form_name: form})
        flash(str(exc.message), "error")
        try:
            current = case_for_viewer(current_user, case.reference)
        except NotFound:  # e.g. a colleague moved it out of the actor's workgroups meanwhile
            return _gone(case)
        return case_page(current, exc.status, **{form_name: form})
    flash(success, "success")
    target = safe_next_url(request.args.get("next"))
    if target:
        return redirect(target)
    if not policy.can_view_case(current_user, case):
        return _gone(case)
    return redirect(url_for("cases.detail", reference=case.reference) + anchor)


def _gone(case):
    flash(_("Case %(reference)s is no longer one you can see.", reference=case.reference), "warning")
    return redirect(url_for("home.index"))


@login_required
def comment(reference):
    case = case_for_viewer(current_user, reference)
    form = StaffCommentForm() if policy.can_write_internal_note(current_user, case) else CommentForm()
    may_note = isinstance(form, StaffCommentForm)
    public = not may_note or form.visibility.data == "public"
    uploads = request.files.getlist(form.files.name)

    def action():
        conversation.add_comment(current_user, case, form.body.data, public=public, uploads=uploads,
                                 submission=form.submission.data)
        if may_note:  # the next reply box opens in the mode last used: a run of notes stays notes
            session[REPLY_MODE] = "public" if public else "internal"

    return act_on_case(case, form, "comment_form", action,
                       _("Your comment is added.") if public else _("Internal note added (staff only)."), "#feed-end")


@login_required
def accept_resolution(reference):
    case = case_for_viewer(current_user, reference)
    form = AcceptResolutionForm()
    raw = (form.rating.data or "").strip()
    # A forged non-number becomes 0, which the service refuses with its message. isdecimal, not
    # isdigit: int() cannot read "²"; and a few digits, as int() refuses more than 4,300.
    rating = int(raw) if raw.isdecimal() and len(raw) <= 9 else (0 if raw else None)
    return act_on_case(case, form, "accept_form",
                lambda: lifecycle.accept_resolution(current_user, case, rating=rating, comment=form.comment.data,
                                                        seen_proposal=form.seen_proposal.data),
                _("Thank you. The case is closed."))


@login_required
def reject_resolution(reference):
    case = case_for_viewer(current_user, reference)
    form = RejectResolutionForm()
    return act_on_case(case, form, "reject_form",
                lambda: lifecycle.reject_resolution(current_user, case, form.reason.data,
                                                        seen_proposal=form.seen_proposal.data),
                _("The case is open again and the team has your reason."))


@login_required
def close(reference):
    case = case_for_viewer(current_user, reference)
    form = ReasonForm(prefix="close")
    return act_on_case(case, form, "close_form", lambda: lifecycle.close_case(current_user, case, form.reason.data),
                _("The case is closed."))


@login_required
def reopen(reference):
    case = case_for_viewer(current_user, reference)
    form = ReasonForm(prefix="reopen")
    return act_on_case(case, form, "reopen_form", lambda: lifecycle.reopen_case(current_user, case, form.reason.data),
                _("The case is open again."))


@login_required
def propose_resolution(reference):
    case = case_for_viewer(current_user, reference)
    form = ProposeResolutionForm()
    return act_on_case(case, form, "resolution_form",
                lambda: lifecycle.propose_resolution(current_user, case, form.resolution.data),
                _("Resolution proposed. The customer is asked to accept it."))


@login_required
def change_status(reference):
    case = case_for_viewer(current_user, reference)
    form = StatusForm()
    form.status.choices = [SelectChoice(s.uuid, s.name) for s in statuses_to_choose()]
    return act_on_case(case, form, "status_form", lambda: lifecycle.change_status(current_user, case, form.status.data),
                _("Status changed."))


@login_required
def download(reference, attachment_uuid):
    """A file, only through the policy, always as a download: never rendered by the browser."""
    case = case_for_viewer(current_user, reference)
    attachment = attachment_for_viewer(case, current_user, attachment_uuid)
    response = file_download(attachment) if attachment is not None else None
    if response is None:
        abort(404)
    return response
