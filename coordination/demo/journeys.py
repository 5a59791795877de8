"""Three years of a coordination team's cases, as a team would have recorded them: each
case a history of commands on the days they were taken, for the bulk path.

Referrals arrive through the years; some are declined, most are enrolled and go through
assessment, plan, network meetings and steps; most close after four to twenty months, the
closers are followed up at 3, 6 and 12 months (a few follow-ups forgotten, so that reminders
are due) and some get after-support. A case stops where today is: the recent ones are still
referrals, being planned or ongoing. Every person is fictitious (test personnummer)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from personnummer import personnummer

from coordination.cases import domain as case
from coordination.cases.service import CODE_ALPHABET, CaseHistory
from coordination.shared.access import User
from coordination.shared.vocabulary import (
    SUPPORT_AT_ENROLMENT,
    ActivityStatus,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)

REFERRALS_PER_MONTH = 20

REASONS = [
    "Demo: långvarigt sjukskriven, behöver stöd tillbaka mot arbete",
    "Demo: försörjningsstöd i flera år, oklar arbetsförmåga",
    "Demo: aktivitetsersättning, vill pröva praktik",
    "Demo: avslutad rehabilitering utan att komma vidare",
    "Demo: arbetssökande länge, behöver samordning med vården",
]
DECLINES = [
    "Demo: behovet kan mötas av en part ensam",
    "Demo: deltagaren vill inte delta nu",
    "Demo: utanför förbundets område",
]
NEXT_GOALS = [
    "Demo: utöka praktiken till tre dagar i veckan",
    "Demo: pröva en anställning med lönebidrag",
    "Demo: börja studera på halvtid",
]
SITUATIONS = [
    "Demo: har stått utanför arbetsmarknaden i flera år",
    "Demo: sjukskriven sedan länge, vill hitta en väg tillbaka",
    "Demo: nyss avslutad utbildning som inte ledde till arbete",
]
ACTIVITIES = {
    Part.AF: ["Demo: arbetsträning via Arbetsförmedlingen", "Demo: stöd i jobbsökande"],
    Part.FK: ["Demo: avstämningsmöte om arbetsförmågan", "Demo: plan för återgång"],
    Part.REGION: ["Demo: samtalsstöd på vårdcentralen", "Demo: fysioterapi"],
    Part.KOMMUN: ["Demo: praktik på arbetsmarknadsenheten", "Demo: budgetrådgivning"],
}
# where people referred by each part usually get their money from
USUAL_SUPPORT = {
    Part.AF: [SupportSource.ACTIVITY_SUPPORT, SupportSource.UNEMPLOYMENT_FUND],
    Part.FK: [SupportSource.SICKNESS_BENEFIT, SupportSource.SICKNESS_COMPENSATION],
    Part.REGION: [SupportSource.SICKNESS_BENEFIT, SupportSource.SOCIAL_ASSISTANCE],
    Part.KOMMUN: [SupportSource.SOCIAL_ASSISTANCE, SupportSource.NONE],
}
# closures: (kind, reason, occupation afterwards, weight)
OUTCOMES: list[tuple[ClosureKind, ClosureReason, Occupation, int]] = [
    (ClosureKind.COMPLETED, ClosureReason.WORK, Occupation.WORK_SUBSIDISED, 14),
    (ClosureKind.COMPLETED, ClosureReason.WORK, Occupation.WORK_UNSUBSIDISED, 10),
    (ClosureKind.COMPLETED, ClosureReason.STUDIES, Occupation.STUDIES, 10),
    (ClosureKind.COMPLETED, ClosureReason.OTHER_REHABILITATION, Occupation.WORK_TRAINING, 12),
    (ClosureKind.COMPLETED, ClosureReason.BACK_TO_ORDINARY, Occupation.JOBSEEKER, 12),
    (ClosureKind.COMPLETED, ClosureReason.SICKNESS_COMPENSATION, Occupation.NONE, 5),
    (ClosureKind.INTERRUPTED, ClosureReason.ILLNESS, Occupation.NONE, 10),
    (ClosureKind.INTERRUPTED, ClosureReason.MOVED, Occupation.UNKNOWN, 5),
    (ClosureKind.INTERRUPTED, ClosureReason.PARTICIPANT_ENDED, Occupation.NONE, 8),
    (ClosureKind.INTERRUPTED, ClosureReason.DID_NOT_FOLLOW_PLAN, Occupation.JOBSEEKER, 6),
    (ClosureKind.INTERRUPTED, ClosureReason.UNREACHABLE, Occupation.UNKNOWN, 4),
]
# what people do when they come: mostly jobseekers, without occupation or in rehabilitation;
# about one in eight works or studies a little
OCCUPATIONS_AT_ENROLMENT = [
    *[Occupation.JOBSEEKER] * 3,
    *[Occupation.NONE] * 3,
    *[Occupation.CONTINUED_REHABILITATION] * 2,
    Occupation.WORK_TRAINING,
    Occupation.STUDIES,
    Occupation.WORK_SUBSIDISED,
]
IN_WORK_OR_STUDIES = {
    Occupation.WORK_SUBSIDISED,
    Occupation.WORK_UNSUBSIDISED,
    Occupation.OWN_BUSINESS,
    Occupation.STUDIES,
}


@dataclass(frozen=True)
class Team:
    """Who and what the histories may name."""

    team_id: str
    staff: Sequence[User]
    # each insats: its id and the days it runs (None: still running)
    insatser: Sequence[tuple[str, date, date | None]]

    def caseworkers(self, part: Part | None = None) -> list[User]:
        return [
            u for u in self.staff if u.role is Role.CASEWORKER and (part is None or u.part is part)
        ]

    def coordinators(self) -> list[User]:
        return [u for u in self.staff if u.role is Role.COORDINATOR]


def fictitious_personnummer(rng: random.Random, age_on: date, age: int) -> str:
    """A valid personnummer with a serial in the 9xx range (kept for tests) of someone `age`
    years old on `age_on`."""
    born = age_on - relativedelta(years=age) - timedelta(days=rng.randrange(1, 360))
    serial = f"{rng.randrange(900, 999)}"
    for check in range(10):
        candidate = f"{born:%Y%m%d}-{serial}{check}"
        if personnummer.valid(candidate):
            return candidate
    raise AssertionError("a check digit always exists")


def case_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "K-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(5))
        if code not in taken:
            taken.add(code)
            return code


def team_years(team: Team, today: date, years: int, seed: int = 2026) -> Iterator[CaseHistory]:
    """About REFERRALS_PER_MONTH referrals a month for `years` years up to today, each taken
    as far as it has come by today."""
    rng = random.Random(seed)
    codes: set[str] = set()
    first = today - relativedelta(years=years)
    count = years * 12 * REFERRALS_PER_MONTH
    referred_on = sorted(
        first + timedelta(days=rng.randrange((today - first).days + 1)) for _ in range(count)
    )
    for number, referred in enumerate(referred_on, start=1):
        journey = _Journey(rng, team, today, number)
        journey.run(referred, case_code(rng, codes))
        yield journey.history()


class _Journey:
    def __init__(self, rng: random.Random, team: Team, today: date, number: int) -> None:
        self.rng, self.team, self.today, self.number = rng, team, today, number
        self.case_id = str(uuid.uuid4())
        self.steps: list[tuple[date, User, case.Command]] = []
        self.coordinator = rng.choice(team.coordinators())

    def take(self, on: date, actor: User, command: case.Command) -> None:
        self.steps.append((on, actor, command))

    def history(self) -> CaseHistory:
        """The steps in the order of their days, up to today: the rest has not happened."""
        steps = sorted(self.steps, key=lambda step: step[0])  # stable: same-day order kept
        return CaseHistory(self.case_id, [step for step in steps if step[0] <= self.today])

    def later(self, on: date, low: int, high: int) -> date:
        return on + timedelta(days=self.rng.randrange(low, high + 1))

    def run(self, referred: date, code: str) -> None:
        rng = self.rng
        referrer = rng.choice(self.team.caseworkers())
        self.take(
            referred,
            referrer,
            case.RegisterReferral(
                code,
                self.team.team_id,
                referrer.part,
                referrer.name,
                rng.choice(REASONS),
                referred,
            ),
        )
        if rng.random() < 0.08:
            declined = self.later(referred, 3, 14)
            self.take(
                declined, self.coordinator, case.DeclineReferral(rng.choice(DECLINES), declined)
            )
            return
        accepted = self.later(referred, 2, 10)
        self.take(accepted, self.coordinator, case.AcceptReferral(accepted))
        start = self.later(accepted, 3, 21)
        anonymous = rng.random() < 0.06
        parts = self._consent_parts(referrer.part)
        self.take(start, self.coordinator, self._enrolment(start, anonymous, parts, referrer.part))
        if anonymous:
            self._anonymous(start)
        else:
            self._personal(start, parts)

    def _consent_parts(self, referring: Part) -> tuple[Part, ...]:
        others = [p for p in Part if p is not referring]
        return tuple(sorted({referring, *self.rng.sample(others, self.rng.randrange(1, 4))}))

    def _enrolment(
        self, start: date, anonymous: bool, parts: tuple[Part, ...], referring: Part
    ) -> case.Enrol:
        rng = self.rng
        running = [
            i
            for i, begins, ends in self.team.insatser
            if begins <= start and (ends is None or start <= ends)
        ]
        usual = rng.choice(USUAL_SUPPORT[referring])
        support: tuple[SupportSource, ...] = (usual,)
        if rng.random() < 0.25:
            support = tuple(sorted({usual, rng.choice(SUPPORT_AT_ENROLMENT)}))
        age = rng.choice(
            [
                rng.randrange(18, 30),
                rng.randrange(30, 45),
                rng.randrange(30, 60),
                rng.randrange(45, 64),
            ]
        )
        anonymous_age = case.age_group_of(fictitious_personnummer(rng, start, age), start)
        return case.Enrol(
            RegistrationType.ANONYMOUS if anonymous else RegistrationType.PERSONAL,
            rng.choice([Gender.WOMAN, Gender.WOMAN, Gender.WOMAN, Gender.MAN, Gender.MAN]),
            start,
            rng.choice(running),
            self.coordinator.id,
            () if anonymous else parts,
            "",
            None
            if anonymous
            else case.Participant(
                f"Demo Deltagare {self.number:03d}", fictitious_personnummer(rng, start, age)
            ),
            anonymous_age if anonymous else None,
            rng.choice(list(EducationLevel)),
            support,
            rng.choice(list(TimeInSupport)),
            rng.choice(OCCUPATIONS_AT_ENROLMENT),
        )

    def _anonymous(self, start: date) -> None:
        """An anonymous participant: steps without words, then a closure."""
        day = start
        for level in range(1, self.rng.randrange(2, 5)):
            day = self.later(day, 30, 70)
            self.take(day, self.coordinator, case.RecordStep(day, level, ""))
        closed = self.later(day, 20, 90)
        kind, reason, occupation, support = self._outcome()
        self.take(
            closed,
            self.coordinator,
            case.CloseCase(kind, reason, occupation, support, "", True, closed),
        )

    def _personal(self, start: date, parts: tuple[Part, ...]) -> None:
        rng = self.rng
        assessed = self.later(start, 10, 35)
        self.take(
            assessed,
            self.coordinator,
            case.RecordAssessment(
                rng.choice(SITUATIONS),
                "Demo: gymnasieexamen",
                "Demo: van att ta hand om andra",
                "Demo: trädgård, djur, matlagning",
                "Demo: oro inför nya sammanhang",
                "Demo: vill komma vidare",
                "Demo: jag vill ha en vanlig vardag",
                assessed,
            ),
        )
        agreed = self.later(assessed, 7, 21)
        plan = self._plan(agreed, parts)
        self.take(agreed, self.coordinator, case.AgreePlan(plan))
        for activity in plan.activities:
            self.take(
                activity.start_on,
                self.coordinator,
                case.ChangeActivity(
                    activity.activity_id, ActivityStatus.ONGOING, activity.start_on
                ),
            )
        if rng.random() < 0.02:
            withdrawn = self.later(agreed, 25, 120)
            self.take(
                withdrawn,
                self.coordinator,
                case.WithdrawConsent("Demo: vill inte längre", withdrawn),
            )
            closed = self.later(withdrawn, 7, 30)
            self.take(
                closed,
                self.coordinator,
                case.CloseCase(
                    ClosureKind.INTERRUPTED,
                    ClosureReason.CONSENT_WITHDRAWN,
                    Occupation.UNKNOWN,
                    (SupportSource.OTHER_PUBLIC,),
                    "",
                    True,
                    closed,
                ),
            )
            return
        ends = self.later(start, 120, 600)
        self._months_of_work(agreed, ends, parts, plan)
        renewed = start + relativedelta(years=1)
        while renewed < ends:  # the consent is reviewed once a year
            renewed_on = self.later(renewed, -14, 7)
            self.take(
                renewed_on,
                self.coordinator,
                case.RenewConsent(
                    parts, "Demo: samtycket förnyat vid årsuppföljningen", renewed_on
                ),
            )
            renewed += relativedelta(years=1)
        self._closure_and_after(ends)

    def _plan(self, agreed: date, parts: tuple[Part, ...], version: int = 1) -> case.Plan:
        rng = self.rng
        activities = []
        for index, part in enumerate(parts[:3]):
            responsible = rng.choice(self.team.caseworkers(part) or [self.coordinator])
            begins = self.later(agreed, 3, 21)
            activities.append(
                case.Activity(
                    f"a{self.number}-{version}-{index}",
                    rng.choice(ACTIVITIES[part]),
                    part,
                    responsible.id,
                    begins,
                    self.later(begins, 40, 150),
                )
            )
        return case.Plan(
            "Demo: komma igång med praktik två dagar i veckan",
            "Demo: arbete eller studier",
            "Demo: jag vill känna mig behövd",
            "",
            tuple(activities),
            (self.coordinator.id,),
            True,
            agreed,
            case.default_review_on(agreed),
        )

    def _months_of_work(
        self, agreed: date, ends: date, parts: tuple[Part, ...], plan: case.Plan
    ) -> None:
        """Network meetings about every six weeks, a step now and then, activities done."""
        rng = self.rng
        invitees = tuple(
            rng.choice(self.team.caseworkers(part)).id
            for part in parts
            if self.team.caseworkers(part)
        ) or (self.coordinator.id,)
        level, day = rng.randrange(0, 2), agreed
        self.take(
            day, self.coordinator, case.RecordStep(day, level, "Demo: bedömning vid planeringen")
        )
        open_activities = {a.activity_id: a.due_on for a in plan.activities}
        review_on, revisions = plan.review_on, list[date]()
        while True:
            booked = self.later(day, 14, 35)
            meets = self.later(booked, 7, 21)
            if meets > ends:
                return
            meeting_id = str(uuid.UUID(int=rng.getrandbits(128)))
            self.take(
                booked,
                self.coordinator,
                case.ScheduleMeeting(
                    case.MeetingScheduled(
                        meeting_id,
                        datetime.combine(meets, time(rng.choice((9, 10, 13, 14)), 0)),
                        60,
                        rng.choice(
                            [MeetingMode.IN_PERSON, MeetingMode.IN_PERSON, MeetingMode.VIDEO]
                        ),
                        "Demo: mötesrummet",
                        invitees,
                        True,
                        "",
                        "Demo: hur går det, vad är nästa steg?",
                    )
                ),
            )
            finished = {a for a, due in open_activities.items() if due <= meets}
            self.take(
                meets,
                self.coordinator,
                case.RecordMeeting(
                    meeting_id,
                    meets,
                    parts,
                    rng.random() < 0.9,
                    "Demo: fortsätter enligt planen",
                    activity_statuses=dict.fromkeys(finished, ActivityStatus.DONE),
                ),
            )
            for activity_id in finished:
                del open_activities[activity_id]
            if meets >= review_on - timedelta(days=14):
                # the plan followed up at the meeting: its next phase
                plan = replace(
                    self._plan(meets, parts, version=len(revisions) + 2),
                    goals_short=rng.choice(NEXT_GOALS),
                )
                revisions.append(meets)
                self.take(
                    meets,
                    self.coordinator,
                    case.AgreePlan(plan, "Demo: planen följs upp, nästa steg planeras"),
                )
                open_activities = {a.activity_id: a.due_on for a in plan.activities}
                review_on = plan.review_on
            if rng.random() < 0.6 and level < 6:
                level = min(6, level + rng.choice((1, 1, 2)))
                self.take(
                    meets,
                    self.coordinator,
                    case.RecordStep(meets, level, "Demo: praktiken går bra"),
                )
            day = meets

    def _outcome(self) -> tuple[ClosureKind, ClosureReason, Occupation, tuple[SupportSource, ...]]:
        kind, reason, occupation, _ = self.rng.choices(OUTCOMES, weights=[w for *_, w in OUTCOMES])[
            0
        ]
        return kind, reason, occupation, self._support_with(occupation)

    def _support_with(self, occupation: Occupation) -> tuple[SupportSource, ...]:
        """The participant's support beside the occupation; not known when they are not."""
        if occupation is Occupation.UNKNOWN:
            return (SupportSource.UNKNOWN,)
        if occupation in IN_WORK_OR_STUDIES and self.rng.random() < 0.7:
            return (SupportSource.NONE,)
        return (self.rng.choice(SUPPORT_AT_ENROLMENT),)

    def _closure_and_after(self, closed: date) -> None:
        rng = self.rng
        kind, reason, occupation, support = self._outcome()
        self.take(
            closed,
            self.coordinator,
            case.CloseCase(
                kind,
                reason,
                occupation,
                support,
                "Demo: ordinarie handläggare tar över",
                False,
                closed,
            ),
        )
        if occupation in IN_WORK_OR_STUDIES and rng.random() < 0.9:
            started = self.later(closed, 0, 7)
            planned_end = started + relativedelta(months=6)
            self.take(started, self.coordinator, case.StartAfterSupport(started, planned_end))
            contact = self.later(started, 20, 30)
            while contact < planned_end:  # about once a month
                self.take(
                    contact,
                    self.coordinator,
                    case.LogAfterSupportContact(contact, "Demo: samtal om hur det går på jobbet"),
                )
                contact = self.later(contact, 20, 30)
            self.take(planned_end, self.coordinator, case.EndAfterSupport(planned_end))
        for months in (3, 6, 12):
            due = closed + relativedelta(months=months)
            if rng.random() < 0.03:
                continue  # forgotten: its reminder is due
            on = self.later(due, -10, 20)
            on_occupation_change = rng.random() < 0.15
            if on_occupation_change:
                occupation = rng.choice(list(Occupation))
            self.take(
                on,
                self.coordinator,
                case.RecordFollowUp(
                    months,
                    on,
                    occupation,
                    self._support_with(occupation) if on_occupation_change else support,
                    "",
                ),
            )
