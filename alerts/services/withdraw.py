"""Texts taken out of the general tables: a confidential report's messages keep their place in
the thread (and their provider id, so the provider's copy is still deleted) but neither their
words nor who sent them; the text lives on only where its route put it."""

from ..models import Alert, Message


def alert_messages_withdraw(*, alert: Alert, text: str) -> int:
    """Replace the inbound messages of `alert` with `text` (the stub's), without number,
    sender, provider request or media. Inside the caller's transaction; gives the count."""
    return Message.objects.filter(alert_id=alert.pk, direction=Message.Direction.INBOUND).update(
        body=text, peer="", peer_hash="", focal_point=None, raw=None, media_urls=[]
    )
