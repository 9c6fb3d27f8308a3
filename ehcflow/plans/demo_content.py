"""Invented but realistic content for the demo's final EHC plans, sections A to K.

Every demo plan finalised since 1 January 2024 gets a whole document, written from what the
demo already knows about the child: forename, sex and date of birth (so the age and school
phase on the day the plan was issued), the SEN2 needs in rank order, the setting named in
section I, whether there is a personal budget, and the advice gathered for the assessment.

Variety comes from a phrase bank, not from one paragraph repeated: for each primary need
(SEN2 `SENtype`: ASD, SLCN, SEMH, MLD, SLD, PMLD, SPLD, HI, VI, MSI, PD, DS, OTH, and NSA
for "no specialist assessment") there are several needs per broad area of the Code of
Practice (6.28-6.35), each carrying the outcome it leads to, the steps towards it and the
provision that meets it, so that the golden thread (need → outcome → provision) holds. Each
text holds alternatives written `[one|another|a third]`, chosen with a random generator
seeded by the demo seed and the case reference, so the same seed always writes the same
words. Phase (early years, primary, secondary, post-16) changes who teaches, where, and what
the child hopes for.

Everything here is pure: `plan_content(facts, rng)` returns a `PlanContent`; reading the
facts from the database and saving the versions is `write_demo_documents` at the bottom.

Longer than 500 lines on purpose: most of it is the bank of invented wording (needs, outcomes,
provision, views) that keeps every demo plan different; the code that uses it is short.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ehcflow.demo import names
from ehcflow.plans.content import (
    Appendix,
    Need,
    Outcome,
    Paragraph,
    PersonalBudget,
    Placement,
    PlanContent,
    Provision,
    Source,
    to_dict,
)
from ehcflow.statutory.dates import age_on

# Plans finalised on or after this day get a document in the demo (the issue: "every demo
# final plan issued since 2024").
DOCUMENTS_FROM = date(2024, 1, 1)

CI = "Communication and interaction"
CL = "Cognition and learning"
SEMH = "Social, emotional and mental health"
SP = "Sensory and/or physical needs"
AREA_ORDER = (CI, CL, SEMH, SP)

# The broad areas each primary need usually brings, most important first (Code of
# Practice 6.28-6.35): a child's plan covers the primary need's areas and its secondary
# needs' first areas.
AREAS_OF_NEED: dict[str, tuple[str, ...]] = {
    "ASD": (CI, SEMH, SP), "SLCN": (CI, CL), "SEMH": (SEMH, CI), "MLD": (CL, CI),
    "SLD": (CL, CI, SP), "PMLD": (CL, SP, CI), "SPLD": (CL, SEMH), "HI": (SP, CI),
    "VI": (SP, CL), "MSI": (SP, CI), "PD": (SP, CL), "DS": (CL, CI, SP), "OTH": (CL, SEMH),
    "NSA": (CL, SEMH),
}

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")


def expand(template: str, rng: random.Random, words: Mapping[str, str]) -> str:
    """A template with each `[a|b|c]` replaced by one alternative and `{name}` filled in.

    Innermost alternatives are chosen first, so alternatives may nest.
    """
    text = template
    while True:
        text, count = _ALTERNATIVES.subn(lambda m: rng.choice(m.group(1).split("|")), text)
        if not count:
            break
    return text.format_map(words)


# --- Facts about one plan ------------------------------------------------------------------


@dataclass(frozen=True)
class AdviceFact:
    """One piece of advice gathered for the assessment (reg 6(1)), as section K lists it."""

    kind: str  # casework.choices.AdviserType value
    organisation: str
    received_on: date | None


@dataclass(frozen=True)
class PlanFacts:
    """What the demo knows about a plan before its document is written."""

    case_ref: str
    forename: str
    sex: str  # "F", "M" or "U"
    date_of_birth: date
    issued_on: date
    needs: tuple[str, ...]  # SEN2 codes, primary first
    setting_type: str
    setting_name: str = ""
    urn: str = ""
    personal_budget: bool = False
    advice: tuple[AdviceFact, ...] = ()
    requested_on: date | None = None


# --- Phase and words -----------------------------------------------------------------------


def phase_of(facts: PlanFacts) -> str:
    """"early", "primary", "secondary" or "post16" on the day the plan was issued."""
    age = age_on(facts.date_of_birth, facts.issued_on)
    if age < 4 or (age == 4 and _school_year(facts) < 0):
        return "early"
    if _school_year(facts) <= 6:
        return "primary"
    if _school_year(facts) <= 11:
        return "secondary"
    return "post16"


def _school_year(facts: PlanFacts) -> int:
    """National curriculum year on the issue date (reception is 0): the September after the
    fourth birthday, with the school year counted from 1 September."""
    dob = facts.date_of_birth
    # Born 1 September to 31 August: the cohort starts reception in the September after
    # the child turns 4.
    reception = dob.year + 4 + (1 if dob.month >= 9 else 0)
    return _year_start(facts.issued_on) - reception


def _year_start(day: date) -> int:
    """The calendar year the school year of `day` began in. A plan issued in August is
    written for the school year starting in September."""
    return day.year if day.month >= 8 else day.year - 1


def by_when(facts: PlanFacts) -> str:
    """The end of the next key stage (or of nursery, or of the course) after the plan."""
    year = _school_year(facts)
    start = _year_start(facts.issued_on)
    for last_year, label in ((-1, "By the time {name} starts school"), (2, "By the end of "
                             "Key Stage 1"), (6, "By the end of Key Stage 2"), (9, "By the "
                             "end of Key Stage 3"), (11, "By the end of Key Stage 4"),
                             (13, "By the end of {his} study programme")):
        if year <= last_year:
            ends = start + (last_year - year) + 1
            month = "September" if last_year == -1 else "July"
            return f"{label} ({month} {ends})"
    return f"By the end of {{his}} course (July {start + 1})"


def words_for(facts: PlanFacts) -> dict[str, str]:
    # Sex not known: the plan uses the child's name rather than a pronoun, which keeps every
    # sentence grammatical ("Sam finds", never "they finds").
    he, him, his = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}.get(
        facts.sex, (facts.forename, facts.forename, f"{facts.forename}'s"))
    phase = phase_of(facts)
    setting, staff, adult, senco, learning = {
        "early": ("nursery", "key person", "early years practitioner", "setting's SENCo",
                  "play"),
        "primary": ("school", "class teacher", "teaching assistant", "SENCo", "lessons"),
        "secondary": ("school", "subject teachers", "teaching assistant", "SENCo", "lessons"),
        "post16": ("college", "tutors", "learning support assistant",
                   "additional learning support manager", "sessions"),
    }[phase]
    return {
        "name": facts.forename, "he": he, "him": him, "his": his, "He": he[:1].upper() + he[1:],
        "His": his[:1].upper() + his[1:], "setting": setting, "staff": staff, "adult": adult,
        "senco": senco, "learning": learning, "is": "is", "has": "has",
        "himself": {"he": "himself", "she": "herself"}.get(he, facts.forename),
    }


# --- Section A: views, interests and aspirations --------------------------------------------

INTERESTS: dict[str, tuple[str, ...]] = {
    "early": ("playing in the sand and water tray", "splashing in puddles", "Hey Duggee",
              "singing nursery rhymes", "building towers with bricks", "feeding the ducks",
              "bubbles", "the swings at the park", "toy cars and garages", "jigsaws",
              "looking at picture books with {his} grandma", "dinosaurs", "Bluey",
              "dancing to music", "the tablet", "messy play with paint"),
    "primary": ("Minecraft", "football", "drawing comics", "Lego", "swimming", "dinosaurs",
                "trains and timetables", "baking with {his} dad", "gymnastics", "Pokemon cards",
                "riding {his} scooter", "animals, especially {his} dog", "space and planets",
                "Beavers", "dance classes", "making slime", "YouTube videos about volcanoes",
                "growing tomatoes in the garden"),
    "secondary": ("gaming with friends online", "music production", "anime", "football",
                  "cooking", "fishing with {his} uncle", "drawing", "the gym", "Formula 1",
                  "fixing bikes", "Scouts", "basketball", "Taylor Swift", "photography",
                  "coding", "horse riding", "Warhammer", "skateboarding"),
    "post16": ("cooking", "going to the gym", "music", "volunteering at the animal shelter",
               "gaming", "wheelchair basketball", "photography", "working on cars",
               "going into town with friends", "art", "gardening", "film and TV",
               "travelling on the train on {his} own"),
}

ADMIRED = (
    "[kind|caring|gentle] and [thoughtful|considerate] towards others",
    "[funny|cheeky] with a [great|wicked|brilliant] sense of humour",
    "[determined|persistent] and [does not give up|keeps trying] when something is hard",
    "[honest|truthful] and [loyal|a good friend]",
    "[creative|imaginative] and full of ideas",
    "[helpful|keen to help] around the [classroom|house|{setting}]",
    "[curious|inquisitive] and always asking questions",
    "[affectionate|loving] with {his} family",
    "[brave|resilient] about [hospital visits|new things|changes]",
    "[good with|gentle with] younger children and animals",
    "[has an amazing memory for facts|remembers every detail of things that matter to {him}]",
)

IMPORTANT = (
    "{his} [mum|dad|parents|grandparents|brother|sister|family] and [keeping to|knowing] "
    "{his} [routine|plan for the day]",
    "[having|seeing] {his} [friends|best friend] every day",
    "[knowing what is happening next|being told about changes in advance]",
    "[a quiet space|somewhere calm] to go when things feel [too much|overwhelming]",
    "[being listened to|people taking time to understand {him}]",
    "[time outdoors|being outside] every day",
    "[{his} pets|{his} cat|{his} dog] and [looking after them|taking them for walks]",
    "[feeling safe|being with people {he} trusts]",
    "[being treated the same as everyone else|not being singled out in front of others]",
)

SUPPORT_ME: dict[str, tuple[str, ...]] = {
    CI: ("Use {name}'s name before giving an instruction and [keep language short|use short "
         "sentences], [one step at a time|with one idea at a time].",
         "Give {name} [time to process|extra thinking time] ([count to ten|wait at least ten "
         "seconds]) before repeating a question.",
         "Show {name} what is going to happen with [a visual timetable|pictures|a now and "
         "next board].", ),
    CL: ("Break tasks into small steps and [check|make sure] {name} has understood each one.",
         "[Show {name}|Model for {name}] what to do before asking {him} to try on {his} own.",
         "[Praise effort, not just results|Notice and praise what {name} has tried]."),
    SEMH: ("Stay calm and use [few words|a quiet voice] when {name} is upset.",
           "[Warn|Tell] {name} about changes [in advance|as early as possible].",
           "[Let|Allow] {name} [take a movement break|go to {his} calm space] when {he} "
           "[asks|shows the agreed card]."),
    SP: ("Make sure {name} [sits|is seated] where {he} can [see and hear|access] the "
         "[teacher|adult] [clearly|easily].",
         "[Check|Make sure] {his} [equipment|aids] [are|is] [working|charged] at the start "
         "of the day.",
         "[Plan|Allow] extra time for {name} to move between [rooms|activities]."),
}

ASPIRATIONS: dict[str, tuple[str, ...]] = {
    "early": ("{name}'s family would like {him} to [make friends|play alongside other "
              "children] and [be happy|feel settled] when {he} starts school.",
              "{name}'s parents hope {he} will [be able to|learn to] tell them what {he} "
              "wants and [what|how] {he} feels."),
    "primary": ("{name} says: \"When I grow up I want to be [a vet|a footballer|a "
                "firefighter|a YouTuber|an artist|a scientist|a chef|a police officer|a "
                "teacher].\"",
                "{name}'s family want {him} to [be happy at school|enjoy school], [have good "
                "friends|keep {his} friendships] and [learn to read|become more "
                "independent|feel confident]."),
    "secondary": ("{name} would like to [go to college|study [animal care|catering|art and "
                  "design|motor vehicle maintenance|computing|sport]] after Year 11 and "
                  "[one day|eventually] [get a job|work] [with animals|in a kitchen|in a "
                  "garage|with computers|in a shop|outdoors].",
                  "{name}'s parents hope {he} will [leave school with qualifications|pass "
                  "{his} exams], [travel independently|use the bus on {his} own] and [have a "
                  "job {he} enjoys|live as independently as possible]."),
    # Profound, severe and multi-sensory needs: hopes about comfort, communication, belonging.
    "complex": ("{name}'s family want {him} to be [comfortable|happy and comfortable], [to "
                "stay as healthy as possible|to keep well], and to [show|tell] people what "
                "{he} likes and does not like [in {his} own way|with signs, sounds and "
                "looks].",
                "{name}'s parents hope {he} will [enjoy being with other people|be part of "
                "{his} community], [go on trips|try new experiences] and [have|keep] "
                "[people around {him} who understand {him}|familiar adults who know {him} "
                "well] as {he} grows up."),
    "post16": ("{name} wants to [get a paid job|work] [in a café|in retail|in an "
               "office|with animals|in hospitality|in gardening], [live in {his} own flat "
               "with some support|share a house with friends] and [keep in touch with {his} "
               "friends|be part of {his} community].",
               "{name}'s family hope {he} will [manage {his} own money|cook simple "
               "meals|travel independently] and [stay healthy|be happy and settled] as "
               "{he} moves into adult life."),
}

FAMILY_VIEW = (
    "{name}'s [mum|dad|parents|mum and stepdad|grandmother, who is {his} special guardian,] "
    "[said|told us|explained] that [school|{his} {setting}|home life] has been "
    "[hard|difficult|a struggle] [for {him}|for the family] [recently|this year|since "
    "{his} last move], and that [{he} is happiest|{he} does best] when [adults|people] "
    "[understand|know] {his} needs. [They|The family] [want|would like] [clear "
    "communication|regular updates] from the {setting} and [to be involved in|to be part of] "
    "[planning|decisions about] {his} support."
)


COMPLEX = frozenset({"PMLD", "SLD", "MSI"})


def _views(facts: PlanFacts, rng: random.Random, w: Mapping[str, str],
           areas: Sequence[str]) -> tuple[Paragraph, ...]:
    phase = phase_of(facts)
    family = Source("family", "Views of the child and family", dated=facts.requested_on)
    # "About me" is in the child's own words: "my dog", not "his dog".
    mine = {**w, "his": "my", "him": "me", "he": "I"}
    likes = [expand(like, rng, mine) for like in rng.sample(INTERESTS[phase], 3)]
    about = expand(
        "[My name is {name}|I am {name}|Hello, I'm {name}] and [I am|I'm] "
        f"{age_on(facts.date_of_birth, facts.issued_on)}. I [like|love|really enjoy] "
        f"{likes[0]}, {likes[1]} and {likes[2]}. "
        "[I don't like|I find it hard to cope with|I get upset by] [loud noises|crowds|"
        "changes to my day|being rushed|busy playtimes|crowded corridors].",
        rng, w)
    admired = rng.sample(ADMIRED, 2)
    people_say = expand(f"People who know {{name}} say {{he}} {{is}} {admired[0]}, and "
                        f"{admired[1]}.", rng, w)
    important = rng.sample(IMPORTANT, 2)
    matters = expand(f"What matters to {{name}} is {important[0]}, and {important[1]}.",
                     rng, w)
    tips = [expand(rng.choice(SUPPORT_ME[a]), rng, w) for a in areas[:3]]
    return (
        Paragraph(about, family, "About me"),
        Paragraph(people_say, family, "What people like and admire about me"),
        Paragraph(matters, family, "What is important to me"),
        Paragraph(" ".join(tips), family, "How best to support me"),
        Paragraph(expand(rng.choice(ASPIRATIONS["complex" if set(facts.needs[:1]) & COMPLEX
                                                else phase]), rng, w), family,
                  "My hopes and aspirations for the future"),
        Paragraph(expand(FAMILY_VIEW, rng, w), family, "What my family say"),
    )


# --- Sections B, E and F: needs, outcomes and provision, by area -----------------------------


@dataclass(frozen=True)
class Thread:
    """One need with the outcome it leads to and the provision that meets it."""

    need: str
    outcome: str
    steps: tuple[str, ...]
    provision: tuple[tuple[str, str, str, str], ...]  # (what, how often, how much, by whom)


# How often and how much, and who; chosen per item so the quantities vary.
OFTEN = ("[Daily|Every day]", "[3|4] times a week", "Twice a week", "Weekly", "Each morning",
         "[Every lesson|In every lesson]", "[5|4] days a week")
AMOUNT = ("15 minutes", "20 minutes", "30 minutes", "45 minutes", "1 hour", "10 minutes")


def _t(need: str, outcome: str, steps: Iterable[str],
       *provision: tuple[str, str, str, str]) -> Thread:
    return Thread(need, outcome, tuple(steps), provision)


BANK: dict[str, dict[str, tuple[Thread, ...]]] = {
    CI: {
        "ASD": (
            _t("{name} was diagnosed with autism by the [child development centre|"
               "community paediatrician|autism assessment team]. {He} [finds it hard|"
               "struggles] to [understand|follow] [spoken instructions given to the whole "
               "class|instructions with more than one step], [particularly|especially] when "
               "[there is background noise|{he} is anxious|the language is abstract].",
               "{name} will [follow|carry out] [two-step|three-step] instructions given to "
               "a small group, [with|using] a visual prompt, [in|during] [4 out of 5|most] "
               "{learning}.",
               ("Follow a one-step instruction with a visual prompt in a 1:1 setting.",
                "Follow a two-step instruction given to a small group.",
                "[Check|Show] understanding by [repeating|showing] what to do first."),
               ("[Individual|Personal] visual timetable and [now and next board|task "
                "strip] for {name}, [updated|changed] with {him} at the start of each "
                "[session|day] and [referred to|used] at every [transition|change]",
                "Daily", "10 minutes", "{adult} trained in autism"),
               ("Structured [language|communication] group ([Lego-based therapy|Attention "
                "Autism|a social communication group]) for {name} with [two|three] [other "
                "children|peers], [planned|set] by the speech and language therapist",
                "[Twice a week|3 times a week]", "30 minutes",
                "{adult} [trained and supervised|supervised] by a speech and language "
                "therapist")),
            _t("{name} [finds social interaction difficult|is still learning how to join in "
               "with others]. {He} [tends to|will often] [play alone|stay on the edge of "
               "group activities] and [can find it hard to|does not yet] [take turns|read "
               "other people's feelings|start a conversation].",
               "{name} will [start and keep going|take part in] a [short|simple] "
               "[conversation|shared game] with a [peer|friend], [taking|with] [three|four] "
               "turns, [without adult help|with only a reminder].",
               ("Take turns in a structured game with an adult.",
                "Take turns in a game with one peer and an adult nearby.",
                "Start a conversation with a peer using a prompt card."),
               ("Social communication [sessions|group] using [social stories|comic strip "
                "conversations|Talkabout] [planned|written] for {name}, [practising|"
                "rehearsing] [greetings, turn-taking and asking for help|joining a game]",
                "Twice a week", "20 minutes", "{adult} under the direction of the {senco}")),
        ),
        "SLCN": (
            _t("{name} has [a developmental language disorder|a speech sound disorder|"
               "delayed expressive and receptive language]. {His} [understanding of "
               "vocabulary|receptive language] [is below|is well below] that expected for "
               "{his} age ([standard score|CELF score] [68|72|74|77|79] on the [CELF-5|"
               "BPVS-3|CELF-Preschool 2])",
               "{name} will [understand and use|learn and use] [ten|twelve|fifteen] new "
               "topic words each half term, [using them correctly in a sentence|explaining "
               "their meaning] [in class|in {learning}].",
               ("Recognise new topic words when shown a picture.",
                "Say what new words mean with a prompt.",
                "Use new words in a spoken sentence without a prompt."),
               ("Pre-teaching of [topic|subject] vocabulary for {name} using [word maps|"
                "Word Aware|a vocabulary book], [one to one|in a small group], [before|ahead "
                "of] each new topic",
                "3 times a week", "15 minutes", "{adult} trained in Word Aware"),
               ("Direct speech and language therapy for {name} [to work on|targeting] "
                "[narrative skills|sentence structure|speech sounds], with a programme "
                "[left|set] for staff to follow between visits",
                "[Six sessions each term|Fortnightly]", "45 minutes",
                "Speech and language therapist (Dunmore Speech and Language Therapy)")),
            _t("{name}'s speech [is hard to understand|is not always clear] to [unfamiliar "
               "listeners|people who do not know {him}], and {he} [becomes frustrated|gives "
               "up] when {he} is not understood.",
               "{name} will [be understood by|make {himself} understood to] unfamiliar "
               "adults [most of the time|in 8 out of 10 attempts] [when talking about "
               "familiar topics|in everyday conversation].",
               ("Say target sounds correctly in single words.",
                "Say target sounds correctly in short phrases.",
                "Use target sounds in conversation with a familiar adult."),
               ("Speech sound practice for {name} following the therapist's [programme|"
                "plan], [using|with] [games|picture cards] [to practise|targeting] "
                "[/k/ and /g/|/s/ clusters|final consonants]",
                "Daily", "10 minutes", "{adult} trained by the speech and language "
                "therapist")),
        ),
        "*": (
            _t("{name} [needs more time|takes longer] to [process|understand] [spoken|verbal] "
               "information and [can lose track of|may miss] [instructions|what is said] "
               "[in a busy room|when several people talk].",
               "{name} will [ask for help|tell an adult] when {he} has not understood, "
               "[using a help card or words|in words or with {his} card], in [most|4 out of "
               "5] {learning}.",
               ("Use a help card with an adult prompt.",
                "Use a help card without a prompt.",
                "Ask for help in words."),
               ("[Adults|Staff] [simplify|chunk] instructions for {name}, [back them up|"
                "support them] with [visuals|gestures or pictures] and check understanding "
                "[individually|one to one] [after|following] whole-class teaching",
                "[Every lesson|In every lesson]", "5 minutes each time",
                "{staff} and {adult}")),
            _t("{name} [finds it hard to|does not yet] [explain|talk about] [what has "
               "happened|{his} ideas] in [order|sequence], and [uses short sentences|leaves "
               "out important details].",
               "{name} will [retell|tell] a [short story|recent event] in the right order "
               "using [first, next, then and last|four linked sentences].",
               ("Sequence three pictures of a familiar event.",
                "Tell an adult about an event using the pictures.",
                "Tell a peer about an event without pictures."),
               ("Narrative [group|intervention] for {name} (Colourful Semantics or "
                "[a story grammar programme|story maps]) [to build|building] sentence "
                "[length|structure]",
                "Twice a week", "20 minutes", "{adult} trained in Colourful Semantics")),
        ),
    },
    CL: {
        "SPLD": (
            _t("{name} has [dyslexia|a specific learning difficulty affecting reading and "
               "spelling]. {His} [reading accuracy|single word reading] is [well below|below] "
               "{his} [age|peers] (standardised score [71|74|76|78|80|82]) and {he} [relies "
               "on|overuses] [guessing from the first letter|the pictures].",
               "{name} will read [an age-appropriate|a decodable] text [accurately|with 95% "
               "accuracy] and [answer|respond to] [three|four] questions about it.",
               ("Blend [CVC|CCVC] words accurately.", "Read common exception words on sight.",
                "Read a short decodable text with 90% accuracy."),
               ("Structured, multisensory literacy [programme|teaching] for {name} "
                "([Toe by Toe|Read Write Inc. Fresh Start|Nessy|Precision Teaching]), "
                "[one to one|in a group of no more than three]",
                "[4|5] times a week", "20 minutes",
                "{adult} trained in the programme, overseen by a specialist teacher"),
               ("Assistive technology for {name}: [a reading pen|text-to-speech software|"
                "speech-to-text on a laptop] [in all lessons|for written work], with "
                "[training|coaching] in how to use it",
                "[Every lesson|In every lesson]", "As needed in each lesson",
                "{senco} to arrange; {staff} to use")),
            _t("{name} [finds it hard|struggles] to [get {his} ideas down in writing|write at "
               "length], and {his} [spelling|handwriting] [is|makes {his} work] "
               "[difficult to read|slow].",
               "{name} will [write|produce] a [paragraph|piece of writing] of [five|six] "
               "sentences [using|with] a [writing frame|word bank] and [spell|correct] "
               "[80%|most] of common words [correctly|accurately].",
               ("Plan writing orally with an adult.", "Use a writing frame for three "
                "sentences.", "Check spelling of common words with a word bank."),
               ("[Spelling|Writing] intervention for {name} ([Sound Linkage|Stile|Nessy "
                "Writing Beach]) with [overlearning|regular review] of [high-frequency "
                "words|spelling patterns]",
                "3 times a week", "15 minutes", "{adult}")),
        ),
        "MLD": (
            _t("{name} [has moderate learning difficulties|learns more slowly than {his} "
               "peers] ([cognitive assessment|British Ability Scales] in the [low|very low] "
               "range). {He} [needs|benefits from] [repetition|practical "
               "resources] to [remember|retain] new [learning|skills].",
               "{name} will [know|recall] number bonds to [10|20] and use them to [solve|"
               "answer] [simple addition problems|money problems] [using|with] "
               "[concrete resources|a number line].",
               ("Count objects reliably to 20.", "Recall number bonds to 10 with "
                "resources.", "Solve a money problem with coins."),
               ("Small-group [numeracy|maths] teaching for {name} using concrete "
                "[resources|apparatus] ([Numicon|Dienes|counters]) [and|with] [pre-teaching|"
                "overlearning] of [each week's|new] [concepts|maths]",
                "Daily", "20 minutes", "{adult} under the direction of the {staff}"),
               ("[Adapted|Differentiated] curriculum for {name} in [English and maths|"
                "core subjects], with work [set|planned] at {his} level and [broken into "
                "small steps|checked often]",
                "[Every lesson|In every lesson]", "All of each lesson", "{staff}")),
            _t("{name} [finds it hard|struggles] to [remember|hold in mind] [instructions|"
               "information] [long enough to|while {he} tries to] [complete|finish] "
               "a task ([working memory|verbal memory] [well below|below] average).",
               "{name} will [complete|finish] a [three-step|two-step] task [independently|"
               "on {his} own] using a [task list|checklist].",
               ("Complete a one-step task with a picture prompt.",
                "Use a task list for a two-step task with an adult nearby.",
                "Use a task list on {his} own."),
               ("Memory [strategies|skills] [programme|sessions] for {name} ([Memory "
                "Magic|chunking and rehearsal|visual checklists]), [applied|practised] in "
                "[class|{learning}]",
                "Twice a week", "15 minutes", "{adult}")),
        ),
        "*": (
            _t("{name} [is working well below|is working below] [age-related expectations|"
               "the level expected for {his} age] in [reading, writing and maths|literacy "
               "and numeracy], [currently working at|at about] [the level of a child two "
               "years younger|Year [1|2|3] level].",
               "{name} will [make|show] [measurable progress|progress] in [reading and "
               "maths|literacy and numeracy], [meeting|achieving] {his} [small-step|"
               "individual] targets [each term|every term].",
               ("Targets set and reviewed with {name} each half term.",
                "Reads and writes familiar words in {his} work.",
                "Uses number facts in practical tasks."),
               ("Individual [learning|support] [plan|programme] for {name}, [reviewed|"
                "updated] [termly|each term] with {his} family, with [small-step|"
                "personalised] targets in [reading, writing and maths|literacy and "
                "numeracy]",
                "Termly review; daily teaching", "30 minutes a day", "{senco} and {staff}")),
            _t("{name} [needs|relies on] [adult support|an adult's help] to [start|stay "
               "on] [tasks|work] and [can become|becomes] [distracted|stuck] [quickly|"
               "without it].",
               "{name} will [start|begin] work [independently|on {his} own] [within|in] "
               "[two|three] minutes [in|during] [most|4 out of 5] {learning}.",
               ("Starts work with a visual prompt and adult nearby.",
                "Uses a now and next card to start work.",
                "Starts work with no more than one reminder."),
               ("Adult support for {name} [in|during] [English and maths|core lessons] to "
                "[help {him} start and stay on|break down and complete] tasks, [reduced|"
                "faded] as {he} [grows in|gains] [independence|confidence]",
                "[Daily|5 days a week]", "[10|12|15] hours a week", "{adult}")),
        ),
        "SLD": (
            _t("{name} has severe learning difficulties and [is working at|is learning at] "
               "[the early stages of the curriculum|the engagement model stage|pre-key stage "
               "standards]. {He} [is learning|is beginning] to [recognise|match] [symbols|"
               "objects of reference|photographs].",
               "{name} will [use|choose from] [six|eight|ten] [symbols|objects of reference] "
               "to [make choices|ask for what {he} wants] [during the day|at snack and "
               "play].",
               ("Choose between two objects of reference.",
                "Choose between two symbols at snack time.",
                "Use symbols to ask for an activity."),
               ("[Sensory|Multi-sensory] curriculum for {name} [delivered|taught] in a "
                "class of no more than [eight|ten] pupils with [a high adult ratio|three "
                "adults]",
                "[Daily|Every day]", "The whole school day", "Specialist teacher and "
                "teaching assistants"),
               ("Total communication approach ([Makaton signs|symbols|objects of "
                "reference|PECS]) used consistently with {name} [across the day|in every "
                "activity]",
                "[Daily|Every day]", "Throughout the day", "All staff trained in Makaton")),),
        "PMLD": (
            _t("{name} has profound and multiple learning difficulties. {He} [responds|shows "
               "awareness] [to familiar voices|to music|to light and touch] and [is "
               "learning|is beginning] to [anticipate|show that {he} expects] [familiar "
               "routines|what comes next].",
               "{name} will [show|indicate] [anticipation|that {he} knows what is coming] "
               "[with a smile, vocalisation or movement|by looking or reaching] [when|as] "
               "familiar [cues|objects of reference] are [used|presented].",
               ("Responds to an object of reference.",
                "Shows anticipation in a daily routine.",
                "Makes a choice between two objects by looking."),
               ("[Intensive interaction|Sensory story] sessions with {name} [to build|"
                "developing] [attention and shared engagement|early communication]",
                "Daily", "20 minutes", "{adult} trained in intensive interaction"),
               ("[Personal care|Learning] programme for {name} [delivered by|with] two "
                "adults, [following|according to] {his} [moving and handling|personal "
                "care] plan",
                "[Daily|Every day]", "As set out in the plan, about 1 hour a day",
                "Two trained support assistants")),),
        "DS": (
            _t("{name} has Down syndrome. {He} [learns best|learns most] [visually|through "
               "pictures and demonstration] and [finds it hard|needs more time] to [learn|"
               "remember] [number|new vocabulary] [through listening alone|from spoken "
               "explanation].",
               "{name} will [read|recognise] [fifty|sixty|eighty] [key words|common words] "
               "[on sight|by sight] and [use them|read them] in [simple sentences|short "
               "books].",
               ("Match pictures to words.", "Read 20 key words on sight.",
                "Read a short book with familiar words."),
               ("[Whole-word|Sight word] reading programme for {name} ([See and Learn|"
                "the Down Syndrome Education International programme]) [with|using] "
                "[flash cards and matching games|visual supports]",
                "Daily", "15 minutes", "{adult} trained in See and Learn"),),),
    },
    SEMH: {
        "SEMH": (
            _t("{name} [experiences|has] [high levels of anxiety|strong emotions] which "
               "[can lead to|sometimes result in] [leaving the classroom|refusing to "
               "work|verbal outbursts] [when|if] {he} feels [overwhelmed|criticised|"
               "unsafe].",
               "{name} will [recognise|name] [when {he} is becoming anxious|{his} feelings] "
               "and use [an agreed|a chosen] [calming|regulation] strategy [with|without] "
               "adult [prompting|help] [in most situations|in 4 out of 5 situations].",
               ("Name feelings using a Zones of Regulation chart.",
                "Choose a calming strategy with an adult.",
                "Use a calming strategy with only a reminder."),
               ("Emotional literacy [sessions|support] for {name} with the [ELSA|"
                "emotional literacy support assistant] ([Zones of Regulation|Lego "
                "therapy|the Incredible 5-Point Scale])",
                "Weekly", "45 minutes", "Trained ELSA"),
               ("[Agreed|Planned] [calm space|safe space] and [exit card|time-out card] for "
                "{name}, with a key adult [to check in|for a check-in] at the start and "
                "end of each day",
                "Daily", "10 minutes twice a day", "Named key adult")),
            _t("{name} [finds it hard|struggles] to [keep friendships|manage "
               "disagreements with peers] and [has had|has been given] [fixed-term "
               "exclusions|suspensions|internal exclusions] [this year|in the past year].",
               "{name} will [sort out|resolve] [disagreements|conflicts] with peers [using "
               "words|calmly] [and restorative conversations|and ask an adult for help] "
               "[without|with no] [incidents of physical aggression|exclusions] [each "
               "half term|over a term].",
               ("Talk through a disagreement with an adult afterwards.",
                "Use a restorative script with an adult present.",
                "Sort out a small disagreement on {his} own."),
               ("[Restorative|Solution-focused] mentoring for {name} [with|from] a [learning "
                "mentor|pastoral lead], [reviewing|talking through] [the week|incidents] "
                "and [planning|practising] [responses|strategies]",
                "Weekly", "30 minutes", "Learning mentor")),
        ),
        "*": (
            _t("{name} [can become|becomes] [anxious|worried] [about|when faced with] "
               "[new situations|changes to routine|tests|unstructured times], and [this "
               "affects|it gets in the way of] {his} [learning|confidence] [and "
               "attendance|and friendships].",
               "{name} will [take part in|manage] [changes|new activities] [calmly|with "
               "confidence] [when given warning|with a visual plan] and [attend|be at "
               "{setting}] [at least 95%|over 95%] of the time.",
               ("Looks at a visual plan for changes each morning.",
                "Tells an adult when worried, using words or a card.",
                "Manages a planned change calmly."),
               ("[Advance warning|Preparation] for {name} of [changes|new activities|trips] "
                "with a [social story|visual plan|transition booklet], and a named adult "
                "to [go to|talk to]",
                "[Before every change|As changes arise, at least weekly]",
                "10 minutes each time", "Named key adult")),
            _t("{name} has [low self-esteem|little confidence in {himself} as a learner] "
               "and [says|often says] [\"I can't do it\"|that {he} is stupid|{he} is no "
               "good at things].",
               "{name} will [say|identify] [three|two] things {he} is good at and "
               "[try|attempt] new tasks [without|with fewer] [negative comments|refusals].",
               ("Keeps a record of successes with an adult.",
                "Chooses a challenge task once a week.",
                "Tells others about something {he} is proud of."),
               ("[Self-esteem|Confidence] [group|sessions] for {name} ([Circle of "
                "Friends|a nurture group|Drawing and Talking]) with [regular|weekly] "
                "[celebration|sharing] of [achievements|progress]",
                "Weekly", "[40|45] minutes", "{adult} trained in the approach")),
        ),
    },
    SP: {
        "HI": (
            _t("{name} has a [moderate|severe|bilateral moderate] [sensorineural|permanent] "
               "hearing loss and wears [hearing aids|a cochlear implant]. {He} [misses|"
               "finds it hard to hear] [what is said|speech] [in noisy rooms|at a distance|"
               "when several people speak].",
               "{name} will [use|manage] {his} [radio aid|hearing technology] [every day|"
               "independently], [telling adults|letting an adult know] when it is not "
               "working.",
               ("Checks hearing aids with an adult each morning.",
                "Hands the radio aid to new adults.",
                "Tells an adult when equipment is not working."),
               ("[Radio aid|Remote microphone system] for {name}, checked [daily|each "
                "morning], with staff trained [in its use|to use it]",
                "Daily", "5 minutes for checks; worn all day",
                "Teacher of the deaf to train; {adult} to check"),
               ("Visits from a qualified teacher of the deaf to [advise staff|monitor "
                "{name}'s progress] and [pre-teach vocabulary|check listening "
                "conditions]",
                "[Twice each half term|Fortnightly]", "1 hour",
                "Qualified teacher of the deaf (Dunmore Sensory Support Service)")),),
        "VI": (
            _t("{name} has [a vision impairment|nystagmus|reduced vision in both eyes] and "
               "[needs|requires] [enlarged print|modified materials] ([N18|N24|N36] print "
               "on [buff|cream|yellow] paper) to [read|access learning].",
               "{name} will [use|manage] {his} [magnifier|low vision aids|iPad with "
               "magnification] [independently|on {his} own] to [read|access] [class "
               "texts|the board].",
               ("Uses a magnifier with adult help.", "Sets up the iPad camera to view the "
                "board.", "Uses low vision aids on {his} own in all lessons."),
               ("All [written|printed] materials for {name} [modified|enlarged] to [N18|"
                "N24] on [buff|cream] paper, prepared [in advance|before lessons]",
                "[Every lesson|In every lesson]", "All materials", "{adult}"),
               ("Habilitation and [mobility|independent travel] training for {name} "
                "[around the {setting}|on routes {he} uses]",
                "[Each half term|Termly]", "[Three|Six] sessions of 1 hour",
                "Qualified habilitation specialist")),),
        "MSI": (
            _t("{name} has multi-sensory impairment ([combined|both] hearing and vision "
               "loss) and [relies on|uses] [touch cues|objects of reference|on-body "
               "signing] to [understand|make sense of] [what is happening|the day].",
               "{name} will [respond to|recognise] [eight|ten] [consistent|agreed] touch "
               "cues [used|given] [during the day|in routines].",
               ("Responds to two touch cues in familiar routines.",
                "Anticipates the next activity from an object cue.",
                "Uses an object to ask for an activity."),
               ("[Intervenor|Specialist support] for {name} [trained|experienced] in "
                "multi-sensory impairment, [using|with] consistent touch cues",
                "Daily", "The whole school day",
                "Intervenor supervised by a qualified MSI teacher"),),),
        "PD": (
            _t("{name} has [cerebral palsy|a physical disability|hypermobility] which "
               "[affects|limits] {his} [fine motor skills|mobility|balance and "
               "coordination]. {He} [uses a walking frame for longer distances|uses a "
               "wheelchair to get around|needs a sloping board and adapted pencil for "
               "writing].",
               "{name} will [move around|get around] the {setting} [safely|independently] "
               "and [record|write] {his} work using [a laptop|adapted equipment] [at "
               "a speed that keeps up with|alongside] {his} peers.",
               ("Uses adapted equipment with adult set-up.",
                "Sets up adapted equipment on {his} own.",
                "Records work on a laptop at a useful speed."),
               ("Daily physiotherapy programme for {name} [set|written] by the NHS "
                "physiotherapist and [carried out|delivered] by trained staff",
                "Daily", "20 minutes", "{adult} trained by the physiotherapist"),
               ("Touch-typing [programme|sessions] for {name} ([Touch-type Read and "
                "Spell|BBC Dance Mat|Typing Club]) and a laptop for written work",
                "3 times a week", "15 minutes", "{adult}")),),
        "ASD": (
            _t("{name} [is|can be] [very sensitive|over-sensitive] to [noise|busy "
               "environments|certain textures and smells] and [covers {his} ears|becomes "
               "distressed] in [the dining hall|assemblies|busy corridors].",
               "{name} will [use|choose] [a sensory strategy|ear defenders or a movement "
               "break] to [stay regulated|manage] in [busy|noisy] [places|times of day] "
               "[with|after] [one|a single] reminder.",
               ("Uses ear defenders with an adult's prompt.",
                "Asks for a movement break using a card.",
                "Chooses a sensory strategy on {his} own."),
               ("Sensory diet for {name} [planned|set] by an occupational therapist, "
                "[with|including] [movement breaks|heavy work activities] and [ear "
                "defenders|a quiet workstation]",
                "[3 times a day|Daily]", "10 minutes each time",
                "{adult} trained by the occupational therapist"),),),
        "*": (
            _t("{name} [has difficulties with|is still developing] [fine motor skills|"
               "coordination|handwriting] and finds [cutting, fastening and "
               "writing|getting dressed for PE] [hard|slow].",
               "{name} will [fasten|manage] {his} [coat and shoes|clothes for PE] and "
               "[write|form letters] [legibly|correctly] [without help|on {his} own].",
               ("Completes fine motor warm-ups daily.",
                "Forms most letters correctly on lined paper.",
                "Gets changed for PE with one reminder."),
               ("Fine motor [skills|programme] for {name} ([Clever Fingers|Write from the "
                "Start|Funfit]) in a small group",
                "3 times a week", "15 minutes", "{adult}"),),),
    },
}

# Section C and G: health needs and health provision, for needs that commonly bring them.
HEALTH: dict[str, tuple[tuple[str, tuple[str, str, str, str]], ...]] = {
    "PD": (("{name} has [spastic diplegia|cerebral palsy] and [is under|is seen by] the "
            "community paediatrician and the children's physiotherapy service.",
            ("Physiotherapy review of {name}'s [programme|posture and equipment]",
             "[Termly|Each term]", "1 hour", "NHS children's physiotherapist")),),
    "PMLD": (("{name} has [epilepsy|complex epilepsy] and [is fed|receives nutrition] "
              "through a gastrostomy. {He} [has|needs] an individual health care plan.",
              ("Training for staff in {name}'s [epilepsy care plan|emergency medication] "
               "and gastrostomy feeding",
               "[Annually and when the plan changes|Once a year]", "2 hours",
               "Children's community nursing team")),),
    "DS": (("{name} [has|had] a [heart condition repaired in infancy|hearing loss from "
            "glue ear] and [is reviewed|is seen] [annually|each year] by [the "
            "cardiology clinic|audiology].",
            ("[Annual|Yearly] [audiology|health] review for {name} with [advice|"
             "recommendations] shared with the {setting}",
             "Once a year", "1 appointment", "NHS audiology service")),),
    "ASD": (("{name} [has difficulty sleeping|sleeps poorly] and [eats|accepts] a "
             "[very limited|restricted] range of foods, [which is monitored|monitored] by "
             "the community paediatrician.",
             ("[Paediatric|Dietetic] review of {name}'s sleep and eating, with [advice|"
              "strategies] for home and {setting}",
              "Every 6 months", "1 appointment", "Community paediatrician")),),
    "SEMH": (("{name} [is known to|has been referred to] CAMHS for [anxiety|low mood] "
              "and [has|is waiting for] [cognitive behavioural therapy|an assessment].",
              ("[CBT|Therapy] sessions for {name} [from|with] CAMHS",
               "[Fortnightly|Weekly] for [8|10|12] weeks", "50 minutes",
               "CAMHS clinician")),),
    "HI": (("{name}'s hearing [is monitored|is reviewed] by the [audiology service|"
            "cochlear implant centre], who [adjust|check] {his} [hearing aids|processor].",
            ("Audiology review and [hearing aid|processor] maintenance for {name}",
             "Every 6 months", "1 appointment", "NHS audiology service")),),
    "VI": (("{name} is [under|seen by] the [paediatric ophthalmology|eye] clinic for "
            "[nystagmus|a visual impairment] and [wears|has] [glasses|low vision aids].",
            ("Ophthalmology review for {name} with [advice on print size|a functional "
             "vision report] shared with the {setting}",
             "Once a year", "1 appointment", "Paediatric ophthalmology clinic")),),
    "SLD": (("{name} needs [continence support|support with toileting] and takes "
            "[medication for reflux|regular medication].",
            ("Continence [assessment and supplies|review] for {name}",
             "Every 6 months", "1 appointment", "Children's continence service")),),
}

SOCIAL: tuple[tuple[str, str, tuple[str, str, str, str]], ...] = (
    ("{name}'s family [need|would benefit from] [short breaks|respite] because of the "
     "[level of care|support] {he} needs [at home|outside school hours].", "H1",
     ("[Overnight short breaks|Short breaks at a local centre] for {name}",
      "[Two nights a month|One weekend a month]", "[24|48] hours each time",
      "Dunmore Children's Social Care (disabled children's team)")),
    ("{name} [needs|requires] [support to take part in|help to join] [clubs|leisure "
     "activities] in the community [with|alongside] other young people.", "H2",
     ("[Community support worker|Personal assistant] [to support|supporting] {name} at "
      "[a youth club|a leisure activity of {his} choice]",
      "Weekly", "3 hours", "Personal assistant arranged by Dunmore Children's Social Care")),
    ("{name}'s parents [have asked for|need] [advice|support] [with|about] [behaviour at "
     "home|sleep routines|managing {his} needs at home].", "H2",
     ("[Early help|Family support] [work|sessions] with {name}'s family",
      "Fortnightly", "1 hour", "Family support worker")),
)


def _areas(facts: PlanFacts) -> list[str]:
    primary = facts.needs[0] if facts.needs else "OTH"
    areas = list(AREAS_OF_NEED.get(primary, AREAS_OF_NEED["OTH"]))
    for secondary in facts.needs[1:]:
        first = AREAS_OF_NEED.get(secondary, AREAS_OF_NEED["OTH"])[0]
        if first not in areas:
            areas.append(first)
    return sorted(areas[:4], key=AREA_ORDER.index)


# Needs whose bank entries in an area are another need's (a child with profound and multiple
# learning difficulties has the physical needs the physical disability entries describe).
BANK_ALIASES: dict[str, tuple[str, ...]] = {"PMLD": ("PMLD", "PD"), "SLD": ("SLD", "PD"),
                                            "MSI": ("MSI", "HI", "VI")}


def _threads(area: str, facts: PlanFacts) -> list[Thread]:
    """The bank entries for an area: those for the child's needs first, then the general."""
    bank = BANK[area]
    chosen: list[Thread] = []
    for need in facts.needs:
        for code in BANK_ALIASES.get(need, (need,)):
            chosen.extend(t for t in bank.get(code, ()) if t not in chosen)
    return chosen + [t for t in bank["*"] if t not in chosen]


def _quantity(text: str, rng: random.Random, w: Mapping[str, str], options: Sequence[str]) -> str:
    return expand(text or rng.choice(options), rng, w)


def plan_content(facts: PlanFacts, rng: random.Random) -> PlanContent:
    """A complete final plan for these facts: every mandatory section filled, every need met
    by quantified provision and linked to an outcome with steps (`content.all_findings` is
    empty)."""
    w = words_for(facts)
    areas = _areas(facts)
    when = expand(by_when(facts), rng, w)
    needs: list[Need] = []
    outcomes: list[Outcome] = []
    provision: list[Provision] = []
    advice = _advice_sources(facts)

    def add_provision(section: str, item: tuple[str, str, str, str], need_keys: tuple[str, ...],
                      outcome_keys: tuple[str, ...], source: Source | None) -> None:
        what, often, amount, by_whom = item
        provision.append(Provision(
            key=f"P{len(provision) + 1}", section=section, what=expand(what, rng, w),
            how_often=_quantity(often, rng, w, OFTEN), amount=_quantity(amount, rng, w, AMOUNT),
            by_whom=expand(by_whom, rng, w), need_keys=need_keys, outcome_keys=outcome_keys,
            source=source))

    for area in areas:
        threads = _threads(area, facts)
        count = min(len(threads), 2 if area in areas[:2] else 1)
        for thread in threads[:count]:
            key = f"N{len(needs) + 1}"
            source = rng.choice([s for s in advice
                                 if s.label != ADVICE_TITLES["social_care"]] or advice)
            needs.append(Need(key, "B", expand(thread.need, rng, w), source, area))
            outcome_key = f"O{len(outcomes) + 1}"
            outcomes.append(Outcome(outcome_key, expand(thread.outcome, rng, w),
                                    tuple(expand(s, rng, w) for s in thread.steps), when,
                                    (key,), source))
            for item in thread.provision:
                add_provision("F", item, (key,), (outcome_key,), source)

    health_source = next(
        (s for s in advice if s.label == ADVICE_TITLES["health"]), advice[0])
    for code in facts.needs:
        for need_text, item in HEALTH.get(code, ()):
            key = f"N{len(needs) + 1}"
            needs.append(Need(key, "C", expand(need_text, rng, w), health_source))
            add_provision("G", item, (key,), (), health_source)
            break
        if any(n.section == "C" for n in needs):
            break

    complex_needs = bool(set(facts.needs[:1]) & {"PMLD", "SLD", "MSI", "PD", "ASD"})
    # Short breaks and community support mostly come with complex needs.
    if (complex_needs and rng.random() < 0.55) or rng.random() < 0.12:
        social_source = next(
            (s for s in advice if s.label == ADVICE_TITLES["social_care"]),
            Source("family", "Views of the child and family", dated=facts.requested_on))
        need_text, section, item = rng.choice(SOCIAL)
        key = f"N{len(needs) + 1}"
        needs.append(Need(key, "D", expand(need_text, rng, w), social_source))
        add_provision(section, item, (key,), (), social_source)

    budget = None
    if facts.personal_budget:
        amount = rng.choice((1200, 1800, 2400, 3000, 3600, 4200, 5400))
        budget = PersonalBudget(
            description=expand(
                "{name}'s family [receive|have chosen] a direct payment to [buy|arrange] "
                "[a personal assistant|specialist tuition|transport] [for|towards] the "
                "provision in section F [that supports|linked to] outcome O1.", rng, w),
            amount=f"£{amount:,} a year", arrangement="Direct payment", outcome_keys=("O1",))

    return PlanContent(
        views=_views(facts, rng, w, areas), needs=tuple(needs), outcomes=tuple(outcomes),
        provision=tuple(provision),
        placement=Placement(facts.setting_type, facts.setting_name, facts.urn),
        personal_budget=budget, appendices=_appendices(facts, rng),
    )


ADVICE_TITLES: dict[str, str] = {
    "education": "Educational advice", "educational_psychology": "Psychological advice",
    "health": "Medical advice", "social_care": "Social care advice",
    "other": "Specialist advice",
}


def _advice_sources(facts: PlanFacts) -> list[Source]:
    sources = [Source("advice", ADVICE_TITLES.get(a.kind, "Advice"), dated=a.received_on)
               for a in facts.advice]
    return sources or [Source("officer", "Educational advice", dated=facts.requested_on)]


def _appendices(facts: PlanFacts, rng: random.Random) -> tuple[Appendix, ...]:
    """Section K: the family's views, then each piece of advice with its date (reg 6(1))."""
    parent = f"{rng.choice(names.STAFF_FIRST_NAMES)} (parent)"
    found: list[Appendix] = [Appendix("Views of the child and family", parent, facts.requested_on)]
    kinds = {a.kind for a in facts.advice}
    for a in facts.advice:
        found.append(Appendix(ADVICE_TITLES.get(a.kind, "Advice"), a.organisation or
                              _default_provider(a.kind, facts), a.received_on))
    if "education" not in kinds:
        found.append(Appendix("Educational advice", facts.setting_name or "The current setting",
                              facts.requested_on))
    if "educational_psychology" not in kinds:
        found.append(Appendix("Psychological advice", names.EP_ORGANISATION, facts.requested_on))
    return tuple(found)


def _default_provider(kind: str, facts: PlanFacts) -> str:
    return {"education": facts.setting_name, "educational_psychology": names.EP_ORGANISATION,
            "social_care": names.SOCIAL_CARE_ORGANISATION}.get(kind, "") or "Not recorded"


# --- Reading the demo's plans and writing their documents ------------------------------------

SETTING_TYPES: dict[str, str] = {
    "early_years": "Early years setting",
    "primary": "Mainstream primary school",
    "secondary": "Mainstream secondary school",
    "all_through": "Mainstream all-through school",
    "special": "Special school",
    "ap": "Alternative provision",
    "college": "Further education college",
    "independent_special": "Independent special school",
}


def demo_plan_facts(*, since: date = DOCUMENTS_FROM) -> list[PlanFacts]:
    """The facts of every plan whose final plan was issued on or after `since`, by case
    reference (from the casework records the demo wrote)."""
    from ehcflow.casework.models import EHCPlan

    plans = (EHCPlan.objects.filter(request__final_date__gte=since)
             .select_related("child", "request")
             .prefetch_related("needs", "settings__institution", "request__advice_requests")
             .order_by("request__case_ref"))
    found: list[PlanFacts] = []
    for plan in plans:
        request, child = plan.request, plan.child
        assert request is not None and request.final_date is not None
        needs = tuple(n.sen_type for n in sorted(plan.needs.all(), key=lambda n: n.rank))
        settings = sorted(plan.settings.all(), key=lambda s: s.rank)
        setting_type, setting_name, urn = "Type of setting to be agreed", "", ""
        if settings:
            first = settings[0]
            if first.institution is not None:
                inst = first.institution
                setting_type = SETTING_TYPES.get(inst.kind, inst.get_kind_display())
                if first.resourced_provision or first.sen_unit:
                    setting_type += (" with a resourced provision" if first.resourced_provision
                                     else " with a special educational needs unit")
                setting_name, urn = inst.name, inst.urn or inst.ukprn or ""
            elif first.sen_setting:
                setting_type = first.sen_setting_other or first.get_sen_setting_display()
        advice = tuple(
            AdviceFact(a.adviser_type, a.adviser_organisation, a.received_on)
            for a in sorted(request.advice_requests.all(), key=lambda a: (a.requested_on, a.pk))
            if a.received_on is not None and a.received_on <= request.final_date)
        found.append(PlanFacts(
            case_ref=request.case_ref, forename=child.forename or "the child", sex=child.sex,
            date_of_birth=child.date_of_birth, issued_on=request.final_date,
            needs=needs or ("OTH",), setting_type=setting_type, setting_name=setting_name,
            urn=urn, personal_budget=plan.personal_budget, advice=advice,
            requested_on=request.received_date))
    return found


def demo_rng(seed: int, case_ref: str) -> random.Random:
    """The generator for one plan's words: the same seed and case always write the same plan."""
    return random.Random(f"ehcflow-plan-document:{seed}:{case_ref}")


def write_demo_documents(*, seed: int, since: date = DOCUMENTS_FROM) -> dict[str, int]:
    """Give every demo final plan issued since `since` its document: version 1, final.

    Called by the demo loader inside its transaction, after the casework rows are written.
    Like the rest of the demo (`demo.writer`), the rows are inserted in bulk rather than
    through `plans.services`, whose steps would issue the plans again: the demo's plans are
    already issued, with their case events. Each version is what `version_make_final` would
    have stored: the body as `content.to_dict`, dated by the draft and the final plan.
    """
    from ehcflow.casework.models import AssessmentRequest
    from ehcflow.plans.models import PlanDocument, PlanVersion, VersionStatus
    from ehcflow.statutory.dates import add_days

    facts = demo_plan_facts(since=since)
    if not facts:
        return {"plan_documents": 0}
    requests = {r.case_ref: r for r in AssessmentRequest.objects.filter(
        case_ref__in=[f.case_ref for f in facts]).select_related("plan")}
    ids = random.Random(f"ehcflow-plan-document-ids:{seed}")

    def uuid4() -> uuid.UUID:
        return uuid.UUID(int=ids.getrandbits(128), version=4)

    documents = PlanDocument.objects.bulk_create([
        PlanDocument(public_id=uuid4(), child_id=requests[f.case_ref].child_id,
                     request=requests[f.case_ref], plan=requests[f.case_ref].plan)
        for f in facts], batch_size=500)
    versions = []
    for f, document in zip(facts, documents, strict=True):
        request = requests[f.case_ref]
        body = to_dict(plan_content(f, demo_rng(seed, f.case_ref)))
        draft = request.draft_date or f.issued_on
        versions.append(PlanVersion(
            public_id=uuid4(), document=document, number=1, status=VersionStatus.FINAL,
            body=body, consultation_started_on=draft, comments_due_on=add_days(draft, 15),
            finalised_on=f.issued_on, created_by_name="Demo data"))
    PlanVersion.objects.bulk_create(versions, batch_size=500)
    return {"plan_documents": len(documents)}
