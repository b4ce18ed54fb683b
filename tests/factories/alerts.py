"""Alerts and the messages around them."""

import datetime as dt

import factory
from django.utils import timezone

from alerts.models import Alert, Message
from core.crypto import lookup_hash

from .networks import next_phone

TEXT = "Hommes armés vus près du marché"
# Sources whose alerts come from a phone number (kept, encrypted, with its lookup hash).
FROM_A_NUMBER = (Alert.Source.SMS, Alert.Source.VOICE, Alert.Source.MISSED_CALL)


def _sender(alert) -> str:
    if alert.source not in FROM_A_NUMBER:
        return ""
    return alert.reporter.phone if alert.reporter else next_phone()


def _hash(number: str) -> str:
    return lookup_hash(number) if number else ""


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert as intake leaves it: new, from the number of `reporter` when given, else from a
    number nobody registered (each alert its own). `triaged=True`: as triage leaves it."""

    class Meta:
        model = Alert

    class Params:
        triaged = factory.Trait(
            status=Alert.Status.TRIAGED,
            priority=2,
            triaged_at=factory.LazyAttribute(lambda a: a.received_at + dt.timedelta(seconds=2)),
        )

    source = Alert.Source.SMS
    status = Alert.Status.NEW
    text = TEXT
    received_at = factory.LazyFunction(timezone.now)
    reporter = None
    sender_known = factory.LazyAttribute(lambda a: a.reporter is not None)
    sender = factory.LazyAttribute(_sender)
    sender_hash = factory.LazyAttribute(lambda a: _hash(a.sender))


def _peer(message) -> str:
    if message.focal_point is not None:
        return message.focal_point.phone
    if message.alert is not None and message.alert.sender:
        return message.alert.sender
    return next_phone()


class MessageFactory(factory.django.DjangoModelFactory):
    """An SMS a reporter sent (on `alert` when given, from its number); `reply=True`: an
    analyst's answer to it."""

    class Meta:
        model = Message

    class Params:
        reply = factory.Trait(
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.REPLY,
            status=Message.Status.SENT,
            body="Bien reçu, mettez-vous à l’abri.",
        )

    alert = None
    direction = Message.Direction.INBOUND
    kind = Message.Kind.ALERT
    status = Message.Status.RECEIVED
    body = factory.LazyAttribute(lambda m: m.alert.text if m.alert else TEXT)
    focal_point = factory.LazyAttribute(lambda m: m.alert.reporter if m.alert else None)
    peer = factory.LazyAttribute(_peer)
    peer_hash = factory.LazyAttribute(lambda m: _hash(m.peer))
    provider_sid = factory.Sequence(lambda n: f"SM{n:032x}")
    created_at = factory.LazyFunction(timezone.now)
