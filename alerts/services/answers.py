"""Answers to questions asked by SMS (polls): intake asks the registered answer taker whether a
text answers a question its sender was asked. Alerts never import the app that asks: it
registers its taker when ready, as triage registers its urgent check."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerTaken:
    """The taker recorded the text as an answer. `reply`: what the sender gets next (the next
    question, a thanks, or nothing); `reports_violence`: the answer also reports violence, so
    intake makes an alert of it as of any other text."""

    reply: str
    reports_violence: bool = False
    focal_point_id: int | None = None


# (sender_hash, body, now) -> AnswerTaken, or None when the text is no answer (normal intake).
AnswerTaker = Callable[..., AnswerTaken | None]

_answer_taker: AnswerTaker | None = None
_expecting: Callable[[], bool] | None = None


def answer_taker_register(
    taker: AnswerTaker | None, *, expecting: Callable[[], bool] | None = None
) -> None:
    """Set the function intake asks about every text that is no keyword (None removes it),
    and `expecting`, the free check intake makes first: is any question waiting for an
    answer at all? While it says no, intake opens no transaction and runs no query for it."""
    global _answer_taker, _expecting
    _answer_taker, _expecting = taker, expecting


def answers_expected() -> bool:
    if _answer_taker is None:
        return False
    if _expecting is None:
        return True
    try:
        return bool(_expecting())
    except Exception:  # the text then makes its alert as always: nothing is lost
        log.exception("could not tell whether answers are expected")
        return False


def answer_offer(*, sender_hash: str, body: str, now: dt.datetime) -> AnswerTaken | None:
    """Ask the taker, inside intake's transaction. It must be cheap when its sender has no
    open question (one indexed lookup, none at all while nothing is being asked)."""
    taker = _answer_taker
    if taker is None:
        return None
    return taker(sender_hash=sender_hash, body=body, now=now)
