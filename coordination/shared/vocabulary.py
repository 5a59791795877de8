"""The field's vocabularies (DOMAIN.md), each defined once: codes in English, labels in Swedish."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """An enum whose members carry the Swedish label the UI shows."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, value: str) -> Self | None:
        return cls._value2member_map_.get(value)  # type: ignore[return-value]


class Part(Labelled):
    AF = "AF", "Arbetsförmedlingen"
    FK = "FK", "Försäkringskassan"
    REGION = "REGION", "Region"
    KOMMUN = "KOMMUN", "Kommun"


class Role(Labelled):
    CASEWORKER = "caseworker", "Handläggare"
    COORDINATOR = "coordinator", "Samordnare"
    TEAM_LEADER = "team_leader", "Teamledare"
    ANALYST = "analyst", "Analytiker"
    FORBUND = "forbund", "Förbundets tjänsteperson"
    ADMINISTRATOR = "administrator", "Administratör"


class TokenScope(Labelled):
    """What a personal access token may do through the API."""

    READ = "read", "Läsa"
    WRITE = "write", "Läsa och ändra"


class RegistrationType(Labelled):
    PERSONAL = "personal", "Med personuppgifter"
    ANONYMOUS = "anonymous", "Anonym"


class Gender(Labelled):
    WOMAN = "woman", "Kvinna"
    MAN = "man", "Man"


class AgeGroup(Labelled):
    AGE_16_29 = "16-29", "16–29 år"
    AGE_30_44 = "30-44", "30–44 år"
    AGE_45_59 = "45-59", "45–59 år"
    AGE_60_64 = "60-64", "60–64 år"


class EducationLevel(Labelled):
    COMPULSORY = "compulsory", "Grundskola (inkl. särskola)"
    UPPER_SECONDARY = "upper_secondary", "Gymnasium"
    UNIVERSITY = "university", "Högskola/universitet"
    OTHER_POST_SECONDARY = "other_post_secondary", "Annan eftergymnasial utbildning"
    UNKNOWN = "unknown", "Uppgift saknas"


class SupportSource(Labelled):
    SOCIAL_ASSISTANCE = "social_assistance", "Försörjningsstöd"
    ACTIVITY_SUPPORT = "activity_support", "Aktivitetsstöd"
    ESTABLISHMENT = "establishment", "Etableringsersättning"
    SICKNESS_BENEFIT = "sickness_benefit", "Sjuk-/rehabiliteringspenning"
    SICKNESS_COMPENSATION = "sickness_compensation", "Sjuk-/aktivitetsersättning"
    STUDY_SUPPORT = "study_support", "Studiestöd/studiemedel"
    UNEMPLOYMENT_FUND = "unemployment_fund", "A-kassa"
    OTHER_PUBLIC = "other_public", "Annan offentlig försörjning"
    NONE = "none", "Ingen offentlig försörjning (inkl. försörjd av familj)"
    # an explicit answer at closure and follow-up, when the participant cannot be reached:
    # counted in its own row, never silently
    UNKNOWN = "unknown", "Uppgift saknas"


class TimeInSupport(Labelled):
    UP_TO_1 = "0-1", "Upp till 1 år"
    FROM_1_TO_3 = "1-3", "1–3 år"
    FROM_3_TO_6 = "3-6", "3–6 år"
    FROM_6_TO_9 = "6-9", "6–9 år"
    MORE_THAN_9 = "9+", "Mer än 9 år"
    NOT_APPLICABLE = "n/a", "Ej aktuellt"


class InsatsType(Labelled):
    REHABILITATION = "rehabilitation", "Rehabilitering till arbete/utbildning"
    PREPARATORY = "preparatory", "Förberedande insatser"
    ASSESSMENT = "assessment", "Kartläggning"
    PREVENTIVE = "preventive", "Förebyggande insatser"
    OTHER = "other", "Annan inriktning"


class Stage(Labelled):
    """Where a case is on the team page."""

    REFERRAL = "referral", "Remiss"
    ENROLLED = "enrolled", "Inskriven"
    PLANNING = "planning", "Planering"
    ONGOING = "ongoing", "Pågående"
    CLOSED = "closed", "Avslutad och uppföljning"
    DECLINED = "declined", "Avböjd remiss"


class ActivityStatus(Labelled):
    PLANNED = "planned", "Planerad"
    ONGOING = "ongoing", "Pågår"
    DONE = "done", "Klar"
    DROPPED = "dropped", "Avbruten"


class MeetingStatus(Labelled):
    SCHEDULED = "scheduled", "Planerat"
    HELD = "held", "Hållet"
    CANCELLED = "cancelled", "Inställt"


class MeetingMode(Labelled):
    IN_PERSON = "in_person", "På plats"
    VIDEO = "video", "Video"
    PHONE = "phone", "Telefon"


class SelfAssessmentPhase(Labelled):
    ENROLMENT = "enrolment", "Vid inskrivning"
    DURING = "during", "Under tiden"
    CLOSURE = "closure", "Vid avslut"


class RegistrationKind(Labelled):
    """How an insats is registered (SUS): a case per participant, a count of participants per
    session (volyminsats: consultative, preventive, group sessions), or the staff taking part
    (strukturinsats)."""

    INDIVIDUAL = "individual", "Individinsats: ett ärende per deltagare"
    VOLUME = "volume", "Volyminsats: antal deltagare per tillfälle"
    STRUCTURAL = "structural", "Strukturinsats: antal medarbetare per part"


class ClosureKind(Labelled):
    COMPLETED = "completed", "Genomförd"
    INTERRUPTED = "interrupted", "Avbruten"
    REGISTERED_IN_ERROR = "error", "Felregistrerad"


class ErasureReason(Labelled):
    """Why a participant's personal data was erased (radering or gallring)."""

    REQUEST = "request", "Deltagaren har begärt radering"
    CONSENT = "consent", "Samtycket till registrering är återkallat"
    MISTAKE = "mistake", "Felregistrering"
    RETENTION = "retention", "Gallring: lagringstiden har gått ut"


class ClosureReason(Labelled):
    WORK = "work", "Arbete"
    STUDIES = "studies", "Studier"
    OTHER_REHABILITATION = "other_rehabilitation", "Annan rehabilitering/insats"
    BACK_TO_ORDINARY = "back_to_ordinary", "Återremiss till ordinarie handläggare"
    ILLNESS = "illness", "Sjukdom/försämrad hälsa"
    PARENTAL_LEAVE = "parental_leave", "Föräldraledighet"
    MOVED = "moved", "Flytt"
    DID_NOT_FOLLOW_PLAN = "did_not_follow_plan", "Ej följt planeringen"
    SICKNESS_COMPENSATION = "sickness_compensation", "Beviljad sjukersättning"
    PARTICIPANT_ENDED = "participant_ended", "Deltagaren avbröt"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Samtycke återkallat"
    UNREACHABLE = "unreachable", "Ej nåbar"
    REGISTERED_IN_ERROR = "registered_in_error", "Felregistrering"
    OTHER = "other", "Övrigt"


class Occupation(Labelled):
    WORK_UNSUBSIDISED = "work", "Arbete utan subvention"
    WORK_SUBSIDISED = "subsidised_work", "Arbete med subvention (nystartsjobb, lönebidrag …)"
    OWN_BUSINESS = "own_business", "Eget företag"
    STUDIES = "studies", "Studier"
    JOBSEEKER = "jobseeker", "Inskriven som arbetssökande på Arbetsförmedlingen"
    WORK_TRAINING = "work_training", "Arbetsträning/arbetsprövning/praktik"
    CONTINUED_REHABILITATION = "rehabilitation", "Fortsatt rehabilitering"
    DAILY_ACTIVITY = "daily_activity", "Daglig verksamhet"
    NONE = "none", "Ingen sysselsättning"
    UNKNOWN = "unknown", "Uppgift saknas"


# Occupations that count as work or studies in the results (and start after-support).
class ReminderKind(Labelled):
    FOLLOW_UP = "follow_up", "Uppföljning efter avslut"
    AFTER_SUPPORT_START = "after_support_start", "Starta efterstöd"
    AFTER_SUPPORT_CHECK_IN = "after_support_check_in", "Kontakt under efterstöd"
    AFTER_SUPPORT_END = "after_support_end", "Efterstödet slutar"
    MEETING_SOON = "meeting_soon", "Nätverksmöte snart"
    MEETING_UNRECORDED = "meeting_unrecorded", "Registrera nätverksmötet"
    PLAN_REVIEW = "plan_review", "Följ upp handlingsplanen"
    ACTIVITY_DUE = "activity_due", "Aktivitet ska vara klar"
    WHAT_NEXT = "what_next", "Vad händer sedan?"
    STALE_CASE = "stale_case", "Inget har hänt i ärendet"
    CONSENT_REVIEW = "consent_review", "Se över samtycket"


WORK_OR_STUDIES = frozenset(
    {
        Occupation.WORK_UNSUBSIDISED,
        Occupation.WORK_SUBSIDISED,
        Occupation.OWN_BUSINESS,
        Occupation.STUDIES,
    }
)

# Steps toward work: no national instrument exists, so the ladder is configuration
# (SAMORDNA_SCALES_FILE); this is DOMAIN.md's default. Index = level.
DEFAULT_LADDER = (
    "Vård/behandling i fokus, ej aktuell för arbetsinriktade insatser",
    "Motivation och stabilisering (förberedande insats)",
    "Kartläggning/utredning av arbetsförmåga",
    "Arbetsträning, arbetsprövning eller praktik",
    "Studier eller inskriven som aktivt arbetssökande",
    "Arbete med subvention (t.ex. nystartsjobb, lönebidrag)",
    "Arbete utan subvention eller egen försörjning",
)

# The participant's self-assessment: "how close to work or studies do you feel?" Index = score-1.
DEFAULT_SELF_ASSESSMENT = (
    "Mycket långt ifrån",
    "Långt ifrån",
    "Varken nära eller långt ifrån",
    "Ganska nära",
    "Mycket nära",
)


# At enrolment the participant is there to ask: "Uppgift saknas" is an answer at closure and
# follow-up only.
SUPPORT_AT_ENROLMENT = tuple(s for s in SupportSource if s is not SupportSource.UNKNOWN)
