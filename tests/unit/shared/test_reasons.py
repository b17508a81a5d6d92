from typing import get_args

from civicflow.shared.events.identity import RejectionReason
from civicflow.shared.events.routing import ClarificationReason, UnroutableReason
from civicflow.shared.reasons import REASONS


def test_every_reason_an_application_can_stop_for_has_plain_words_in_both_languages() -> None:
    codes = {*get_args(RejectionReason), *get_args(UnroutableReason), *get_args(ClarificationReason)}
    assert codes <= set(REASONS), sorted(codes - set(REASONS))
    assert all(set(words) == {"de", "en"} and all(words.values()) for words in REASONS.values())
    assert all(code not in text for code, words in REASONS.items() for text in words.values())
