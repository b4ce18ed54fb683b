"""Twilio webhooks. They do the minimum before answering: verify, store, queue."""

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from . import services
from .channels import twilio
from .channels.base import MalformedInbound
from .deadlines import database_deadline, install

log = logging.getLogger(__name__)
FORM_TYPE = "application/x-www-form-urlencoded"
# What a webhook meets when the database is down, hangs or drops the connection: it keeps the
# request in the spool and answers 200 (InterfaceError: a connection that broke).
DATABASE_DOWN = (DatabaseError, InterfaceError)

# Every process that serves webhooks waits on PostgreSQL with a deadline (alerts.deadlines).
install()


def _plain(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason + "\n", status=status, content_type="text/plain; charset=utf-8")


def twiml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


# The answer to most texts (no automatic reply), the same every time: built once.
NO_REPLY = str(MessagingResponse())


def twilio_webhook(view: Callable) -> Callable:
    """CSRF-exempt only because every request must carry a valid Twilio signature."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.content_type != FORM_TYPE:
            return _plain(415, f"Expected {FORM_TYPE}, got {request.content_type or 'nothing'}.")
        try:
            valid = twilio.signature_valid(request)
        except (RequestDataTooBig, TooManyFieldsSent):
            return _plain(413, "Request body too large for a Twilio webhook.")
        if not valid:
            log.warning(
                "webhook %s: refused a request with a missing or invalid X-Twilio-Signature "
                "from %s",
                request.path,
                request.META.get("REMOTE_ADDR", "?"),
            )
            return _plain(403, "Invalid or missing X-Twilio-Signature.")
        try:
            # Twilio waits 15 s; the database gets WEBHOOK_DB_TIMEOUT of them, in all.
            with database_deadline(settings.WEBHOOK_DB_TIMEOUT):
                return view(request, *args, **kwargs)
        except MalformedInbound as exc:
            return _plain(400, f"Malformed webhook: {exc}.")

    return wrapper


@twilio_webhook
def sms(request: HttpRequest) -> HttpResponse:
    inbound = twilio.parse_sms(request)
    try:
        result = services.inbound_receive(sms=inbound)
    except DATABASE_DOWN:
        # The database is down or did not answer in time: keep the verified request on disk
        # and still answer 200, so Twilio does not give up on it. The spool importer stores
        # it when the database is back.
        log.exception("sms webhook: database unavailable, spooling %s", inbound.provider_sid)
        services.spool_write(sms=inbound)
        return twiml(NO_REPLY)
    if not result.reply:
        return twiml(NO_REPLY)
    response = MessagingResponse()
    response.message(result.reply)
    return twiml(response)


@twilio_webhook
def status(request: HttpRequest) -> HttpResponse:
    update = twilio.parse_status(request)
    services.message_status_update(
        provider_sid=update.provider_sid, status=update.status, error_code=update.error_code
    )
    return HttpResponse(status=204)


# --- Voice ------------------------------------------------------------------------------------
def _base_url(request: HttpRequest) -> str:
    """The origin Twilio reaches us on, for the absolute URLs in TwiML."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@twilio_webhook
def voice(request: HttpRequest) -> HttpResponse:
    call = twilio.parse_call(request)
    try:
        return twiml(services.call_start(call=call, base_url=_base_url(request)))
    except DATABASE_DOWN:
        log.exception("voice webhook: database unavailable, spooling call %s", call.call_sid)
        services.spool_write_call(call=call, step="start")
        return twiml(services.voice_unavailable(reject=settings.VOICE_REJECT_MISSED_CALLS))


@twilio_webhook
def voice_language(request: HttpRequest) -> HttpResponse:
    call = twilio.parse_call(request)
    try:
        return twiml(services.call_language_choose(call=call, base_url=_base_url(request)))
    except DATABASE_DOWN:
        log.exception("voice language menu: database unavailable for call %s", call.call_sid)
        services.spool_write_call(call=call, step="menu")
        return twiml(services.voice_unavailable())


@twilio_webhook
def voice_category(request: HttpRequest) -> HttpResponse:
    call = twilio.parse_call(request)
    try:
        response = services.call_category_choose(
            call=call, language=request.GET.get("lang", ""), base_url=_base_url(request)
        )
    except DATABASE_DOWN:
        log.exception("voice category menu: database unavailable for call %s", call.call_sid)
        services.spool_write_call(call=call, step="menu")
        return twiml(services.voice_unavailable())
    return twiml(response)


@twilio_webhook
def voice_recording(request: HttpRequest) -> HttpResponse:
    call = twilio.parse_call(request)
    try:
        response = services.call_recording_complete(
            call=call,
            language=request.GET.get("lang", ""),
            category=request.GET.get("category", ""),
            base_url=_base_url(request),
        )
    except DATABASE_DOWN:
        log.exception("voice recording: database unavailable, spooling call %s", call.call_sid)
        services.spool_write_call(call=call, step="recording")
        return twiml(services.voice_unavailable())
    return twiml(response)


@twilio_webhook
def voice_status(request: HttpRequest) -> HttpResponse:
    call = twilio.parse_call(request)
    try:
        services.call_finished(call=call)
    except DATABASE_DOWN:
        log.exception("voice status: database unavailable, spooling call %s", call.call_sid)
        services.spool_write_call(call=call, step="status")
    return twiml(VoiceResponse())
