"""Reads for the networks app, with the joins decided once."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from core.crypto import lookup_hash

from .models import Equipment, FocalPoint, Location, Membership, Network
from .phones import normalise_phone
from .text import fold

# Something a person types when looking for a phone number rather than a name.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{6,}$")


def focal_point_by_phone(phone: str) -> FocalPoint | None:
    """The focal point owning this number (main or second phone), found through its keyed hash."""
    try:
        e164 = normalise_phone(phone)
    except Exception:  # an unparseable sender is simply unknown
        e164 = (phone or "").strip()
    if not e164:
        return None
    return focal_point_by_hash(lookup_hash(e164))


# Hand-written because it runs on every inbound SMS and call, where building the query costs
# more than running it. Only the columns intake needs are read; the others load on access.
INTAKE_COLUMNS = ("id", "phone_hash", "language", "opted_out_at", "home_location_id", "active")
# The owner of a number's hash (given three times); a main number wins over a second phone.
BY_HASH_CONDITION = (
    "WHERE phone_hash = %s OR phone_alt_hash = %s ORDER BY phone_hash = %s DESC, id LIMIT 1"
)
_BY_HASH_SQL = " ".join(("SELECT {columns} FROM {table}", BY_HASH_CONDITION))


def focal_point_by_hash(digest: str) -> FocalPoint | None:
    """One indexed query; a main number wins over someone's second phone. The focal point
    carries whether they are discreet (`discreet_mode`, see focal_point_discreet)."""
    table = connection.ops.quote_name(FocalPoint._meta.db_table)
    sql = _BY_HASH_SQL.format(columns=intake_select_list(table), table=table)
    return next(iter(FocalPoint.objects.raw(sql, [digest, digest, digest])), None)


# What intake reads of a sender, by name: INTAKE_COLUMNS and whether they are discreet.
INTAKE_SENDER_COLUMNS = (*INTAKE_COLUMNS, "discreet_mode")


def intake_select_list(table: str) -> str:
    """The SQL select list of INTAKE_SENDER_COLUMNS from the focal point table `table` (quoted,
    or an alias)."""
    return ", ".join([*INTAKE_COLUMNS, f"{discreet_sql(table)} AS discreet_mode"])


def focal_point_table() -> str:
    return FocalPoint._meta.db_table


# Whether the focal point of the row `{alias}` gets neutral wording: discreet_rule in SQL, for
# the queries that read the sender with the rest (intake).
_DISCREET_SQL = (
    "coalesce({alias}.discreet, EXISTS (SELECT 1 FROM {membership} dm JOIN {network} dn "
    "ON dn.id = dm.network_id WHERE dm.focal_point_id = {alias}.id AND dm.left_on IS NULL "
    "AND dn.discreet))"
)


def discreet_sql(alias: str) -> str:
    """_DISCREET_SQL for the focal point table (or an alias of it) named `alias`."""
    quote = connection.ops.quote_name
    return _DISCREET_SQL.format(
        alias=alias,
        membership=quote(Membership._meta.db_table),
        network=quote(Network._meta.db_table),
    )


def discreet_rule(own: bool | None, networks: Iterable[bool]) -> bool:
    """The rule: a focal point's own setting wins; without one, they are discreet when any
    network they belong to now is discreet by default."""
    return own if own is not None else any(networks)


def focal_point_discreet(focal_point: FocalPoint) -> bool:
    """Does this focal point get neutral wording? Their own setting wins; without one, they are
    discreet when any network they belong to now is. A focal point read by intake carries the
    answer already (`discreet_mode`), read by the same query."""
    known = getattr(focal_point, "discreet_mode", None)
    if known is not None:
        return bool(known)
    if focal_point.discreet is not None:
        return discreet_rule(focal_point.discreet, ())
    discreet_networks = Membership.objects.filter(
        focal_point_id=focal_point.pk, left_on__isnull=True, network__discreet=True
    )
    return discreet_rule(None, [discreet_networks.exists()])


def focal_points_discreet(ids: Iterable[int]) -> set[int]:
    """Those of these focal points who get neutral wording (focal_point_discreet for many)."""
    ids = list(ids)
    if not ids:
        return set()
    own = dict(FocalPoint.objects.filter(pk__in=ids).values_list("pk", "discreet"))
    unset = [pk for pk, setting in own.items() if setting is None]
    by_network = set(
        Membership.objects.filter(
            focal_point_id__in=unset, left_on__isnull=True, network__discreet=True
        ).values_list("focal_point_id", flat=True)
    )
    return {pk for pk, setting in own.items() if discreet_rule(setting, [pk in by_network])}


def focal_point_from_row(columns: tuple[str, ...], values) -> FocalPoint:
    """A focal point from columns another query read (the others load on access), as
    focal_point_by_hash returns it; a column that is no field (`discreet_mode`) is kept as an
    attribute."""
    by_column = dict(zip(columns, values, strict=True))
    # from_db takes the values in the model's field order
    names = [f.attname for f in FocalPoint._meta.concrete_fields if f.attname in by_column]
    focal_point = FocalPoint.from_db(connection.alias, names, [by_column[name] for name in names])
    for name in set(by_column) - set(names):
        setattr(focal_point, name, by_column[name])
    return focal_point


def phone_hashes_taken(hashes: list[str], *, exclude_pk: int | None = None) -> set[str]:
    """Those of `hashes` that already belong to a focal point, as main or second number."""
    if not hashes:
        return set()
    owners = FocalPoint.objects.filter(Q(phone_hash__in=hashes) | Q(phone_alt_hash__in=hashes))
    if exclude_pk is not None:
        owners = owners.exclude(pk=exclude_pk)
    wanted = set(hashes)
    return {h for pair in owners.values_list("phone_hash", "phone_alt_hash") for h in pair} & wanted


def focal_point_list() -> QuerySet[FocalPoint]:
    """Focal points with their home place and `open_memberships` (with each network)."""
    open_memberships = Membership.objects.filter(left_on__isnull=True).select_related("network")
    return FocalPoint.objects.select_related("home_location").prefetch_related(
        Prefetch("memberships", queryset=open_memberships, to_attr="open_memberships"),
    )


def focal_point_search(queryset: QuerySet[FocalPoint], term: str) -> QuerySet[FocalPoint]:
    """Focal points whose number is `term`, or whose name contains every word of `term`.

    Names and numbers are encrypted, so SQL cannot compare them: a number is looked up through
    its keyed hash, and names are decrypted and compared here, ignoring case and accents.
    """
    term = (term or "").strip()
    if not term:
        return queryset
    if _PHONE_LIKE.match(term):
        try:
            digest = lookup_hash(normalise_phone(term))
        except ValidationError:
            return queryset.none()
        return queryset.filter(Q(phone_hash=digest) | Q(phone_alt_hash=digest))
    words = fold(term).split()
    matching = [
        pk
        for pk, name in queryset.order_by().prefetch_related(None).values_list("pk", "name")
        if all(word in fold(name) for word in words)
    ]
    return queryset.filter(pk__in=matching)


def network_list() -> QuerySet[Network]:
    return (
        Network.objects.select_related("base", "cla")
        .prefetch_related("area")
        .annotate(
            open_members=Count("memberships", filter=Q(memberships__left_on__isnull=True)),
        )
    )


def networks_of_cla(*, user) -> QuerySet[Network]:
    """The networks a CLA is responsible for, by name."""
    return Network.objects.filter(cla_id=user.pk).select_related("base").order_by("name")


def network_by_codes(codes: list[str]) -> dict[str, Network]:
    return {n.code: n for n in Network.objects.filter(code__in=codes)}


def location_list() -> QuerySet[Location]:
    return Location.objects.select_related("parent")


def location_of_kind(kind: str) -> QuerySet[Location]:
    return Location.objects.filter(kind=kind).order_by("name")


def location_ids_within(ancestor_id: int) -> set[int]:
    """The ids of a place and everything below it (the tree is a few levels deep)."""
    return location_ids_within_any({ancestor_id})


def location_ids_within_any(ancestor_ids: Iterable[int]) -> set[int]:
    """The ids of the places given and everything below any of them: one query per level of
    the tree (a few levels deep) for all of them at once, none when none is given."""
    found = set(ancestor_ids)
    frontier = set(found)
    while frontier:
        frontier = (
            set(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def location_ancestor_ids(location_id: int) -> set[int]:
    """The place and every place above it (its village, territory, province): one query per
    level."""
    found: set[int] = set()
    current: int | None = location_id
    while current is not None and current not in found:
        found.add(current)
        current = Location.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return found


def location_search(queryset: QuerySet[Location], term: str) -> QuerySet[Location]:
    """Places whose name or an alternate spelling contains `term`, ignoring case and accents."""
    needle = fold(term)
    if not needle:
        return queryset
    matching = [
        pk
        for pk, name, alternates in queryset.order_by().values_list("pk", "name", "alternate_names")
        if any(needle in fold(n) for n in [name, *(alternates or [])])
    ]
    return queryset.filter(pk__in=matching)


class LocationIndex:
    """Every place by folded name and alternate spelling, for matching many names at once."""

    def __init__(self) -> None:
        self.by_pk: dict[int, Location] = {loc.pk: loc for loc in Location.objects.all()}
        self.by_name: dict[str, list[Location]] = {}
        for loc in self.by_pk.values():
            for name in {fold(loc.name), *(fold(a) for a in loc.alternate_names or [])}:
                if name:
                    self.by_name.setdefault(name, []).append(loc)

    def ancestors(self, loc: Location) -> list[Location]:
        chain, parent_id = [], loc.parent_id
        while parent_id is not None and parent_id in self.by_pk:
            parent = self.by_pk[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return chain

    def path(self, loc: Location) -> str:
        return " › ".join(n.name for n in reversed([loc, *self.ancestors(loc)]))

    def match(self, text: str) -> list[Location]:
        """Places called `text`; 'Place (Territory)' narrows to those under that territory.

        A town often shares its name with its territory (Beni in Beni): when every match lies
        on one branch, the deepest one is meant.
        """
        text = (text or "").strip()
        qualifier = ""
        if text.endswith(")") and "(" in text:
            text, qualifier = (part.strip() for part in text[:-1].rsplit("(", 1))
        found = list(self.by_name.get(fold(text), []))
        if qualifier:
            wanted = fold(qualifier)
            found = [
                loc for loc in found if any(fold(a.name) == wanted for a in self.ancestors(loc))
            ]
        if len(found) > 1:
            ancestor_ids = {a.pk for loc in found for a in self.ancestors(loc)}
            found = [loc for loc in found if loc.pk not in ancestor_ids]
        return sorted(found, key=lambda loc: loc.pk)


def focal_point_card(*, focal_point_id: int) -> dict:
    """What an analyst sees of a reporter beside an alert: the networks they belong to now and
    the latest equipment and airtime they were given (a quiet network often ran out of credit)."""
    memberships = list(
        Membership.objects.filter(focal_point_id=focal_point_id, left_on__isnull=True)
        .select_related("network")
        .order_by("network__name")
    )
    equipment = list(
        Equipment.objects.filter(focal_point_id=focal_point_id).order_by("-given_on", "-pk")[:5]
    )
    person = FocalPoint.objects.select_related("at_risk_marked_by").filter(pk=focal_point_id)
    person = person.defer("name", "phone", "phone_alt", "notes").first()
    own = person.discreet if person is not None else None
    return {
        "memberships": memberships,
        "equipment": equipment,
        # Which wording the reporter's SMS take, and whether their own setting says so.
        "discreet": discreet_rule(own, (m.network.discreet for m in memberships)),
        "discreet_own": own,
        "at_risk_since": person.at_risk_since if person is not None else None,
        "at_risk_marked_by": person.at_risk_marked_by if person is not None else None,
        "at_risk_reason": person.at_risk_reason if person is not None else "",
    }
