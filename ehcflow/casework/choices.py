"""The service's vocabulary, with SEN2 codes where the DfE return defines them
(docs/domain/sen2.md)."""

from django.db import models


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class UPNUnknown(models.TextChoices):
    """SEN2 `UPNunknown` reasons (docs/domain/sen2.md, module 1)."""

    UN1 = "UN1", "Aged under 6 and not yet assigned a UPN"
    UN2 = "UN2", "Never attended a state-funded school in England"
    UN3 = "UN3", "Educated outside England"
    UN5 = "UN5", "Discrepancies prevent reliable matching"
    UN8 = "UN8", "New to the LA and UPN or ULN not yet known"
    UN9 = "UN9", "Never attended a state-funded school or FE setting in England"
    UN10 = "UN10", "Request resulted in no further action before UPN or ULN known"


class Ethnicity(models.TextChoices):
    """CBDS ethnicity codes (main categories and the common extended codes)."""

    WBRI = "WBRI", "White - British"
    WIRI = "WIRI", "White - Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy / Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black - African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class RequestSource(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    SCHOOL = "school", "School or college"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    OTHER = "other", "Other"


class RequestKind(models.TextChoices):
    INITIAL = "initial", "Initial request"
    REASSESSMENT = "reassessment", "Re-assessment"


class Decision(models.TextChoices):
    ASSESS = "assess", "Assess"
    NOT_ASSESS = "not_assess", "Not assess"


class Outcome(models.TextChoices):
    PLAN = "plan", "Issue a plan"
    NO_PLAN = "no_plan", "Not issue a plan"


class ClosedReason(models.TextChoices):
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    """Where a request is, in the order the law sets (docs/domain/statutory-timescales.md §1.2)."""

    AWAITING_DECISION = "awaiting_decision", "Decision to assess due"
    ASSESSING = "assessing", "Assessment: advice being gathered"
    AWAITING_DRAFT = "awaiting_draft", "Decision to issue made: draft plan due"
    DRAFT_ISSUED = "draft_issued", "Draft plan issued: comment period"
    PLAN_ISSUED = "plan_issued", "Final plan issued"
    NOT_ASSESSED = "not_assessed", "Decided not to assess"
    NO_PLAN = "no_plan", "Decided not to issue a plan"
    CLOSED = "closed", "Closed"


OPEN_STAGES = (Stage.AWAITING_DECISION, Stage.ASSESSING, Stage.AWAITING_DRAFT, Stage.DRAFT_ISSUED)


class AdviserType(models.TextChoices):
    """Advice sought under reg 6(1) of the SEND Regulations 2014."""

    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education (school or setting)"
    OTHER = "other", "Other"


# Which kind of advice each adviser role gives (reg 6(1)(b) to (e)), by role code.
ADVICE_OF_ROLE: dict[str, str] = {
    "educational_psychologist": AdviserType.EDUCATIONAL_PSYCHOLOGY,
    "health_adviser": AdviserType.HEALTH,
    "social_care_adviser": AdviserType.SOCIAL_CARE,
}


class ExceptionReason(models.TextChoices):
    """Exceptions to the time limits: reg 5(4), 8(2), 10(4), 13(3), 27(3); SI 2020/471."""

    SCHOOL_CLOSURE = "school_closure", "School or college closed for 4 weeks or more"
    EARLY_YEARS_CLOSURE = "early_years_closure", "Early years provider closed for 4 weeks or more"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances", "Exceptional personal circumstances"
    ABSENT_FROM_AREA = "absent_from_area", "Absent from the area for 4 weeks or more"
    MISSED_APPOINTMENT = "missed_appointment", "Missed an appointment for advice"
    CORONAVIRUS = "coronavirus", "Coronavirus (1 May to 25 September 2020)"


class SENType(models.TextChoices):
    """SEN2 `SENtype` primary and secondary need codes (docs/domain/sen2.md, module 5c)."""

    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Vision impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    DS = "DS", "Down syndrome"
    OTH = "OTH", "Other difficulty"


class SENSetting(models.TextChoices):
    """SEN2 `SENsetting` codes for a placement without a URN or UKPRN (docs/domain/sen2.md, 4b)."""

    OLA = "OLA", "Other LA arrangements, including education otherwise than at school"
    OPA = "OPA", "Other arrangements by parents, excluding elective home education"
    EHE = "EHE", "Elective home education"
    EYP = "EYP", "Early years provider with no URN"
    OTH = "OTH", "Other (plan names a type of setting)"
    NEET = "NEET", "Not in education, employment or training (16 to 25)"
    NIEC = "NIEC", "Not in education or training: notice to cease issued"
    NIEO = "NIEO", "Not in education or training: other"


class CeaseReason(models.TextChoices):
    """SEN2 `CeaseReason` (docs/domain/sen2.md, module 4a)."""

    MAX_AGE = "1", "Reached maximum age"
    NEEDS_MET = "2", "Education or training needs met without a plan"
    HIGHER_EDUCATION = "3", "Moved on to higher education"
    EMPLOYMENT = "4", "Paid employment"
    TRANSFERRED = "5", "Transferred to another LA in England"
    NO_ENGAGEMENT = "6", "No longer wishes to engage in education or training"
    MOVED_OUTSIDE_ENGLAND = "7", "Moved outside England"
    DECEASED = "8", "Deceased"
    OTHER = "9", "Other"


class ReviewOutcome(models.TextChoices):
    MAINTAIN = "maintain", "Maintain the plan"
    AMEND = "amend", "Amend the plan"
    CEASE = "cease", "Cease the plan"


class TransferInDecision(models.TextChoices):
    """What the receiving authority tells the family within 6 weeks of a transfer (reg 15)."""

    REVIEW = "review", "Review the plan"
    ASSESS = "assess", "Carry out an EHC needs assessment"
    NEITHER = "neither", "Maintain the plan until its next review"


class DisagreementKind(models.TextChoices):
    MEDIATION = "mediation", "Mediation"
    TRIBUNAL = "tribunal", "Appeal to the First-tier Tribunal (SEND)"


class DisagreementStage(models.TextChoices):
    """Which decision is disputed: SEN2 Request/Assessment/Other mediation and tribunal flags."""

    REQUEST = "request", "Decision not to assess"
    ASSESSMENT = "assessment", "Decision after assessment or plan content"
    OTHER = "other", "Other"


class InstitutionKind(models.TextChoices):
    EARLY_YEARS = "early_years", "Early years"
    PRIMARY = "primary", "Primary school"
    SECONDARY = "secondary", "Secondary school"
    ALL_THROUGH = "all_through", "All-through school"
    SPECIAL = "special", "Special school"
    ALTERNATIVE_PROVISION = "ap", "Alternative provision"
    COLLEGE = "college", "Further education college"
    INDEPENDENT_SPECIAL = "independent_special", "Independent special school"
