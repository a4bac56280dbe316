"""Cut a listing's text into plain and highlighted pieces at its skills' evidence spans.

The pieces are rendered as text children of Dash components, never as HTML,
so markup inside a listing shows as the characters it is. A span that does
not fit the text, or whose recorded words differ from the text at those
offsets, is not drawn: it is reported, because a wrong highlight would
claim evidence that is not there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Piece:
    text: str
    skills: tuple[str, ...] = ()  # empty for plain text


def evidence_pieces(text: str, skills: list[dict[str, Any]]) -> tuple[list[Piece], list[str]]:
    """(pieces that concatenate back to `text`, one line per skill row whose evidence could not be drawn).

    `skills` are job_skills rows (skill, evidence_start, evidence_end, evidence_text). Rows without offsets
    (ungrounded) are neither drawn nor reported; overlapping spans merge into one piece naming every skill.
    """
    spans: list[tuple[int, int, str]] = []
    problems: list[str] = []
    for row in skills:
        start, end = row.get("evidence_start"), row.get("evidence_end")
        if start is None or end is None:
            continue
        if not 0 <= start < end <= len(text):
            problems.append(f"{row['skill']}: evidence offsets {start}-{end} fall outside the "
                            f"{len(text):,}-character listing")
        elif row.get("evidence_text") is not None and text[start:end] != row["evidence_text"]:
            problems.append(f"{row['skill']}: the listing reads {text[start:end]!r} at {start}-{end}, "
                            f"not {row['evidence_text']!r}")
        else:
            spans.append((start, end, row["skill"]))
    pieces: list[Piece] = []
    cursor = 0
    merged: Optional[list[Any]] = None  # [start, end, skills]
    for start, end, skill in sorted(spans):
        if merged and start < merged[1]:
            merged[1] = max(merged[1], end)
            if skill not in merged[2]:
                merged[2].append(skill)
            continue
        if merged:
            cursor = _emit(text, cursor, merged, pieces)
        merged = [start, end, [skill]]
    if merged:
        cursor = _emit(text, cursor, merged, pieces)
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return pieces, problems


def _emit(text: str, cursor: int, span: list[Any], pieces: list[Piece]) -> int:
    start, end, skills = span
    if cursor < start:
        pieces.append(Piece(text[cursor:start]))
    pieces.append(Piece(text[start:end], tuple(skills)))
    return end
