"""The case service: command handlers and the queries of the team and case pages, each
through the one access gate (`gate.py`)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts.tables import users
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases import gate
from coordination.cases.board import CASE_QUERY, CaseRow, case_row
from coordination.cases.gate import CaseNotFound, CaseRefused
from coordination.cases.queries import CaseQueries, Meeting, opened_rows
from coordination.cases.reading import CaseFile, CaseReader
from coordination.cases.tables import case_people, case_timeline, cases, read_audit
from coordination.reminders.tables import due_reminders
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import Part, RegistrationType, Stage

__all__ = ["CaseChanged", "CaseFile", "CaseNotFound", "CaseRefused", "CaseRow", "Cases"]

# No 0/O, 1/I/L: a code is read aloud and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_case_code() -> str:
    return "K-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


# Who the timeline names when the service itself acted (the retention rule).
SYSTEM_ACTOR = "samordna"


class CaseChanged(Exception):
    """Someone else changed the case since the form was opened."""

    message = (
        "Ärendet har ändrats av någon annan sedan du öppnade det. "
        "Dina uppgifter finns kvar: läs igenom ärendet och skicka igen."
    )


# The participant's personal data, without the personnummer's blind index.
_PEOPLE = sa.select(*(c for c in case_people.columns if c.name != "personnummer_index"))


@dataclass(frozen=True)
class Namesake:
    """Another open case of the same person: its id and code where the reader's team holds
    it, else None for both (the case of another team stays unnamed)."""

    case_id: str | None
    case_code: str | None


class PersonAlreadyActive(case.Rejected):
    """The personnummer is on another open case: enrolling needs a reason. `shown` is what
    the form shows beside the warning."""

    def __init__(self, namesakes: list[Namesake]) -> None:
        super().__init__(
            {
                "personnummer": "Personnumret finns redan i ett pågående ärende. Kontrollera "
                "att det inte är samma person inskriven två gånger.",
                "duplicate_reason": "Skriv varför deltagaren ska skrivas in ändå, eller avbryt.",
            }
        )
        self.shown = {"namesakes": namesakes}


@dataclass(frozen=True)
class BoardEntry:
    """A case of the team's list before its row is read: enough to sort and page."""

    case_id: str
    stage: Stage
    referral_date: date
    case_code: str


@dataclass(frozen=True)
class CaseHistory:
    """A case's journey for the bulk path: each command with the day it was taken and who
    took it, the first a referral."""

    case_id: str
    steps: Sequence[tuple[date, User, case.Command]]


def _filtered(
    query: sa.Select[Any],
    team_id: str,
    coordinator_id: str | None,
    stage: Stage | None,
    code: str,
    part: Part | None = None,
    covering: Part | None = None,
) -> sa.Select[Any]:
    """The team page's filters: the team, and the samordnare, stage, code and part chosen;
    `covering`: only the cases shared with that part ("mina ärenden")."""
    query = query.where(cases.c.team_id == team_id)
    if coordinator_id:
        query = query.where(cases.c.coordinator_id == coordinator_id)
    if stage is not None:
        query = query.where(cases.c.stage == stage)
    if code.strip():
        query = query.where(cases.c.case_code.contains(code.strip().upper()))
    if part is not None:  # the part referred the case, or its consent covers the part
        query = query.where(sa.or_(cases.c.from_part == part.value, _consent_covers(part)))
    if covering is not None:  # as the gate sees it (`CaseRow.facts`): a referral's own part
        query = query.where(
            sa.or_(
                sa.and_(cases.c.stage == Stage.REFERRAL, cases.c.from_part == covering.value),
                sa.and_(cases.c.stage != Stage.REFERRAL, _consent_covers(covering)),
            )
        )
    return query


def _consent_covers(part: Part) -> sa.ColumnElement[bool]:
    # the consent's parts are a JSON array of codes: its text holds the code in quotes
    return sa.cast(cases.c.consent_parts, sa.Text).contains(f'"{part.value}"', autoescape=True)


# The most events after a page's position that `Cases.changed_since` reads to tell whether
# the page is still as drawn; beyond that, it is drawn anew (and its position moves on).
CHANGES_READ = 1_000


class Cases:
    """The cases service: the journey's commands, and the queries of the team and case
    pages. `reader` reads the journey's read models through a case file."""

    def __init__(
        self,
        store: events.EventStore,
        clock: Clock,
        team_staff: Callable[[str], list[User]],
        team_insatser: Callable[[str], Collection[str]],
    ) -> None:
        self.store = store
        self.clock = clock
        self._team_staff = team_staff
        self._team_insatser = team_insatser
        self._queries = CaseQueries(store.engine, store.keyring)
        self.reader = CaseReader(self._queries)

    # -- the gate ---------------------------------------------------------------------

    def visible_case(self, reader: User, case_id: str) -> CaseRow:
        """The case's row (no personal data), or CaseNotFound when the reader may not see it."""
        row = self.case(case_id)
        if row is None or not gate.visible(reader, row.facts):
            raise CaseNotFound()
        return row

    def open(self, reader: User, case_id: str, page: str) -> CaseFile:
        """The case as `reader` may see it; when that includes the participant's personal
        data, the read is written to the Läslogg (naming `page`) before anything is shown."""
        row = self.visible_case(reader, case_id)
        personal = gate.opens_personal_data(reader, row.facts)
        if personal:
            self.record_read(reader, case_id, page)
        return CaseFile(row, reader, personal, gate.works_case(reader, row.facts))

    def open_without_personal_data(self, reader: User, case_id: str) -> CaseFile:
        """The case's code, stage and dates only (a calendar file, say): nothing to log."""
        row = self.visible_case(reader, case_id)
        return CaseFile(row, reader, False, gate.works_case(reader, row.facts))

    def open_for_subject_access(self, reader: User, case_id: str) -> CaseFile:
        """The case with everything it holds, for a registerutdrag (logged)."""
        row = self.visible_case(reader, case_id)
        if not gate.opens_for_subject_access(reader, row.facts):
            raise CaseRefused("Bara teamets administratörer gör registerutdrag.")
        self.record_read(reader, case_id, "registerutdrag")
        return CaseFile(row, reader, True, False)

    def cases_of_person(self, reader: User, number: str) -> list[str]:
        """The reader's team's cases of the participant with this personnummer."""
        found = self._queries.cases_with_personnummer(number)
        return [
            case_id
            for case_id in found
            if (row := self.case(case_id)) is not None and row.team_id == reader.team_id
        ]

    def has_meeting(self, reader: User, case_id: str, meeting_id: str) -> bool:
        """Whether the case (which the reader sees) has this meeting already."""
        self.visible_case(reader, case_id)
        found = self._queries.meeting(meeting_id)
        return found is not None and found.case_id == case_id

    def invited_meetings(self, invitee: User, since: datetime) -> list[Meeting]:
        """The meetings from `since` (the team's wall-clock time) on to which `invitee` is
        invited, in the cases they see now: times, form and case codes, nothing personal
        (a calendar feed: nothing to log)."""
        found = self.reader.invited_meetings(invitee, since)
        rows = {case_id: self.case(case_id) for case_id in {m.case_id for m in found}}
        return [
            m
            for m in found
            if (row := rows[m.case_id]) is not None and gate.visible(invitee, row.facts)
        ]

    def open_personal(self, reader: User, case_id: str, page: str) -> CaseFile:
        """The case with its personal data, or CaseRefused."""
        file = self.open(reader, case_id, page)
        if not file.personal:
            raise CaseRefused(gate.personal_refusal(reader, file.row.facts))
        return file

    def act_refusal(self, actor: User, row: CaseRow) -> str | None:
        """Why the actor may run no command at all on the case (asked before a form is
        read); None when some command is theirs to run."""
        return None if gate.may_act(actor, row.facts) else gate.act_refusal(actor, row.facts)

    def refusal(self, actor: User, row: CaseRow, command: object) -> str | None:
        """Why the actor may not run the command on the case (None: they may)."""
        return gate.command_refusal(actor, row.facts, command)

    # -- commands ---------------------------------------------------------------------

    def register_referral(
        self,
        actor: User,
        command_for: Callable[[str], case.RegisterReferral],
        once: str | None = None,
    ) -> str:
        """Start a case in the actor's team; `command_for(case_code)` builds the referral
        with a fresh code. `once`, the form's one-time token, becomes the case's id: the
        same form sent twice (a double click) starts one case."""
        if not access.can_register_referrals(actor):
            raise CaseRefused(gate.ROLE)
        if once is not None:
            made = self.case(once)
            if made is not None:
                if made.team_id == actor.team_id:
                    return once  # sent before
                once = None  # not a token of this team's forms: a case id of someone else's
        for _ in range(5):
            case_id = once or str(uuid.uuid4())
            try:
                self._decide_and_append(actor, case_id, 0, command_for(new_case_code()))
                return case_id
            except CaseChanged:
                if once is None:
                    raise
                return once  # the same form, sent at the same moment, made it
            except IntegrityError:
                continue  # the code was taken: draw another
        raise RuntimeError("could not draw a free case code")

    def execute(
        self, actor: User, case_id: str, expected_version: int, command: case.Command
    ) -> int:
        """Run the command on the case if the gate lets the actor, naming only people and
        insatser of the case's team. Raises CaseNotFound, CaseRefused, case.Rejected or
        CaseChanged."""
        self._admit(actor, case_id, command)
        self._refuse_a_second_open_case(actor, case_id, command)
        return self._decide_and_append(actor, case_id, expected_version, command)

    def try_out(
        self, actor: User, case_id: str, expected_version: int, command: case.Command
    ) -> None:
        """Raise what `execute` would raise, and change nothing: before a confirmation is
        asked for, so that no one confirms what is then refused."""
        self._admit(actor, case_id, command)
        self._decide(case_id, expected_version, command)

    def open_cases_of_person(self, reader: User, case_id: str, number: str) -> list[Namesake]:
        """The other open cases (neither closed, declined nor erased) of the person with this
        personnummer, in any team of the förbund (the installation); named only where the
        reader's team holds them."""
        found = []
        for other in self._queries.cases_with_personnummer(number):
            row = self.case(other)
            if other == case_id or row is None or row.erased_on is not None:
                continue
            if row.stage in (Stage.CLOSED, Stage.DECLINED):
                continue
            ours = row.team_id == reader.team_id
            found.append(Namesake(other if ours else None, row.case_code if ours else None))
        return found

    def _refuse_a_second_open_case(self, actor: User, case_id: str, command: case.Command) -> None:
        """An enrolment whose personnummer is on another open case needs a reason."""
        if not isinstance(command, case.Enrol) or command.participant is None:
            return
        if command.registration_type is not RegistrationType.PERSONAL:
            return
        if command.duplicate_reason.strip():
            return
        namesakes = self.open_cases_of_person(actor, case_id, command.participant.personnummer)
        if namesakes:
            raise PersonAlreadyActive(namesakes)

    def _admit(self, actor: User, case_id: str, command: case.Command) -> None:
        row = self.visible_case(actor, case_id)
        refused = self.refusal(actor, row, command)
        if refused is not None:
            raise CaseRefused(refused)
        foreign = gate.foreign_ids(
            command, self._team_staff(row.team_id), self._team_insatser(row.team_id)
        )
        if foreign:
            raise case.Rejected(foreign)

    def import_histories(self, histories: Iterable[CaseHistory], per_transaction: int = 250) -> int:
        """The bulk path for seeding a demo or a benchmark team: every command decided by the
        same decider, on its own day, and appended through the same store and read models,
        `per_transaction` cases per transaction. No person is at a form, so there is no
        gate; the commands' ids must belong to the cases' teams. Returns the events appended.

        Raises case.Rejected (with the case's id in the note) if a command is refused: that
        transaction's cases are not stored, those of earlier transactions are. An erasure
        is not for this path (its key must be forgotten with it): ValueError."""
        appended = 0
        chunk: list[tuple[events.StreamName, int, list[events.NewEvent]]] = []
        for history in histories:
            chunk.append(self._decided_history(history))
            if len(chunk) == per_transaction:
                appended += self._append_histories(chunk)
                chunk = []
        if chunk:
            appended += self._append_histories(chunk)
        return appended

    def _decided_history(
        self, history: CaseHistory
    ) -> tuple[events.StreamName, int, list[events.NewEvent]]:
        subject = case_events.participant_subject(history.case_id)
        state, stored = case.INITIAL, list[events.NewEvent]()
        for on, actor, command in history.steps:
            try:
                new = case.decide(command, state, on)
            except case.Rejected as refused:
                refused.add_note(f"case {history.case_id}, {type(command).__name__} on {on}")
                raise
            if any(isinstance(event, case.PersonalDataErased) for event in new):
                raise ValueError("an erasure goes through execute, which forgets the key")
            state = case.fold(new, state)
            metadata = events.metadata_of(actor=actor.id, actor_group=actor.part)
            stored.extend(case_events.new_event(event, subject, metadata) for event in new)
        return case_events.case_stream(history.case_id), 0, stored

    def _append_histories(
        self, chunk: Sequence[tuple[events.StreamName, int, list[events.NewEvent]]]
    ) -> int:
        with self.store.transaction() as conn:
            self.store.append_many(chunk, conn)
        return sum(len(new) for _, _, new in chunk)

    def erase_after_retention(self, case_id: str, expected_version: int) -> int:
        """The retention rule's erasure: no person acts, so no gate; a held case refuses."""
        command = case.EraseAfterRetention(self.clock.today())
        return self._decide_and_append(None, case_id, expected_version, command)

    def _decide(
        self, case_id: str, expected_version: int, command: case.Command
    ) -> list[case.Event]:
        recorded = self.store.read_stream(case_events.case_stream(case_id))
        if len(recorded) != expected_version:
            raise CaseChanged()
        state = case.fold([case_events.from_data(e.type, e.data) for e in recorded])
        return case.decide(command, state, self.clock.today())

    def _decide_and_append(
        self, actor: User | None, case_id: str, expected_version: int, command: case.Command
    ) -> int:
        """Load, decide, append. An erasure deletes the participant's key in the append's
        own transaction: the event and the unreadable data commit together or not at all.
        `actor` is None for the retention rule."""
        stream = case_events.case_stream(case_id)
        new = self._decide(case_id, expected_version, command)
        metadata = events.metadata_of(
            actor=actor.id if actor else SYSTEM_ACTOR,
            actor_group=actor.part if actor else None,
            correlation_id=uuid.uuid4(),
        )
        subject = case_events.participant_subject(case_id)
        stored = [case_events.new_event(event, subject, metadata) for event in new]
        try:
            with self.store.transaction() as conn:
                result = self.store.append(stream, expected_version, stored, conn=conn)
                if any(isinstance(event, case.PersonalDataErased) for event in new):
                    self.store.forget(subject, conn)
        except events.ConcurrencyError:
            raise CaseChanged() from None
        return result.stream_version

    # -- queries ----------------------------------------------------------------------

    def last_change(self) -> int:
        """Where the event log has come to: any change to any case moves it."""
        return self.store.head()

    def changed_since(
        self, position: int, team_ids: Collection[str], enrolled_only: bool = False
    ) -> bool:
        """Whether anything appended after `position` (a `last_change()` read before the
        page was drawn) may concern the cases of these teams. Every stream of the service
        is named by its case (the case's own, its reminders' bookkeeping), so events of
        other teams' cases are passed over; a stream that names no case of another team
        counts as a change, and so do more than CHANGES_READ events since. With
        `enrolled_only`, only the cases enrolled by now count (the statistics read no
        others, and a case never loses its start date)."""
        streams = self.store.streams_after(position, CHANGES_READ)
        if streams is None:
            return True
        if not streams:
            return False
        try:
            case_ids = {events.StreamName.parse(stream_id).id for stream_id in streams}
        except ValueError:
            return True  # a stream of no category, so of no case
        query = sa.select(cases.c.case_id, cases.c.team_id, cases.c.start_date).where(
            cases.c.case_id.in_(case_ids)
        )
        with self.store.engine.connect() as conn:
            found = {case_id: (team, start) for case_id, team, start in conn.execute(query)}
        if len(found) < len(case_ids):
            return True  # a stream of no case known
        return any(
            team in team_ids and (start is not None or not enrolled_only)
            for team, start in found.values()
        )

    def team_cases(
        self,
        team_id: str,
        part: Part | None = None,
        coordinator_id: str | None = None,
        stage: Stage | None = None,
        code: str = "",
    ) -> list[CaseRow]:
        query = _filtered(CASE_QUERY, team_id, coordinator_id, stage, code, part)
        query = query.order_by(cases.c.referral_date.desc(), cases.c.case_code)
        upcoming = self._queries.next_meetings(team_id, self.clock.wall_clock())
        with self.store.engine.connect() as conn:
            return [case_row(row, upcoming.get(row.case_id)) for row in conn.execute(query)]

    def team_board(
        self,
        team_id: str,
        part: Part | None = None,
        coordinator_id: str | None = None,
        stage: Stage | None = None,
        code: str = "",
        covering: Part | None = None,
    ) -> list[BoardEntry]:
        """Every case of the team page's filters, as little as it needs to sort and page
        them: `rows_of` reads the rows shown. `covering`: only cases whose consent covers
        that part ("mina ärenden")."""
        board = sa.select(cases.c.case_id, cases.c.stage, cases.c.referral_date, cases.c.case_code)
        query = _filtered(board, team_id, coordinator_id, stage, code, part, covering)
        with self.store.engine.connect() as conn:
            found = conn.execute(query).all()
        return [
            BoardEntry(case_id, Stage(stage_value), referral_date, code)
            for case_id, stage_value, referral_date, code in found
        ]

    def team_stages(
        self,
        team_id: str,
        shown: Mapping[Stage, int],
        part: Part | None = None,
        coordinator_id: str | None = None,
        stage: Stage | None = None,
        code: str = "",
        covering: Part | None = None,
    ) -> tuple[dict[Stage, int], dict[Stage, list[str]]]:
        """The team page's stages under its filters (as `team_board`): how many cases each
        has, and the ids of its first `shown[stage]` cases, the earliest due reminder first,
        then the oldest referral. The database counts and orders them, so that only the
        rows shown are read (`rows_of`)."""
        first_due = (
            sa.select(sa.func.min(due_reminders.c.due_on))
            .where(due_reminders.c.case_id == cases.c.case_id)
            .scalar_subquery()
        )
        board = _filtered(
            sa.select(
                cases.c.case_id,
                cases.c.stage,
                cases.c.referral_date,
                cases.c.case_code,
                first_due.label("first_due"),
            ),
            team_id,
            coordinator_id,
            stage,
            code,
            part,
            covering,
        ).subquery()
        place = sa.func.row_number().over(
            partition_by=board.c.stage,
            order_by=(sa.nulls_last(board.c.first_due), board.c.referral_date, board.c.case_code),
        )
        ranked = sa.select(
            board.c.case_id,
            board.c.stage,
            place.label("place"),
            sa.func.count().over(partition_by=board.c.stage).label("at_stage"),
        ).subquery()
        rows_shown = sa.case({s.value: n for s, n in shown.items()}, value=ranked.c.stage, else_=0)
        query = (
            sa.select(ranked.c.case_id, ranked.c.stage, ranked.c.at_stage)
            .where(ranked.c.place <= rows_shown)
            .order_by(ranked.c.stage, ranked.c.place)
        )
        counts = dict.fromkeys(Stage, 0)
        first: dict[Stage, list[str]] = {s: [] for s in Stage}
        with self.store.engine.connect() as conn:
            for case_id, stage_value, at_stage in conn.execute(query):
                counts[Stage(stage_value)] = at_stage
                first[Stage(stage_value)].append(case_id)
        return counts, first

    def rows_of(self, team_id: str, case_ids: Collection[str]) -> dict[str, CaseRow]:
        """The team board's rows of these cases of the team (a page's worth)."""
        if not case_ids:
            return {}
        upcoming = self._queries.next_meetings(team_id, self.clock.wall_clock(), case_ids)
        query = CASE_QUERY.where(cases.c.team_id == team_id, cases.c.case_id.in_(case_ids))
        with self.store.engine.connect() as conn:
            return {
                row.case_id: case_row(row, upcoming.get(row.case_id)) for row in conn.execute(query)
            }

    def case_with_code(self, code: str) -> str | None:
        """The id of the case with this code, in any team (codes are unique)."""
        with self.store.engine.connect() as conn:
            found: str | None = conn.execute(
                sa.select(cases.c.case_id).where(cases.c.case_code == code)
            ).scalar()
        return found

    def case(self, case_id: str) -> CaseRow | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(CASE_QUERY.where(cases.c.case_id == case_id)).first()
        return case_row(row) if row else None

    def record_read(
        self, reader: User, case_id: str, page: str, conn: sa.Connection | None = None
    ) -> None:
        """A view of the participant's personal data, for the read audit."""
        if conn is None:
            with events.write_transaction(self.store.engine) as own:
                self.record_read(reader, case_id, page, own)
            return
        conn.execute(
            read_audit.insert().values(
                user_id=reader.id, case_id=case_id, page=page, viewed_at=events.store.utc_now()
            )
        )

    def people(self, file: CaseFile) -> dict[str, Any] | None:
        """The participant's personal data when the file opens it (the read is logged), each
        field `events.ERASED` once erased."""
        if not file.personal:
            return None
        with self.store.engine.connect() as conn:
            rows = conn.execute(_PEOPLE.where(case_people.c.case_id == file.case_id))
            found = opened_rows(self.store.keyring, conn, case_people, rows)
        return found[0] if found else {}

    def visible_personnummer(self, reader: User, rows: list[CaseRow], page: str) -> dict[str, str]:
        """The personnummer of those cases whose personal data the gate opens to the reader,
        each read logged (an export, say)."""
        allowed = [r.case_id for r in rows if gate.opens_personal_data(reader, r.facts)]
        return self.personnummer_of(reader, allowed, page)

    def personnummer_of(self, reader: User, case_ids: list[str], page: str) -> dict[str, str]:
        """Several participants' personnummer, each read written to the audit log, in one
        transaction (an export, say); none for a participant without one or erased."""
        if not case_ids:
            return {}
        with events.write_transaction(self.store.engine) as conn:
            for case_id in case_ids:
                self.record_read(reader, case_id, page, conn)
            rows = conn.execute(
                sa.select(case_people.c.case_id, case_people.c.personnummer).where(
                    case_people.c.case_id.in_(case_ids), case_people.c.personnummer.is_not(None)
                )
            )
            found = opened_rows(self.store.keyring, conn, case_people, rows)
        return {
            row["case_id"]: row["personnummer"]
            for row in found
            if isinstance(row["personnummer"], str)
        }

    def timeline(self, file: CaseFile) -> list[dict[str, Any]]:
        """What happened to the case, newest first: no personal data."""
        query = (
            sa.select(case_timeline, users.c.name.label("actor_name"))
            .outerjoin(users, users.c.id == case_timeline.c.actor_id)
            .where(case_timeline.c.case_id == file.case_id)
            .order_by(case_timeline.c.position.desc())
        )
        with self.store.engine.connect() as conn:
            return [
                {**row._mapping, "details": json.loads(row.details)} for row in conn.execute(query)
            ]

    def audit_log(
        self, team_id: str, case_id: str | None = None, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The team's read audit, newest first."""
        query = (
            sa.select(read_audit, users.c.name.label("user_name"), cases.c.case_code)
            .outerjoin(users, users.c.id == read_audit.c.user_id)
            .join(cases, cases.c.case_id == read_audit.c.case_id)
            .where(cases.c.team_id == team_id)
            .order_by(read_audit.c.id.desc())
            .limit(500)
        )
        if case_id:
            query = query.where(read_audit.c.case_id == case_id)
        if user_id:
            query = query.where(read_audit.c.user_id == user_id)
        with self.store.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
