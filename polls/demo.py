"""Demo data for polls: one closed perception poll sent by SMS to CAN Oicha, with a dozen
answers that came in by SMS (through intake, as the focal points' texts do) and two field
interviews, so the results page has something to show.

Idempotent: the poll is known by its title; the answers carry fixed MessageSids.
"""

from django.contrib.auth.models import User

from alerts.channels.base import InboundSMS
from alerts.services import broadcast_fan_out, broadcast_recipient_send, inbound_receive
from networks.models import Location, Network

from .models import Conversation, Group, Poll
from .services import interview_record, poll_close, poll_create, poll_send, question_add

TITLE = "Perception de la sécurité à Oicha (démo)"
NETWORK_CODE = "can-oicha"
PLACE = "Oicha"
# Each respondent's answers by SMS: the first question (numbered), then the yes-or-no one
# ("" when they did not answer it). Seven people answer the first, five the second: twelve SMS.
SMS_ANSWERS = (("3", "2"), ("2", "2"), ("3", "1"), ("1", "1"), ("2", "2"), ("3", ""), ("2", ""))
INTERVIEWS = ((Group.WOMEN, "3", "2"), (Group.DISPLACED, "3", "2"))


def seed() -> int:
    """Returns 1 when it made the poll, 0 when it was there already (or no demo network)."""
    if Poll.objects.filter(title=TITLE).exists():
        return 0
    analyst = User.objects.filter(username="analyst").first()
    supervisor = User.objects.filter(username="supervisor").first()
    network = Network.objects.filter(code=NETWORK_CODE).first()
    place = Location.objects.filter(name=PLACE).exclude(kind="province").order_by("id").first()
    if analyst is None or supervisor is None or network is None or place is None:
        return 0
    poll = poll_create(title=TITLE, created_by=analyst)
    first = question_add(
        poll=poll,
        kind="choice",
        texts={
            "fr": "Depuis un mois, la sécurité dans votre village est :",
            "sw": "Tangu mwezi mmoja, usalama katika kijiji chenu ni:",
        },
        choices=[
            {"fr": "Meilleure", "sw": "Bora"},
            {"fr": "Pareille", "sw": "Sawa"},
            {"fr": "Pire", "sw": "Mbaya"},
        ],
    )
    second = question_add(
        poll=poll,
        kind="yes_no",
        texts={
            "fr": "Pouvez-vous aller au champ sans crainte ?",
            "sw": "Mnaweza kwenda shambani bila hofu?",
        },
    )
    poll_send(
        poll=poll, by=supervisor, network_ids=[network.pk], location_ids=[], focal_point_ids=[]
    )
    # As the workers would: the fan-out, then each recipient's SMS, which opens their
    # conversation (the queued tasks find the work done and do nothing).
    poll.refresh_from_db()
    broadcast_fan_out(broadcast_id=poll.broadcast_id)
    for pk in poll.broadcast.recipients.filter(state="waiting").values_list("pk", flat=True):
        broadcast_recipient_send(recipient_id=pk)
    conversations = list(
        Conversation.objects.filter(poll=poll, state=Conversation.State.OPEN)
        .select_related("focal_point")
        .order_by("id")
    )
    for number, (conversation, answers) in enumerate(zip(conversations, SMS_ANSWERS, strict=False)):
        for step, body in enumerate(answers):
            if body:
                _text_in(f"SMDEMOPOLL{number:03d}{step}", conversation.focal_point.phone, body)
    for group, one, two in INTERVIEWS:
        interview_record(
            poll=poll,
            by=User.objects.filter(username="cla").first() or analyst,
            group=group,
            location=place,
            answers={first.pk: one, second.pk: two},
        )
    poll_close(poll=poll, by=supervisor)
    return 1


def _text_in(sid: str, sender: str, body: str) -> None:
    """An answer by SMS, received as intake receives every text."""
    inbound_receive(
        sms=InboundSMS(
            provider_sid=sid,
            sender=sender,
            recipient="+15005550006",
            body=body,
            raw={"MessageSid": sid, "Body": body, "demo": "true"},
        )
    )
