"""What exporting and importing share: archive-local ids, users by username, row errors.

An archive never carries database ids: each row gets an id local to the archive (1, 2, 3… per
kind), references between rows use those, and users are named by username. Import maps each
local id to the row it created (or found) in the receiving database.
"""

import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Model
from django.utils.translation import gettext as _

from core.roles import CLA

Row = dict[str, Any]


class HandoverError(Exception):
    """What is wrong with an archive or with importing it. Nothing was imported."""


class PassphraseError(HandoverError):
    """A passphrase is missing, or given for an archive that has none."""


@dataclass(frozen=True)
class Kind:
    """One kind of row in the archive (one `<name>.jsonl` file) and how each side handles it.

    `dump` yields the rows to export; `check` lists conflicts with the receiving database before
    anything is written; `load` creates the rows, in the order kinds are listed.
    """

    name: str
    dump: Callable[["ExportContext"], Iterable[Row]]
    load: Callable[["ImportContext"], None]
    check: Callable[["ImportContext"], list[str]] | None = None


# --- Export ----------------------------------------------------------------------------------


class ExportContext:
    """Gives each exported row its archive-local id, and collects the users rows refer to."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[int, int]] = defaultdict(dict)
        self.users: dict[int, User] = {}
        self.clas: set[int] = set()

    def local_id(self, kind: str, pk: int) -> int:
        """The archive id of a row being exported (the next free one the first time)."""
        ids = self._ids[kind]
        return ids.setdefault(pk, len(ids) + 1)

    def has(self, kind: str, pk: int | None) -> bool:
        return pk is not None and pk in self._ids[kind]

    def ref(self, kind: str, pk: int | None) -> int | None:
        """The archive id of a row exported earlier; None for no row."""
        if pk is None:
            return None
        return self._ids[kind][pk]

    def refs(self, kind: str, pks: Iterable[int]) -> list[int]:
        return sorted(self._ids[kind][pk] for pk in pks)

    def pks(self, kind: str) -> list[int]:
        """The database ids exported as `kind` (for the audit trail)."""
        return sorted(self._ids[kind])

    def user(self, user: User | None, *, cla: bool = False) -> str | None:
        """A user's username, remembering them for the users file. `cla`: they work as a CLA."""
        if user is None:
            return None
        self.users[user.pk] = user
        if cla:
            self.clas.add(user.pk)
        return user.get_username()


def dump_users(ctx: ExportContext) -> Iterator[Row]:
    """The users other rows named, last to be dumped and first to be loaded."""
    in_cla_role = set(
        User.objects.filter(pk__in=ctx.users, groups__name=CLA).values_list("pk", flat=True)
    )
    for user in sorted(ctx.users.values(), key=lambda u: u.get_username()):
        yield {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "cla": user.pk in ctx.clas or user.pk in in_cla_role,
        }


# --- Import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    counts: dict[str, int] = field(default_factory=dict)  # rows read per kind
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    users_created: list[str] = field(default_factory=list)
    users_found: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""
    archive_created_at: str = ""
    dry_run: bool = False


class ImportContext:
    """The archive's rows, the objects created for them so far, and the report."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.tables = tables
        self.objects: dict[str, dict[int, Model]] = defaultdict(dict)
        self.users: dict[str, User] = {}
        self.report = ImportReport(counts={kind: len(rows) for kind, rows in tables.items()})
        # Focal points found in the receiving database: archive id -> the existing row.
        self.matched: dict[int, Model] = {}

    def rows(self, kind: str) -> Iterator[tuple[int, Row]]:
        """(line number, row) for each row of `kind`, numbered as in its file."""
        yield from enumerate(self.tables.get(kind, []), start=1)

    @contextmanager
    def row(self, kind: str, line: int) -> Iterator[None]:
        """Turn whatever goes wrong with one row into an error naming its file and line."""
        try:
            yield
        except HandoverError as exc:
            raise HandoverError(row_where(kind, line) + str(exc)) from exc
        except ValidationError as exc:
            raise HandoverError(row_where(kind, line) + validation_text(exc)) from exc
        except KeyError as exc:
            raise HandoverError(
                row_where(kind, line) + _("the field %(field)s is missing.") % {"field": exc}
            ) from exc
        except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise HandoverError(
                row_where(kind, line) + _("a value is not valid (%(error)s).") % {"error": exc}
            ) from exc
        except DatabaseError as exc:
            raise HandoverError(
                row_where(kind, line)
                + _("the database refused it (%(error)s).") % {"error": str(exc).strip()}
            ) from exc

    def put(self, kind: str, local_id: Any, obj: Model) -> None:
        local_id = archive_id(local_id)
        if local_id in self.objects[kind]:
            raise HandoverError(_("the id %(id)s appears twice.") % {"id": local_id})
        self.objects[kind][local_id] = obj

    def get(self, kind: str, local_id: Any) -> Model:
        """The object created for an archive id of `kind`; an unknown id is an error."""
        try:
            return self.objects[kind][archive_id(local_id)]
        except KeyError:
            raise HandoverError(
                _("it refers to %(kind)s %(id)s, which the archive does not contain.")
                % {"kind": kind, "id": local_id}
            ) from None

    def get_optional(self, kind: str, local_id: Any) -> Model | None:
        return None if local_id is None else self.get(kind, local_id)

    def get_many(self, kind: str, local_ids: Any) -> list[Model]:
        if not isinstance(local_ids, list):
            raise HandoverError(_("a list of %(kind)s is expected.") % {"kind": kind})
        return [self.get(kind, local_id) for local_id in local_ids]

    def user(self, username: Any) -> User | None:
        """The user a row names (created or found by the users file); None for nobody."""
        if username is None:
            return None
        try:
            return self.users[username]
        except (KeyError, TypeError):
            raise HandoverError(
                _("it names the user %(username)s, who is not in the users file.")
                % {"username": username}
            ) from None


def row_where(kind: str, line: int) -> str:
    return _("%(file)s, line %(line)s: ") % {"file": f"{kind}.jsonl", "line": line}


def validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


# --- Values as the archive writes them -------------------------------------------------------


def archive_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise HandoverError(_("%(value)r is not an archive id.") % {"value": value})
    return value


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def number(value: decimal.Decimal | None) -> str | None:
    return None if value is None else str(value)


def to_date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def to_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(_("a moment without its time zone: %(value)s") % {"value": value})
    return moment


def to_decimal(value: Any) -> decimal.Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(_("a number is written as text: %(value)r") % {"value": value})
    return decimal.Decimal(value)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("text is expected, not %(value)r") % {"value": value})
    return value


def keep_created_at(obj: Model, value: Any) -> None:
    """Give a row the creation time it had at the source (auto_now_add sets it to now)."""
    moment = to_datetime(value)
    if moment is not None:
        type(obj)._default_manager.filter(pk=obj.pk).update(created_at=moment)
        obj.created_at = moment
