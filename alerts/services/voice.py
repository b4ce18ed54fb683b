"""Voice intake: the call menu (TwiML), voice alerts and missed calls ("bips").

A call opens its alert at once (source voice, not yet triaged); the recording completes it
and queues triage. A call that ends without a recording becomes a missed-call alert (someone
calls back), through Twilio's call-status callback or, if that never comes, the sweeper. With
VOICE_REJECT_MISSED_CALLS, calls from known focal points are rejected (free for them) and open
a missed-call alert at once; more bips within MISSED_CALL_JOIN_WINDOW join that alert.
"""

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from twilio.twiml import TwiML
from twilio.twiml.voice_response import VoiceResponse

from core.crypto import lookup_hash
from networks import selectors as network_selectors
from networks.models import FocalPoint
from networks.phones import normalise_sender

from ..channels.base import InboundCall, MalformedInbound
from ..constants import (
    CALL_FINAL_STATUSES,
    MISSED_CALL_JOIN_WINDOW,
    MISSED_CALL_PRIORITY,
    VOICE_CATEGORY_DIGITS,
    VOICE_DEFAULT_LANGUAGE,
    VOICE_GATHER_TIMEOUT,
    VOICE_LANGUAGE_DIGITS,
    VOICE_MAX_RECORDING,
    VOICE_RECORDING_SILENCE,
    VOICE_SAY_LANGUAGES,
)
from ..models import Alert, VoicePrompt
from .alerts import enqueue_triage, unrecorded_calls_mark_missed
from .provider_copies import recording_register
from .texts import cached

# Said when the database cannot be reached: the prompts themselves live in the database.
SORRY = _("Sorry, Kengele cannot take your call right now. Please send an SMS or call again.")


@dataclass(frozen=True)
class Caller:
    number: str
    number_hash: str
    focal_point: FocalPoint | None

    @property
    def language(self) -> str:
        return voice_language(self.focal_point.language if self.focal_point else "")


def voice_language(value: str | None) -> str:
    """A menu language (fr, sw, ln, en), French when unknown."""
    return value if value in VOICE_LANGUAGE_DIGITS.values() else VOICE_DEFAULT_LANGUAGE


def _caller(call: InboundCall) -> Caller:
    number = normalise_sender(call.caller)
    number_hash = lookup_hash(number)
    return Caller(
        number=number,
        number_hash=number_hash,
        focal_point=network_selectors.focal_point_by_hash(number_hash),
    )


def voice_prompts() -> dict[tuple[str, str], VoicePrompt]:
    """The admin-editable prompts, cached briefly per process like the other intake texts."""
    return cached(
        "voice_prompts", lambda: {(p.key, p.language): p for p in VoicePrompt.objects.all()}
    )


# --- The menu ---------------------------------------------------------------------------------
class _Menu:
    """TwiML for the call menu, from the admin-editable prompts (loaded once per request)."""

    def __init__(self, *, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.prompts = voice_prompts()

    def _absolute(self, url: str) -> str:
        return url if url.startswith(("https://", "http://")) else self.base_url + url

    def _url(self, name: str, **query: str) -> str:
        query = {key: value for key, value in query.items() if value}
        return self._absolute(reverse(name)) + (f"?{urlencode(query)}" if query else "")

    def prompt(self, verb: TwiML, key: str, language: str) -> None:
        """Play the uploaded recording; else Twilio says the text (French, English) or plays the
        shipped placeholder (Swahili, Lingala, which Twilio cannot speak)."""
        prompt = self.prompts.get((key, language))
        if prompt is not None and prompt.audio:
            verb.play(self._absolute(prompt.audio.url))
        elif language in VOICE_SAY_LANGUAGES:
            if prompt is not None and prompt.text.strip():
                verb.say(prompt.text, language=VOICE_SAY_LANGUAGES[language])
        else:
            verb.play(self._absolute(static(f"voice/{language}-{key}.wav")))

    def language_menu(self, response: VoiceResponse) -> None:
        gather = response.gather(
            num_digits=1,
            action=self._url("twilio-voice-language"),
            method="POST",
            timeout=VOICE_GATHER_TIMEOUT,
        )
        for language in VOICE_LANGUAGE_DIGITS.values():  # each option in its own language
            self.prompt(gather, "language_menu", language)
        # No digit pressed: Twilio goes on to the next verb, the menu in French.
        self.category_menu(response, VOICE_DEFAULT_LANGUAGE)

    def category_menu(self, response: VoiceResponse, language: str) -> None:
        gather = response.gather(
            num_digits=1,
            action=self._url("twilio-voice-category", lang=language),
            method="POST",
            timeout=VOICE_GATHER_TIMEOUT,
        )
        self.prompt(gather, "category_menu", language)
        # No digit pressed: Twilio goes on to the recording all the same.
        self.record(response, language)

    def record(self, response: VoiceResponse, language: str, category: str = "") -> None:
        self.prompt(response, "record", language)
        response.record(
            action=self._url("twilio-voice-recording", lang=language, category=category),
            method="POST",
            max_length=VOICE_MAX_RECORDING,
            timeout=VOICE_RECORDING_SILENCE,
            finish_on_key="#",  # only '#': a digit pressed while speaking must not cut it short
            play_beep=True,
        )
        # Reached only when nothing was recorded (Twilio then skips the action URL); the
        # call-status callback turns the alert into a missed call.
        self.goodbye(response, language)

    def goodbye(self, response: VoiceResponse, language: str) -> None:
        self.prompt(response, "thanks", language)
        response.hangup()


def voice_unavailable(*, reject: bool = False) -> VoiceResponse:
    """The answer when the database is down: a rejected call (free for the caller) or a short
    apology, in French when translated, and in English."""
    response = VoiceResponse()
    if reject:
        response.reject(reason="busy")
        return response
    with translation.override("en"):
        english = str(SORRY)
    with translation.override("fr"):
        french = str(SORRY)
    if french != english:
        response.say(french, language=VOICE_SAY_LANGUAGES["fr"])
    response.say(english, language=VOICE_SAY_LANGUAGES["en"])
    response.hangup()
    return response


# --- Alerts -------------------------------------------------------------------------------------
def _voice_alert(*, call: InboundCall, caller: Caller) -> Alert:
    """The call's alert, opened on the first webhook of the call. CallSid is unique, so Twilio
    retrying (even at the same moment) never makes a second one."""
    alert, _ = Alert.objects.select_for_update().get_or_create(
        call_sid=call.call_sid,
        defaults={
            "source": Alert.Source.VOICE,
            "reporter": caller.focal_point,
            "sender_known": caller.focal_point is not None,
            "sender": caller.number,
            "sender_hash": caller.number_hash,
        },
    )
    return alert


def _missed_call(*, call: InboundCall, caller: Caller, now: dt.datetime) -> tuple[Alert, bool]:
    """The missed-call alert for this call: the one it already made (Twilio retrying), the
    caller's recent one (bips within the join window make one alert), or a new one."""
    same_call = Alert.objects.filter(call_sid=call.call_sid).first()
    if same_call is not None:
        return same_call, False
    recent = (
        Alert.objects.filter(
            sender_hash=caller.number_hash,
            source=Alert.Source.MISSED_CALL,
            received_at__gte=now - MISSED_CALL_JOIN_WINDOW,
            callback_done_at__isnull=True,
        )
        .exclude(status__in=[Alert.Status.CLOSED, Alert.Status.DISMISSED])
        .order_by("-received_at")
        .first()
    )
    if recent is not None:
        return recent, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                source=Alert.Source.MISSED_CALL,
                priority=MISSED_CALL_PRIORITY,
                callback_requested_at=now,
                call_sid=call.call_sid,
                reporter=caller.focal_point,
                sender_known=caller.focal_point is not None,
                sender=caller.number,
                sender_hash=caller.number_hash,
                received_at=now,
            )
    except IntegrityError:  # the same call delivered twice at the same moment
        return Alert.objects.get(call_sid=call.call_sid), False
    transaction.on_commit(lambda: enqueue_triage(alert.pk))
    return alert, True


def call_start(*, call: InboundCall, base_url: str) -> VoiceResponse:
    """A call comes in: open its alert (triaged once recorded) and answer with the menu, or, for
    a known focal point when VOICE_REJECT_MISSED_CALLS is on, reject it as a missed call."""
    response = VoiceResponse()
    with transaction.atomic():
        caller = _caller(call)
        if settings.VOICE_REJECT_MISSED_CALLS and caller.focal_point is not None:
            _missed_call(call=call, caller=caller, now=timezone.now())
            response.reject(reason="busy")  # busy: the caller is not charged and may retry
            return response
        _voice_alert(call=call, caller=caller)
        menu = _Menu(base_url=base_url)
        if caller.focal_point is not None:
            menu.prompt(response, "greeting", caller.language)
            menu.category_menu(response, caller.language)
        else:
            menu.language_menu(response)
    return response


def call_language_choose(*, call: InboundCall, base_url: str) -> VoiceResponse:
    """An unknown caller pressed a language digit: the category menu in that language."""
    language = VOICE_LANGUAGE_DIGITS.get(call.digits, VOICE_DEFAULT_LANGUAGE)
    response = VoiceResponse()
    _Menu(base_url=base_url).category_menu(response, language)
    return response


def call_category_choose(*, call: InboundCall, language: str, base_url: str) -> VoiceResponse:
    """The caller pressed a category digit: keep it as the alert's hint, then record."""
    language = voice_language(language)
    category = VOICE_CATEGORY_DIGITS.get(call.digits, "")
    response = VoiceResponse()
    with transaction.atomic():
        alert = _voice_alert(call=call, caller=_caller(call))
        if category and alert.status == Alert.Status.NEW:
            Alert.objects.filter(pk=alert.pk).update(category_hint=category)
        _Menu(base_url=base_url).record(response, language, category=category)
    return response


def call_recording_complete(
    *, call: InboundCall, language: str, category: str = "", base_url: str
) -> VoiceResponse:
    """The recording is done: complete the call's alert (recording, length, keypad category),
    register the recording to be kept here (provider_copies), and queue both triage and the
    recording's fetch after commit. Twilio retrying makes no second alert and no second task."""
    if not call.recording_url:
        raise MalformedInbound("RecordingUrl is missing")
    language = voice_language(language)
    if category not in VOICE_CATEGORY_DIGITS.values():
        # Digits here is normally the key that ended the recording ('#', 'hangup').
        category = VOICE_CATEGORY_DIGITS.get(call.digits, "")
    response = VoiceResponse()
    with transaction.atomic():
        alert = _voice_alert(call=call, caller=_caller(call))
        first_recording = not alert.recording_url
        fields = {
            "recording_url": call.recording_url,
            "recording_duration": call.recording_duration,
            "category_hint": category or alert.category_hint,
        }
        # The call-status callback may have come first and made it a missed call, possibly
        # already triaged as one: it was a voice report after all, so triage it again as long
        # as no analyst has taken it up.
        retriage = first_recording and alert.status in (Alert.Status.NEW, Alert.Status.TRIAGED)
        if retriage:
            fields.update(
                source=Alert.Source.VOICE,
                status=Alert.Status.NEW,
                priority=None,
                callback_requested_at=None,
            )
        Alert.objects.filter(pk=alert.pk).update(**fields)
        recording_register(alert=alert, url=call.recording_url)
        if retriage:
            transaction.on_commit(lambda: enqueue_triage(alert.pk))
        _Menu(base_url=base_url).goodbye(response, language)
    return response


def call_finished(*, call: InboundCall) -> Alert | None:
    """Twilio's call-status callback: a call that ended without a recording becomes a
    missed-call alert (call back requested) and is queued for triage. Never nothing: a call we
    have no alert for (its first webhook failed) opens or joins a missed-call alert."""
    if call.status not in CALL_FINAL_STATUSES:
        return None
    now = timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(call_sid=call.call_sid).first()
        if alert is None:
            alert, _ = _missed_call(call=call, caller=_caller(call), now=now)
            return alert
        if unrecorded_calls_mark_missed(alerts=Alert.objects.filter(pk=alert.pk), at=now):
            transaction.on_commit(lambda: enqueue_triage(alert.pk))
            alert.refresh_from_db()
    return alert


def call_spooled(*, call: InboundCall, step: str) -> Alert | None:
    """Import a voice webhook that was spooled while the database was down: a recording
    completes the call's alert; any other step leaves at least a missed-call alert."""
    if step == "recording" and call.recording_url:
        call_recording_complete(call=call, language="", base_url="")
        return Alert.objects.filter(call_sid=call.call_sid).first()
    return call_finished(call=replace(call, status="completed"))
