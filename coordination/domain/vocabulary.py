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
    ADMINISTRATOR = "administrator", "Administratör"


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
