"""The lesson file: plain Markdown with a small header, read line by line so every message names a line.

    ---
    title: Near means similar
    level: beginner
    summary: Cosine similarity by hand, then neighbours.
    ---

    ## Cosine by hand
    Two words are close when their vectors point the same way.
    show: widget cosine king queen
    ask: Which pair is closer: king and queen, or king and apple?
    guess: king and queen | king and apple
    answer: king and queen: their cosine is 0.78, against 0.29.

    ## Neighbours
    show: view Explore?sample=glove&query=hot

A step starts at a ``## `` heading. Its lines are text, except lines starting with one of the
directives: ``show:`` (``view <Page>?<settings>`` or ``widget <name> <arguments>``), ``ask:`` (a
question), ``answer:`` (revealed on request, or after a guess), ``guess:`` (options separated by
``|``: the student commits to one before the answer is shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import InputError

LEVELS = ("beginner", "intermediate", "advanced")
DIRECTIVES = ("show", "ask", "answer", "guess")
MAX_LESSON_CHARS = 200_000
MAX_STEPS = 60
MAX_GUESSES = 6


@dataclass(frozen=True)
class Show:
    """What a step shows: a ``view`` of a page (``target`` = "Explore?sample=glove&query=hot") or a
    lesson ``widget`` (``target`` = its name, ``args`` its words)."""

    kind: str
    target: str
    args: tuple[str, ...] = ()

    def to_line(self) -> str:
        return " ".join(("show:", self.kind, self.target, *self.args))


@dataclass(frozen=True)
class Step:
    title: str
    text: str = ""
    show: Show | None = None
    question: str = ""
    answer: str = ""
    guesses: tuple[str, ...] = ()
    line: int = 0

    def to_markdown(self) -> str:
        lines = [f"## {self.title}"]
        if self.text:
            lines.append(self.text)
        if self.show is not None:
            lines.append(self.show.to_line())
        if self.question:
            lines.append(f"ask: {self.question}")
        if self.guesses:
            lines.append("guess: " + " | ".join(self.guesses))
        if self.answer:
            lines.append(f"answer: {self.answer}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Lesson:
    title: str
    level: str
    steps: tuple[Step, ...]
    summary: str = ""
    name: str = field(default="lesson.md", compare=False)

    def to_markdown(self) -> str:
        """The lesson as a file again (what the editor downloads and saves)."""
        header = ["---", f"title: {self.title}", f"level: {self.level}"]
        if self.summary:
            header.append(f"summary: {self.summary}")
        header.append("---")
        return "\n".join(header) + "\n\n" + "\n\n".join(step.to_markdown() for step in self.steps) + "\n"


def parse_lesson(text: str, name: str = "lesson.md") -> Lesson:
    """A Lesson from the file's text, or InputError naming the file, the line and what was expected."""
    if len(text) > MAX_LESSON_CHARS:
        raise InputError(f"{name}: the lesson is {len(text):,} characters long; the limit is {MAX_LESSON_CHARS:,}")
    lines = text.lstrip("\ufeff").splitlines()
    header, body_start = _header(lines, name)
    title = header.get("title", "").strip()
    level = header.get("level", "").strip().lower()
    if not title:
        raise InputError(f"{name}, line 1: the header needs 'title: ...'")
    if level not in LEVELS:
        raise InputError(f"{name}, line 1: the header needs 'level:' with one of {', '.join(LEVELS)}, not {level!r}")
    steps = _steps(lines, body_start, name)
    if not steps:
        raise InputError(f"{name}: no steps; a step starts with a line '## Title'")
    if len(steps) > MAX_STEPS:
        raise InputError(f"{name}: {len(steps)} steps; the limit is {MAX_STEPS}")
    return Lesson(title=title, level=level, steps=tuple(steps), summary=header.get("summary", "").strip(), name=name)


def _header(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """The ``key: value`` lines between the first two ``---`` lines, and where the body starts."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError(f"{name}: the file is empty")
    if lines[first].strip() != "---":
        raise InputError(f"{name}, line {first + 1}: a lesson starts with a header between two '---' lines")
    header: dict[str, str] = {}
    for number in range(first + 1, len(lines)):
        line = lines[number].strip()
        if line == "---":
            return header, number + 1
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip().isidentifier():
            raise InputError(f"{name}, line {number + 1}: expected 'key: value' in the header, got {line[:60]!r}")
        header[key.strip().lower()] = value.strip()
    raise InputError(f"{name}, line {first + 1}: the header has no closing '---' line")


def _steps(lines: list[str], start: int, name: str) -> list[Step]:
    steps: list[Step] = []
    current: dict | None = None
    for number in range(start, len(lines)):
        raw = lines[number]
        where = f"{name}, line {number + 1}"
        if raw.startswith("## "):
            if current is not None:
                steps.append(_step(current))
            title = raw[3:].strip()
            if not title:
                raise InputError(f"{where}: a step heading needs a title after '## '")
            current = {"title": title, "text": [], "line": number + 1}
            continue
        directive, colon, value = raw.partition(":")
        key = directive.strip().lower()
        if colon and key in DIRECTIVES and directive == directive.lstrip():
            if current is None:
                raise InputError(f"{where}: '{key}:' before the first step; start a step with '## Title'")
            if key in current:
                raise InputError(f"{where}: a second '{key}:' in the step {current['title']!r}; one per step")
            current[key] = _directive(key, value.strip(), where)
            continue
        if current is None:
            if raw.strip():
                raise InputError(f"{where}: text before the first step; start a step with '## Title'")
            continue
        current["text"].append(raw)
    if current is not None:
        steps.append(_step(current))
    return steps


def _directive(key: str, value: str, where: str) -> object:
    if not value:
        raise InputError(f"{where}: '{key}:' needs something after it")
    if key == "show":
        kind, _, rest = value.partition(" ")
        parts = rest.split()
        if kind not in ("view", "widget") or not parts:
            raise InputError(f"{where}: expected 'show: view <Page>?<settings>' or 'show: widget <name> <words>'")
        return Show(kind=kind, target=parts[0], args=tuple(parts[1:]))
    if key == "guess":
        options = tuple(option.strip() for option in value.split("|") if option.strip())
        if not 2 <= len(options) <= MAX_GUESSES:
            raise InputError(f"{where}: 'guess:' needs 2 to {MAX_GUESSES} options separated by '|'")
        return options
    return value


def _step(fields: dict) -> Step:
    text = "\n".join(fields["text"]).strip()
    return Step(
        title=fields["title"],
        text=text,
        show=fields.get("show"),
        question=fields.get("ask", ""),
        answer=fields.get("answer", ""),
        guesses=fields.get("guess", ()),
        line=fields["line"],
    )
