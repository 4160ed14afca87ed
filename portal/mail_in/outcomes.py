"""What processing did with one received message. Stored on the inbound message; staff read it in the queue.

Reasons are codes, not sentences: pages and auto-replies put them into words in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMENTED = "commented"    # added to a case as a comment (case, event)
OPENED = "opened"          # opened a new case (case)
HELD = "held"              # kept for staff review, reason says why; never touched a case
IGNORED = "ignored"        # auto-replies, bulk mail, our own messages: nothing done, nothing answered
BOUNCED = "bounced"        # a bounce: the outbound message it names was marked as bounced
REFUSED = "refused"        # answered with an explanation (e.g. a proxy without a customer in Cc); reason says why
REPLIED = "replied"        # answered with a link to the portal (unknown sender, address set to "link")
OUTCOME_STATES = (COMMENTED, OPENED, HELD, IGNORED, BOUNCED, REFUSED, REPLIED)


@dataclass(frozen=True)
class Outcome:
    state: str                    # one of OUTCOME_STATES
    reason: str = ""              # a code, e.g. "unknown_sender", "stranger_quoted_reference", "rate_limited"
    case_id: int | None = None    # the case commented on or opened
    detail: str = ""              # technical detail for staff (an exception's text, a refused file's name)
