"""What a survey export becomes once read: one ``Submission`` per filled-in form.

The model is deliberately tool-neutral (KoboToolbox, Ona, ODK Briefcase/Central
and plain spreadsheets all land here) so that the mapping to canonical fields is
written once per questionnaire, not once per export tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Submission:
    """One submitted form.

    ``answers`` maps a question path (groups joined by ``/``, whatever separator
    the export used) to its value; a select-multiple answer is a list of option
    names. ``repeats`` maps a repeat group's path to its instances, each a dict of
    answers keyed by the path *inside* the repeat. ``meta`` keeps the tool's own
    columns (``_id``, ``_validation_status``, ``KEY`` …) apart from the answers.
    """

    submission_id: str
    submitted_at: str | None
    answers: dict[str, Any]
    repeats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    source_row: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    #: Where each repeat instance came from, parallel to ``repeats`` (same keys,
    #: same order), so that a rejected occupation row can be traced to its line.
    repeat_source_rows: dict[str, list[str]] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The shape ``lmis extract survey`` prints (no meta, no row bookkeeping)."""
        return {
            "submission_id": self.submission_id,
            "submitted_at": self.submitted_at,
            "answers": self.answers,
            "repeats": self.repeats,
            "source_row": self.source_row,
        }


@dataclass(frozen=True)
class RowProblem:
    """A row the reader could not attach to a submission, kept so that it can be
    quarantined instead of vanishing (orphan repeat rows, ragged CSV lines)."""

    source_row: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)


class SubmissionList(list[Submission]):
    """A list of submissions that also carries what the reader noticed.

    It is a plain ``list`` for callers that only want submissions; ``problems``
    lists rows that belong to no submission, ``warnings`` things worth telling a
    data engineer (sheets that were not read, header dialect guesses), and
    ``format`` names the export dialect that was recognised.
    """

    def __init__(
        self,
        submissions: list[Submission] | None = None,
        *,
        format: str = "",
        problems: list[RowProblem] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        super().__init__(submissions or [])
        self.format = format
        self.problems: list[RowProblem] = list(problems or [])
        self.warnings: list[str] = list(warnings or [])
