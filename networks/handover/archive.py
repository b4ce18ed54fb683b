"""The handover archive as a file: a zip holding a small header and the payload.

    handover.zip
    ├── kengele-handover.json   header: format, version, how the payload is encrypted
    └── payload.zip.fernet      the payload, encrypted (payload.zip with --unencrypted)
        ├── manifest.json       version, created_at, source, counts per kind, sha256 per file
        ├── users.jsonl         one JSON object per line…
        └── places.jsonl, networks.jsonl, focal_points.jsonl, …

The payload is encrypted whole with Fernet (AES-128-CBC and HMAC-SHA256), under a key derived
from a passphrase with scrypt. The header keeps the salt and scrypt's costs, and a short token
encrypted under the same key: it tells a wrong passphrase apart from an altered payload.
"""

import base64
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.translation import gettext as _

from .context import HandoverError, PassphraseError, Row

FORMAT = "kengele-handover"
FORMAT_VERSION = 1
HEADER_NAME = "kengele-handover.json"
PAYLOAD_ENCRYPTED = "payload.zip.fernet"
PAYLOAD_CLEAR = "payload.zip"
MANIFEST_NAME = "manifest.json"
# What the key check token holds once decrypted.
KEY_CHECK = b"kengele-handover-key-check"
# scrypt's costs for new archives (about 0.1 s and 32 MiB), and the range an archive may ask
# for: anything above would let a crafted header exhaust the importer's memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_N_RANGE = (2**14, 2**20)
SALT_BYTES = 16
# The largest file, and the largest member once uncompressed, an import reads.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_MEMBER_BYTES = 1024 * 1024 * 1024


@dataclass
class Payload:
    manifest: dict[str, Any]
    tables: dict[str, list[Row]]
    encrypted: bool


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _jsonl(rows: list[Row]) -> bytes:
    lines = (json.dumps(row, ensure_ascii=False, default=_json_default) for row in rows)
    return "".join(f"{line}\n" for line in lines).encode()


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())
    return base64.urlsafe_b64encode(derived)


def archive_build(
    *, tables: dict[str, list[Row]], source: str, created_at: dt.datetime, passphrase: str | None
) -> bytes:
    """The archive's bytes; `passphrase` None writes the payload in clear."""
    files = {f"{kind}.jsonl": _jsonl(rows) for kind, rows in tables.items()}
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "source": source,
        "kinds": list(tables),
        "counts": {kind: len(rows) for kind, rows in tables.items()},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as payload:
        payload.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in files.items():
            payload.writestr(name, data)
    header: dict[str, Any] = {"format": FORMAT, "version": FORMAT_VERSION, "encryption": None}
    if passphrase is None:
        payload_name, payload_bytes = PAYLOAD_CLEAR, inner.getvalue()
    else:
        salt = os.urandom(SALT_BYTES)
        fernet = Fernet(_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
        header["encryption"] = {
            "cipher": "fernet",
            "kdf": "scrypt",
            "salt": base64.b64encode(salt).decode(),
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "check": fernet.encrypt(KEY_CHECK).decode(),
        }
        payload_name, payload_bytes = PAYLOAD_ENCRYPTED, fernet.encrypt(inner.getvalue())
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(HEADER_NAME, json.dumps(header, indent=2))
        archive.writestr(payload_name, payload_bytes)
    return outer.getvalue()


# --- Reading ---------------------------------------------------------------------------------


def _corrupt(detail: Any) -> HandoverError:
    return HandoverError(
        _("The archive is corrupt or was altered (%(detail)s). Nothing was imported.")
        % {"detail": detail}
    )


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _corrupt(_("%(name)s is missing") % {"name": name}) from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise _corrupt(_("%(name)s is too large") % {"name": name})
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _corrupt(exc) from exc
    except NotImplementedError as exc:  # a compression method zipfile cannot read
        raise _corrupt(exc) from exc


def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise HandoverError(
            _("%(what)s is not a readable zip file (%(error)s).") % {"what": what, "error": exc}
        ) from exc


def _check_version(document: Any, what: str) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HandoverError(
            _("This is not a Kengele handover archive (%(what)s).") % {"what": what}
        )
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise HandoverError(
            _(
                "The archive is in format version %(version)s; this Kengele reads version "
                "%(known)s only. Nothing was imported."
            )
            % {"version": version, "known": FORMAT_VERSION}
        )


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _corrupt(_("%(what)s is not valid JSON") % {"what": what}) from exc


def _decrypt(encryption: Any, payload: bytes, passphrase: str | None) -> bytes:
    if passphrase is None:
        raise PassphraseError(_("The archive is encrypted: its passphrase is needed."))
    try:
        salt = base64.b64decode(encryption["salt"], validate=True)
        n, r, p = (encryption[name] for name in ("n", "r", "p"))
        if (
            encryption["cipher"] != "fernet"
            or encryption["kdf"] != "scrypt"
            or not all(
                isinstance(value, int) and not isinstance(value, bool) for value in (n, r, p)
            )
            or not SCRYPT_N_RANGE[0] <= n <= SCRYPT_N_RANGE[1]
            or (r, p) != (SCRYPT_R, SCRYPT_P)
            or len(salt) < SALT_BYTES
        ):
            raise ValueError("unsupported encryption parameters")
        fernet = Fernet(_key(passphrase, salt, n, r, p))
        check = encryption["check"].encode()
    except (KeyError, TypeError, ValueError, AttributeError, UnsupportedAlgorithm) as exc:
        raise _corrupt(_("the header's encryption settings are not valid")) from exc
    try:
        if fernet.decrypt(check) != KEY_CHECK:
            raise InvalidToken
    except InvalidToken:
        raise HandoverError(
            _("Wrong passphrase: the archive cannot be decrypted with it. Nothing was imported.")
        ) from None
    try:
        return fernet.decrypt(payload)
    except InvalidToken:
        raise _corrupt(_("the encrypted payload fails its integrity check")) from None


def archive_read(data: bytes, *, passphrase: str | None) -> Payload:
    """Open, decrypt and verify an archive: version, checksums and counts, every line JSON.

    Raises HandoverError saying what is wrong.
    """
    outer = _open_zip(data, _("The file"))
    with outer:
        header = _json(_read_member(outer, HEADER_NAME), HEADER_NAME)
        _check_version(header, HEADER_NAME)
        encryption = header.get("encryption")
        if encryption is None:
            if passphrase is not None:
                # Only the passphrase shows who made an archive: a clear one could be anyone's.
                raise PassphraseError(
                    _(
                        "The archive is not encrypted, though a passphrase was given: nothing "
                        "shows it comes from whoever knows the passphrase. Import it without a "
                        "passphrase only if you trust where it comes from."
                    )
                )
            inner_bytes = _read_member(outer, PAYLOAD_CLEAR)
        else:
            inner_bytes = _decrypt(encryption, _read_member(outer, PAYLOAD_ENCRYPTED), passphrase)
    inner = _open_zip(inner_bytes, _("The payload"))
    with inner:
        manifest = _json(_read_member(inner, MANIFEST_NAME), MANIFEST_NAME)
        _check_version(manifest, MANIFEST_NAME)
        tables = _tables(inner, manifest)
    return Payload(manifest=manifest, tables=tables, encrypted=encryption is not None)


def _tables(inner: zipfile.ZipFile, manifest: dict[str, Any]) -> dict[str, list[Row]]:
    kinds, counts, files = (manifest.get(key) for key in ("kinds", "counts", "files"))
    if not (
        isinstance(kinds, list)
        and all(isinstance(kind, str) for kind in kinds)
        and isinstance(counts, dict)
        and isinstance(files, dict)
    ):
        raise _corrupt(_("the manifest is incomplete"))
    expected = {f"{kind}.jsonl" for kind in kinds}
    present = set(inner.namelist()) - {MANIFEST_NAME}
    if expected != present or set(files) != expected:
        raise _corrupt(_("the files do not match the manifest"))
    tables: dict[str, list[Row]] = {}
    for kind in kinds:
        name = f"{kind}.jsonl"
        data = _read_member(inner, name)
        if hashlib.sha256(data).hexdigest() != files[name]:
            raise _corrupt(_("the checksum of %(name)s does not match") % {"name": name})
        rows = [_json(line, name) for line in data.splitlines() if line.strip()]
        if any(not isinstance(row, dict) for row in rows):
            raise _corrupt(_("%(name)s holds something else than objects") % {"name": name})
        if counts.get(kind) != len(rows):
            raise _corrupt(_("%(name)s does not hold the count of rows announced") % {"name": name})
        tables[kind] = rows
    return tables
