"""The analyst dashboard: the alert queue (live through htmx polling) and the alert page.

Views stay thin: reads go through alerts.selectors, every change through alerts.services.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from access.alerts import alert_workers, alerts_visible, assignment_check
from alerts.models import Alert
from alerts.selectors import (
    MAX_ID,
    QUEUE_ORDER,
    UNREAD,
    AlertFilter,
    alert_assignees,
    alert_followers,
    alert_queue,
    alert_queue_tab,
    alert_thread,
    alerts_urgent,
    alerts_with_new_message,
)
from alerts.services import (
    AssignmentRefused,
    RevealingRefused,
    SendRefused,
    TransitionRefused,
    alert_message_read,
    alert_reply_send,
    alert_transition,
    alert_update,
    status_callback_url,
    transitions_from,
)
from core.permissions import capability_required, require
from core.roles import can, can_see_identity
from core.taxonomy import CATEGORY_CHOICES
from networks.identities import identities_reveal
from triage.services import ClaimRefused, alert_claim, alert_release

from .alert_access import alert_action, alert_for_user
from .alert_origin import alert_origin
from .page_context import alert_page_context, queue_page_context
from .page_watchdog import triage_banner_context
from .queue_live import (
    DELTA_HEADER,
    delta,
    last_change,
    scope_marker,
    unchanged,
    urgent_count,
    version,
)
from .queue_live import HEADER as VERSION_HEADER
from .views_engagement import alert_engagement_context
from .views_followup import followup_context, may_hear_recording

PAGE_SIZE = 50
COUNT_PAGES_AHEAD = 20  # the queue counts its alerts up to this many pages past the one shown
MAX_PAGE = 100_000  # a page number past any queue (and within the database's LIMIT)
POLL_SECONDS = 3
NEW_MESSAGE_ROWS = 20  # alerts with an unread message shown above the queue, the latest first
URGENT_ROWS = 20  # unacknowledged P1 alerts pinned above everything, whatever the filters
REPLY_MAX_LENGTH = 1600  # ten concatenated segments; longer texts are refused by carriers

VIEWS = {  # the labels of alerts.selectors.QUEUE_TABS
    "open": _("All open"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "overdue": _("Overdue"),
}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply by SMS"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "data-segments": "reply-segments",
                "data-revealing": "reply-revealing",
            }
        ),
    )
    # Shown once the reply was refused for words that would expose a discreet reporter.
    confirm_revealing = forms.BooleanField(
        label=_("Send it anyway: I know the risk (recorded in the alert's history)"),
        required=False,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Alert.Status.choices)

    def __init__(self, *args, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None:  # offer only where the status machine allows it to go
            allowed = {current, *transitions_from(current)}
            self.fields["status"].choices = [
                (value, label) for value, label in Alert.Status.choices if value in allowed
            ]


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=[(p, f"P{p}") for p in range(1, 5)]
    )


# --- Queue -------------------------------------------------------------------------------------


def _queue_state(request: HttpRequest, banner: dict | None = None) -> dict:
    """Rows, counts and filters for the queue page and its polled partial (three queries);
    `banner`: the triage banner's context when already read."""
    view = request.GET.get("view", "open")
    if view not in VIEWS:
        view = "open"
    base = alert_queue().select_related("incident", "claimed_by")  # badges: sources, who works
    rows = alerts_visible(base, request.user)  # as the alert page: analysts see their areas
    filterset = AlertFilter(request.GET, queryset=rows, request=request)
    filterset.is_valid()  # a wrong value leaves its filter out and shows the form's error
    statuses = filterset.form.cleaned_data.get("status") or []
    # The views keep to open alerts unless the analyst picked statuses in the filter form.
    queryset = alert_queue_tab(filterset.qs, tab=view, user=request.user, open_only=not statuses)

    try:
        since = max(int(request.GET.get("since", "")), 0)
    except ValueError:
        since = None
    # Counting stops a few pages past the one asked for: a count reads every row it counts,
    # and with a backlog of tens of thousands of open alerts that alone cost more than the
    # rest of the page. Deeper pages stay reachable: asking for one counts further.
    try:
        wanted = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        wanted = 1
    ceiling = (wanted + COUNT_PAGES_AHEAD) * PAGE_SIZE
    shown = queryset
    if filterset.form.cleaned_data.get("q"):
        # A search: which alerts match is read first, in no order, so the database finds them
        # through the text and place indexes; when they are few, only they are sorted. In one
        # statement the planner may instead walk the whole queue in order looking for them,
        # ten times slower when they lie far down it.
        found = list(
            queryset.order_by().values_list("pk", "status", "new_message_at")[: ceiling + 1]
        )
        counts = {
            "total": len(found),
            "open": sum(status in Alert.OPEN_STATUSES for _pk, status, _new in found),
            "unread": sum(
                status in (Alert.Status.NEW, Alert.Status.TRIAGED)
                or (status in Alert.OPEN_STATUSES and new is not None)
                for _pk, status, new in found
            ),
        }
        if len(found) <= ceiling:
            shown = base.filter(pk__in=[pk for pk, _status, _new in found]).order_by(*QUEUE_ORDER)
    else:
        # One query, counting only what the page shows: the open ones apart only when closed
        # ones may be among them.
        aggregates = {"total": Count("pk"), "unread": Count("pk", filter=UNREAD)}
        if view != "overdue" and not set(statuses) <= set(Alert.OPEN_STATUSES):
            aggregates["open"] = Count("pk", filter=Q(status__in=Alert.OPEN_STATUSES))
        counts = queryset.order_by()[: ceiling + 1].aggregate(**aggregates)
    counts.setdefault("open", counts["total"])
    counts["more"] = counts["total"] > ceiling  # "at least": shown with a +
    if counts["more"]:
        counts["total"] = ceiling
        counts["open"] = min(counts["open"], ceiling)
        counts["unread"] = min(counts["unread"], ceiling)
    # And a second one, on the newest rows only: the latest alert on a first load (everything
    # here now counts as seen), how many came since when polling.
    if since is None:
        since = queryset.order_by().aggregate(latest=Max("pk"))["latest"] or 0
        counts["new"] = 0
    else:
        counts["new"] = queryset.order_by().filter(pk__gt=since).count()

    paginator = Paginator(shown, PAGE_SIZE)
    paginator.count = counts["total"]  # counted above: spare the paginator its own query
    page = paginator.get_page(wanted)
    rows = list(page)
    # The reporter wrote again: shown first whatever their place in the queue's order.
    new_messages = list(alerts_with_new_message(queryset)[:NEW_MESSAGE_ROWS])
    # Above them, P1 alerts nobody has acknowledged, within the reader's areas whatever the tab
    # or filters: a filter must never hide a threat to life.
    urgent = list(alerts_urgent(alerts_visible(base, request.user))[:URGENT_ROWS])

    poll_params = request.GET.copy()
    poll_params["since"] = str(since)
    filter_params = request.GET.copy()
    for key in ("page", "since"):
        filter_params.pop(key, None)
    back_params = request.GET.copy()  # where a bulk action comes back to: this very page
    back_params.pop("since", None)
    return {
        "view": view,
        "views": VIEWS,
        "filter": filterset,
        "form": filterset.form,
        "status_choices": Alert.Status.choices,
        "source_choices": Alert.Source.choices,
        "category_choices": CATEGORY_CHOICES,
        "selected_statuses": statuses,
        "selected_sources": request.GET.getlist("source"),
        "rows": rows,
        "new_messages": new_messages,
        "urgent": urgent,
        "urgent_total": len(urgent) if len(urgent) < URGENT_ROWS else urgent_count(request),
        "counts": counts,
        "since": since,
        "page": page.number,
        "pages": paginator.num_pages,
        "pages_label": f"{paginator.num_pages}+" if counts["more"] else paginator.num_pages,
        "poll_url": f"{reverse('dashboard:queue-rows')}?{poll_params.urlencode()}",
        "poll_seconds": POLL_SECONDS,
        "filter_query": filter_params.urlencode(),
        "back_query": back_params.urlencode(),
        "may_act": can(request.user, "work_alerts"),
        "now": timezone.now(),
        **(banner if banner is not None else triage_banner_context(request)),
    }


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def queue(request: HttpRequest) -> HttpResponse:
    last = last_change(request)  # read first: a change while drawing shows on the next poll
    state = _queue_state(request)
    fields = state["form"].fields
    context = {
        **state,
        **queue_page_context(request),
        # The filter form's selects, one query each; the polled partial never draws them.
        "networks": list(fields["network"].queryset.only("pk", "name")),
        "territories": list(fields["territory"].queryset.only("pk", "name")),
        "assignees": list(alert_assignees()),
        "export_query": export_query(request.GET, view=state["view"]),
        "queue_version": version(scope_marker(last, state)),
    }
    return render(request, "dashboard/queue.html", context)


def export_query(params: QueryDict, *, view: str) -> str:
    """The alert export's query for what the queue shows: its filters, and the tab's rule as a
    filter (open alerts unless statuses were picked; mine; unassigned). The overdue tab has no
    such filter: its export holds its open alerts, overdue or not."""
    query = params.copy()
    for key in ("page", "since", "view", "as", "format"):
        query.pop(key, None)
    if not [status for status in query.getlist("status") if status]:
        query.setlist("status", list(Alert.OPEN_STATUSES))
    if view == "mine":
        query["assignee"] = "me"
    elif view == "unassigned":
        query["assignee"] = "unassigned"
    query["format"] = "csv"
    return query.urlencode()


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The table body, polled by the queue page; the counts ride along out of band. An empty
    204 when nothing changed in the reader's scope since the version the page sent; only the
    changed rows when few changed since a recent version (queue_live.delta)."""
    last, banner = last_change(request), triage_banner_context(request)
    marker = scope_marker(last, banner)
    asked = request.headers.get(VERSION_HEADER, "")
    if unchanged(asked, marker):
        return HttpResponse(status=204)
    state = _queue_state(request, banner)
    caps = {"urgent": URGENT_ROWS, "new_messages": NEW_MESSAGE_ROWS, "rows": PAGE_SIZE}
    changed = delta(request, asked, marker, state, caps)
    if changed is not None:
        body, new_version = changed
        response = HttpResponse(body)
        response[DELTA_HEADER] = "1"
        response[VERSION_HEADER] = new_version
        return response
    response = render(request, "dashboard/_queue_rows.html", state)
    response[VERSION_HEADER] = version(marker)
    return response


class _AlertsField(forms.ModelMultipleChoiceField):
    """Ids of alerts, checked before the database sees them: it would fail on a number too
    large for it. (DATA_UPLOAD_MAX_NUMBER_FIELDS bounds how many: a page shows PAGE_SIZE.)"""

    def clean(self, value):
        value = self.prepare_value(value)
        if isinstance(value, list | tuple):  # anything else is refused by the parent class
            for pk in (str(pk) for pk in value):
                if not (pk.isascii() and pk.isdigit() and len(pk) <= 19 and 0 < int(pk) <= MAX_ID):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk[:20]},
                    )
        return super().clean(value)


class BulkForm(forms.Form):
    ACKNOWLEDGE, ASSIGN = "acknowledge", "assign"

    action = forms.ChoiceField(
        label=_("Action"), choices=[(ACKNOWLEDGE, _("Acknowledge")), (ASSIGN, _("Assign"))]
    )
    alerts = _AlertsField(
        label=_("Alerts"),
        queryset=alert_queue(),
        error_messages={"required": _("Select at least one alert.")},
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=alert_assignees(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only alerts the user may see on the queue and act on from the alert page.
        self.fields["alerts"].queryset = alerts_visible(alert_queue(), user)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", gettext("Choose who to assign the alerts to."))
        return data


def _bulk_acknowledge(request: HttpRequest, alerts) -> None:
    """Acknowledge those still waiting (new or triaged); count the ones someone else moved
    since the page was drawn."""
    done = skipped = 0
    for alert in alerts:
        if not may_acknowledge(alert):
            skipped += 1
            continue
        try:
            alert_transition(
                alert=alert,
                to=Alert.Status.ACKNOWLEDGED,
                by=request.user,
                only_from=(Alert.Status.NEW, Alert.Status.TRIAGED),
            )
        except TransitionRefused:
            skipped += 1
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(n)d alert acknowledged.", "%(n)d alerts acknowledged.", done) % {"n": done},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d skipped: someone else had already moved it.",
                "%(n)d skipped: someone else had already moved them.",
                skipped,
            )
            % {"n": skipped},
        )


def _bulk_assign(request: HttpRequest, alerts, assignee) -> None:
    done = refused = 0
    for alert in alerts:
        if alert.assignee_id != assignee.pk:
            try:
                assignment_check(alert, assignee)  # only alerts of the areas they work
                alert_update(alert=alert, by=request.user, assignee=assignee)
            except AssignmentRefused:
                refused += 1
                continue
            done += 1
    if assignee == request.user:
        text = ngettext("%(n)d alert assigned to you.", "%(n)d alerts assigned to you.", done)
    else:
        text = ngettext(
            "%(n)d alert assigned to %(name)s.", "%(n)d alerts assigned to %(name)s.", done
        )
    name = assignee.get_full_name() or assignee.get_username()
    messages.success(request, text % {"n": done, "name": name})
    if refused:
        messages.error(
            request,
            ngettext(
                "%(n)d not assigned: it lies outside the areas %(name)s works.",
                "%(n)d not assigned: they lie outside the areas %(name)s works.",
                refused,
            )
            % {"n": refused, "name": name},
        )
    unchanged = len(alerts) - done - refused
    if unchanged:
        messages.info(
            request,
            ngettext(
                "%(n)d was already assigned there.", "%(n)d were already assigned there.", unchanged
            )
            % {"n": unchanged},
        )


@require_POST
@capability_required(htmx_login_next="dashboard:queue")
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Acknowledge or assign the rows ticked in the queue, then back to the same queue page."""
    require(request.user, "work_alerts")
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    elif form.cleaned_data["action"] == BulkForm.ACKNOWLEDGE:
        _bulk_acknowledge(request, form.cleaned_data["alerts"])
    else:
        _bulk_assign(request, form.cleaned_data["alerts"], form.cleaned_data["assignee"])
    back = QueryDict(request.POST.get("back", ""), mutable=True)
    back.pop("since", None)  # a fresh load: the page counts new alerts from then on
    query = back.urlencode()
    return redirect(
        f"{reverse('dashboard:queue')}?{query}" if query else reverse("dashboard:queue")
    )


# --- Alert page ----------------------------------------------------------------------------------


def may_acknowledge(alert: Alert) -> bool:
    """Only an alert nobody has taken up yet (new or triaged) can be acknowledged."""
    return alert.status in (Alert.Status.NEW, Alert.Status.TRIAGED)


def _alert_page(
    request: HttpRequest,
    alert: Alert,
    *,
    reply_form: ReplyForm | None = None,
    new_since=None,
    revealing: list[str] | None = None,
):
    may_act = can(request.user, "work_alerts")
    # The reporter's name and number: only within the reader's areas, and not past the hourly
    # limit (networks.identities); recorded in the audit trail when shown.
    reporter = identities_reveal(
        request=request, focal_point_ids=[alert.reporter_id], where="alert"
    )
    context = {
        "revealing": revealing or [],
        "alert": alert,
        "thread": alert_thread(alert=alert),
        "new_since": new_since or alert.new_message_at,
        "follows": _visible_alert(request, alert.thread_parent_id),
        "followers": list(alerts_visible(alert_followers(alert=alert), request.user)),
        "show_identity": can_see_identity(request.user),
        "show_reporter": alert.reporter_id in reporter,
        "reporter_refused": reporter.refused,
        "may_hear": may_hear_recording(request.user, alert),
        "may_act": may_act,
        "may_acknowledge": may_acknowledge(alert),
        "reply_form": reply_form or ReplyForm(),
        "status_form": StatusForm(initial={"status": alert.status}, current=alert.status),
        "priority_form": PriorityForm(initial={"priority": alert.priority}),
        # Colleagues it may go to: those who work its area, on duty first (access.alerts).
        "workers": alert_workers(alert, alert_assignees()) if may_act else [],
        "origin": alert_origin(alert, request.user),
        "now": timezone.now(),
        **alert_page_context(request, alert),
    }
    context.update(followup_context(request, alert, reporter_shown=context["show_reporter"]))
    context.update(alert_engagement_context(request, alert))
    return render(request, "dashboard/alert.html", context)


def _visible_alert(request: HttpRequest, pk: int | None) -> Alert | None:
    """The alert `pk` if the user may see it (a link to it), else None."""
    if pk is None:
        return None
    return alerts_visible(alert_queue(), request.user).filter(pk=pk).first()


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = alert_for_user(pk, request.user)
    new_since = alert.new_message_at
    if new_since is not None and can(request.user, "work_alerts"):
        # Opened by someone who works alerts: the new message is read (as the page shows it).
        alert_message_read(alert=alert, by=request.user, seen=new_since)
    return _alert_page(request, alert, new_since=new_since)


@alert_action
def alert_acknowledge(request: HttpRequest, alert: Alert):
    try:
        alert_transition(
            alert=alert,
            to=Alert.Status.ACKNOWLEDGED,
            by=request.user,
            only_from=(Alert.Status.NEW, Alert.Status.TRIAGED),
        )
    except TransitionRefused:
        messages.info(request, gettext("This alert was already acknowledged."))
    else:
        messages.success(request, gettext("Alert %(ref)s acknowledged.") % {"ref": alert.reference})
    if "back" in request.POST:  # "Seen" on a row pinned in the queue: back to the same queue
        back = QueryDict(request.POST["back"], mutable=True)
        back.pop("since", None)
        query = back.urlencode()
        return redirect(f"{reverse('dashboard:queue')}?{query}" if query else "dashboard:queue")
    return None


@alert_action
def alert_set_status(request: HttpRequest, alert: Alert):
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a valid status."))
        return
    try:
        alert_update(alert=alert, by=request.user, status=form.cleaned_data["status"])
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return
    messages.success(
        request, gettext("Status set to “%(status)s”.") % {"status": alert.get_status_display()}
    )


@alert_action
def alert_set_priority(request: HttpRequest, alert: Alert):
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a priority from 1 to 4."))
        return
    alert_update(alert=alert, by=request.user, priority=form.cleaned_data["priority"])
    messages.success(request, gettext("Priority set to P%(p)s.") % {"p": alert.priority})


class AssignForm(forms.Form):
    """Who the alert goes to: empty for oneself ("Take it myself"), else a colleague's id."""

    assignee = forms.ModelChoiceField(
        label=_("Give it to"), queryset=alert_assignees(), required=False
    )


@alert_action
def alert_assign(request: HttpRequest, alert: Alert):
    """Take the alert oneself (assigned to you, and others see you working on it) or give it to
    a colleague who works its area (your own claim on it ends: they work on it now)."""
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose someone who works this alert's area."))
        return
    assignee = form.cleaned_data["assignee"] or request.user
    mine = assignee.pk == request.user.pk
    try:
        assignment_check(alert, assignee)
        if mine:
            alert_claim(alert=alert, by=request.user)
        alert_update(alert=alert, by=request.user, assignee=assignee)
    except (AssignmentRefused, ClaimRefused) as exc:
        messages.error(request, str(exc))
        return
    if mine:
        messages.success(request, gettext("You took this alert: it is assigned to you."))
        return
    if alert.claimed_by_id == request.user.pk:
        alert_release(alert=alert, by=request.user)
    messages.success(
        request,
        gettext("Alert given to %(name)s.")
        % {"name": assignee.get_full_name() or assignee.get_username()},
    )


@alert_action
def alert_reply(request: HttpRequest, alert: Alert):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _alert_page(request, alert, reply_form=form)
    callback = status_callback_url(request.build_absolute_uri(reverse("twilio-status")))
    try:
        alert_reply_send(
            alert=alert,
            body=form.cleaned_data["body"],
            by=request.user,
            status_callback=callback,
            revealing_confirmed=form.cleaned_data["confirm_revealing"],
        )
    except RevealingRefused as exc:
        # The analyst decides: the page says which words, and offers to send it anyway.
        return _alert_page(request, alert, reply_form=form, revealing=exc.words)
    except SendRefused as exc:
        messages.error(request, str(exc))
        return _alert_page(request, alert, reply_form=form)
    messages.success(request, gettext("Reply queued for sending."))
