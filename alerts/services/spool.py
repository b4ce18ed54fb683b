"""When the database is down, the webhook spools the (already verified) request to disk,
encrypted, and answers 200; a periodic task imports the spool once the database is back."""

import json
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.crypto import decrypt, encrypt

from ..channels.base import InboundSMS

log = logging.getLogger(__name__)


def _spool_dir() -> Path:
    path = Path(settings.SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_write(*, sms: InboundSMS) -> Path:
    """Write atomically (temp file + rename) so the importer never reads half a file."""
    payload = {
        "kind": "sms",
        "provider_sid": sms.provider_sid,
        "sender": sms.sender,
        "recipient": sms.recipient,
        "body": sms.body,
        "segments": sms.segments,
        "media_urls": list(sms.media_urls),
        "raw": sms.raw,
        "received_at": timezone.now().isoformat(),
    }
    folder = _spool_dir()
    name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    tmp = folder / f".{name}.tmp"
    tmp.write_text(encrypt(json.dumps(payload, ensure_ascii=False)), encoding="utf-8")
    os.replace(tmp, folder / f"{name}.spool")
    return folder / f"{name}.spool"


def _read(path: Path) -> InboundSMS:
    data = json.loads(decrypt(path.read_text(encoding="utf-8")))
    return InboundSMS(
        provider_sid=data["provider_sid"],
        sender=data["sender"],
        recipient=data.get("recipient", ""),
        body=data.get("body", ""),
        segments=int(data.get("segments") or 1),
        media_urls=tuple(data.get("media_urls") or ()),
        raw=data.get("raw") or {},
        received_at=parse_datetime(data["received_at"]) if data.get("received_at") else None,
    )


def spool_import() -> int:
    """Import spooled messages oldest first; a MessageSid already stored creates nothing."""
    from .inbound import inbound_receive

    imported = 0
    for path in sorted(_spool_dir().glob("*.spool")):
        try:
            sms = _read(path)
        except Exception:  # unreadable (wrong key, corrupt): keep it aside, never delete it
            log.exception("spool: cannot read %s; moved aside for a person to look at", path.name)
            path.rename(path.with_suffix(".bad"))
            continue
        try:
            inbound_receive(sms=sms)
        except DatabaseError:
            log.warning("spool: database still unavailable; %s stays spooled", path.name)
            break
        path.unlink()
        imported += 1
    if imported:
        log.info("spool: imported %s message(s)", imported)
    return imported
