"""When the database is down, the webhook spools the (already verified) request to disk,
encrypted, and answers 200; a periodic task imports the spool once the database is back."""

import json
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.crypto import decrypt, encrypt

from ..channels.base import InboundCall, InboundSMS
from .queueing import publish_flush

log = logging.getLogger(__name__)


def _spool_dir() -> Path:
    path = Path(settings.SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_write(*, sms: InboundSMS) -> Path:
    return _write(
        {
            "kind": "sms",
            "provider_sid": sms.provider_sid,
            "sender": sms.sender,
            "recipient": sms.recipient,
            "body": sms.body,
            "segments": sms.segments,
            "media_urls": list(sms.media_urls),
            "raw": sms.raw,
        }
    )


def spool_write_call(*, call: InboundCall, step: str) -> Path:
    """A voice webhook met a database outage: keep the call, so it still leaves an alert
    (a voice alert if it has a recording, else a missed call to return)."""
    return _write(
        {
            "kind": "call",
            "step": step,
            "call_sid": call.call_sid,
            "caller": call.caller,
            "recipient": call.recipient,
            "recording_url": call.recording_url,
            "recording_duration": call.recording_duration,
            "digits": call.digits,
            "raw": call.raw,
        }
    )


def _write(payload: dict) -> Path:
    """Write atomically (temp file + rename) so the importer never reads half a file."""
    payload["received_at"] = timezone.now().isoformat()
    folder = _spool_dir()
    name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    tmp = folder / f".{name}.tmp"
    tmp.write_text(encrypt(json.dumps(payload, ensure_ascii=False)), encoding="utf-8")
    os.replace(tmp, folder / f"{name}.spool")
    return folder / f"{name}.spool"


def _read(path: Path) -> dict:
    return json.loads(decrypt(path.read_text(encoding="utf-8")))


def _sms(data: dict) -> InboundSMS:
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


def _call(data: dict) -> InboundCall:
    return InboundCall(
        call_sid=data["call_sid"],
        caller=data["caller"],
        recipient=data.get("recipient", ""),
        digits=data.get("digits", ""),
        recording_url=data.get("recording_url", ""),
        recording_duration=data.get("recording_duration"),
        raw=data.get("raw") or {},
    )


def _import_one(data: dict) -> None:
    from .inbound import inbound_receive
    from .voice import call_spooled

    if data.get("kind") == "call":
        call_spooled(call=_call(data), step=data.get("step", ""))
    else:
        inbound_receive(sms=_sms(data))


def _set_aside(path: Path, reason: str) -> None:
    log.exception("spool: %s %s; moved aside for a person to look at", reason, path.name)
    path.rename(path.with_suffix(".bad"))


def spool_import() -> int:
    """Import spooled requests oldest first; one already stored creates nothing (MessageSid and
    CallSid are unique). Stops while the database is still unreachable; a file that can never
    be imported is moved aside so it does not hold up the others."""
    imported = 0
    for path in sorted(_spool_dir().glob("*.spool")):
        try:
            data = _read(path)
        except Exception:  # unreadable (wrong key, corrupt)
            _set_aside(path, "cannot read")
            continue
        try:
            _import_one(data)
        except (OperationalError, InterfaceError):
            log.warning("spool: database still unavailable; %s stays spooled", path.name)
            break
        except Exception:  # bad data the database will never take: don't block the rest
            _set_aside(path, "cannot import")
            continue
        path.unlink(missing_ok=True)  # another importer may have finished it first
        imported += 1
    # The importer runs in a worker or a command, not a web process: the triage of what it
    # stored goes out now rather than with a thread that may not outlive the task.
    publish_flush()
    if imported:
        log.info("spool: imported %s request(s)", imported)
    return imported
