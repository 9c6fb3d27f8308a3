"""The messages the service sends, one template per event, worded here so they can be reviewed.

Each template is the text the council copies into GOV.UK Notify (subject and body with
`((placeholder))` fields); the Notify template id for each comes from settings
(`EHCFLOW_NOTIFY_TEMPLATE_IDS`, a JSON object of key → id). Without a Notify key the same text
is rendered here and sent through Django's e-mail backend (e-mail only).

Every message names the stage the case has reached and what happens next, and never says only
"you have new information": families said vague messages were the worst part of the portals
they used (docs/domain/families-and-partners.md). Messages carry no more personal data than
the reader needs: a first name and a case reference, never a date of birth or address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Channel = Literal["email", "sms", "letter"]

PLACEHOLDER = re.compile(r"\(\(([a-z0-9_]+)\)\)")


class PersonalisationError(ValueError):
    """The fields given do not match the template's placeholders."""


@dataclass(frozen=True)
class Template:
    """One message: its channel, the stage it reports, and its wording."""

    key: str
    channel: Channel
    stage: str
    subject: str
    body: str

    @property
    def fields(self) -> frozenset[str]:
        """The placeholders the subject and body use: each must be given when sending."""
        return frozenset(PLACEHOLDER.findall(self.subject) + PLACEHOLDER.findall(self.body))

    def check(self, personalisation: Mapping[str, object]) -> None:
        """Refuse missing or unknown fields, so a message never goes out with a gap."""
        missing = self.fields - set(personalisation)
        unknown = set(personalisation) - self.fields
        if missing or unknown:
            raise PersonalisationError(
                f"Template {self.key!r}: missing {sorted(missing)}, unknown {sorted(unknown)}")

    def render(self, personalisation: Mapping[str, object]) -> tuple[str, str]:
        """Subject and body with the fields filled in, as Notify would."""
        self.check(personalisation)

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), text)

        return fill(self.subject), fill(self.body)


_NEXT_CONTACT = ("If you have a question, reply to this e-mail or call the SEND team on "
                 "((team_phone)).")

TEMPLATES: dict[str, Template] = {t.key: t for t in [
    # Families: the statutory stages of an assessment.
    Template(
        "request_received", "email", "Request received",
        "We have received the request for an EHC needs assessment for ((child_first_name))",
        "We received the request for an education, health and care (EHC) needs assessment "
        "for ((child_first_name)) on ((received_date)). Our reference is ((case_ref)).\n\n"
        "What happens next: we will decide whether to carry out an assessment and tell you "
        "by ((decision_due)). This is within 6 weeks of the day we received the request.\n\n"
        + _NEXT_CONTACT,
    ),
    Template(
        "decision_to_assess", "email", "Decision: we will assess",
        "We will carry out an EHC needs assessment for ((child_first_name))",
        "We have decided to carry out an education, health and care (EHC) needs assessment "
        "for ((child_first_name)) (reference ((case_ref))).\n\n"
        "What happens next: we are asking professionals such as an educational psychologist, "
        "health and social care for their advice. They have 6 weeks to send it. We will tell "
        "you by ((outcome_due)) whether we will issue an EHC plan.\n\n" + _NEXT_CONTACT,
    ),
    Template(
        "decision_not_to_assess", "email", "Decision: we will not assess",
        "We will not carry out an EHC needs assessment for ((child_first_name))",
        "We have decided not to carry out an education, health and care (EHC) needs "
        "assessment for ((child_first_name)) (reference ((case_ref))). Our letter explains "
        "why.\n\nWhat happens next: you can appeal to the First-tier Tribunal (SEND) within 2 "
        "months of the date of our decision letter, or 1 month from the date of a mediation "
        "certificate if that is later. Before appealing you must contact a mediation adviser, "
        "unless you are appealing only about the school or college named.\n\n" + _NEXT_CONTACT,
    ),
    Template(
        "decision_to_issue", "email", "Decision: we will write a plan",
        "We will write an EHC plan for ((child_first_name))",
        "We have finished the education, health and care (EHC) needs assessment for "
        "((child_first_name)) (reference ((case_ref))) and decided to write an EHC plan.\n\n"
        "What happens next: we will send you the draft plan. You will then have 15 days to "
        "tell us what you think and which school or college you would like named. The final "
        "plan is due by ((final_due)).\n\n" + _NEXT_CONTACT,
    ),
    Template(
        "decision_not_to_issue", "email", "Decision: we will not write a plan",
        "We will not write an EHC plan for ((child_first_name))",
        "We have finished the education, health and care (EHC) needs assessment for "
        "((child_first_name)) (reference ((case_ref))) and decided not to write an EHC plan. "
        "Our letter explains why and how the school or college can meet the needs.\n\n"
        "What happens next: you can appeal to the First-tier Tribunal (SEND) within 2 months "
        "of the date of our decision letter, or 1 month from the date of a mediation "
        "certificate if that is later. Before appealing you must contact a mediation "
        "adviser.\n\n" + _NEXT_CONTACT,
    ),
    Template(
        "draft_issued", "email", "Draft plan issued",
        "The draft EHC plan for ((child_first_name)) is ready",
        "We have sent you the draft education, health and care (EHC) plan for "
        "((child_first_name)) (reference ((case_ref))).\n\n"
        "What happens next: you have until ((comments_due)) (15 days) to tell us what you "
        "think, to ask for a particular school or college to be named, and to ask to meet us. "
        "We will then consult the school or college and issue the final plan by "
        "((final_due)).\n\n" + _NEXT_CONTACT,
    ),
    Template(
        "final_issued", "email", "Final plan issued",
        "The final EHC plan for ((child_first_name)) has been issued",
        "We have issued the final education, health and care (EHC) plan for "
        "((child_first_name)) (reference ((case_ref))).\n\n"
        "What happens next: the plan will be reviewed at least every 12 months. If you "
        "disagree with the plan you can appeal to the First-tier Tribunal (SEND) within 2 "
        "months; our letter with the plan explains how, and about mediation.\n\n"
        + _NEXT_CONTACT,
    ),
    Template(
        "review_due", "email", "Annual review due",
        "The annual review of ((child_first_name))'s EHC plan is due",
        "The annual review of ((child_first_name))'s education, health and care (EHC) plan "
        "(reference ((case_ref))) must take place by ((review_due)).\n\n"
        "What happens next: the school or college will invite you to the review meeting and "
        "send you the advice at least 2 weeks before it. You can send your views before the "
        "meeting.\n\n" + _NEXT_CONTACT,
    ),
    # Families: accounts.
    Template(
        "family_invitation", "email", "Account invitation",
        "Follow ((child_first_name))'s EHC needs assessment online",
        "You can now follow the education, health and care (EHC) needs assessment for "
        "((child_first_name)) online: see each stage and its date, send us your views and "
        "documents, and read the draft plan.\n\nWhat happens next: open this link to set up "
        "your account. It works once and stops working on ((expires_on)).\n\n((link))\n\n"
        "If you were not expecting this, you can ignore it.",
    ),
    Template(
        "invitation_letter_code", "letter", "Account invitation",
        "Follow ((child_first_name))'s EHC needs assessment online",
        "You can follow the education, health and care (EHC) needs assessment for "
        "((child_first_name)) online.\n\nWhat happens next: go to ((site_address)) and enter "
        "this code: ((code))\n\nThe code works once and stops working on ((expires_on)). If "
        "you cannot go online, call the SEND team on ((team_phone)) and we will keep writing "
        "to you.",
    ),
    Template(
        "sign_in_code_email", "email", "Signing in",
        "Your sign-in code",
        "Your code to sign in to follow an EHC needs assessment is ((code)). It stops working "
        "in ((minutes)) minutes.\n\nIf you did not try to sign in, you can ignore this e-mail.",
    ),
    Template(
        "sign_in_code_sms", "sms", "Signing in",
        "",
        "((code)) is your code to sign in to follow an EHC needs assessment. It stops working "
        "in ((minutes)) minutes.",
    ),
    Template(
        "stage_update_sms", "sms", "Stage update",
        "",
        "EHC needs assessment ((case_ref)): ((stage)). Next: ((next_step)) by ((next_date)).",
    ),
    # Partners: advice (regs 6 and 8) and consultations on naming a school.
    Template(
        "advice_requested", "email", "Advice requested",
        "Advice requested for an EHC needs assessment (reference ((case_ref)))",
        "((organisation)) has been asked for ((advice_type)) for an education, health and "
        "care (EHC) needs assessment (reference ((case_ref))).\n\nWhat happens next: please "
        "send the advice by ((due_on)). The law gives 6 weeks from the request (regulation "
        "8 of the SEND Regulations 2014). Sign in to see the request and send the advice "
        "online: ((link))",
    ),
    Template(
        "advice_due_soon", "email", "Advice due soon",
        "Advice due on ((due_on)) (reference ((case_ref)))",
        "The ((advice_type)) for EHC needs assessment ((case_ref)) is due in ((days_left)) "
        "days, on ((due_on)).\n\nWhat happens next: please send it online by then: ((link)). "
        "If you cannot, tell the case officer, ((officer_name)), why.",
    ),
    Template(
        "advice_due_today", "email", "Advice due today",
        "Advice due today (reference ((case_ref)))",
        "The ((advice_type)) for EHC needs assessment ((case_ref)) is due today, "
        "((due_on)).\n\nWhat happens next: please send it online today: ((link)). The "
        "family's plan cannot be drafted until all the advice is in.",
    ),
    Template(
        "advice_overdue", "email", "Advice overdue",
        "Advice overdue by ((days_overdue)) days (reference ((case_ref)))",
        "The ((advice_type)) for EHC needs assessment ((case_ref)) was due on ((due_on)) and "
        "is ((days_overdue)) days late.\n\nWhat happens next: please send it online now: "
        "((link)). We remind you each week and have told the case officer's manager.",
    ),
    Template(
        "advice_overdue_manager", "email", "Advice overdue: escalated",
        "Advice overdue by ((days_overdue)) days (reference ((case_ref)))",
        "((organisation))'s ((advice_type)) for EHC needs assessment ((case_ref)) (case "
        "officer ((officer_name))) was due on ((due_on)) and is ((days_overdue)) days late. "
        "The adviser has been reminded ((chasers_sent)) times.\n\nWhat happens next: please "
        "contact ((organisation)) to agree a date. The request: ((link))",
    ),
    Template(
        "school_consultation", "email", "Consultation on naming a school",
        "Consultation: can ((setting)) be named in an EHC plan? (reference ((case_ref)))",
        "We are consulting ((setting)) about naming it in an education, health and care (EHC) "
        "plan (reference ((case_ref))). The draft plan is attached to the consultation online."
        "\n\nWhat happens next: please answer by ((due_on)) (15 days), online: ((link)). "
        "Tell us whether the school can meet the needs in the plan and, if not, why not.",
    ),
    Template(
        "partner_account_created", "email", "Account created",
        "You have an account to send advice for EHC needs assessments",
        "((manager_name)) has given you an account with ((organisation)) to see the advice "
        "and consultations asked of it and to answer them online.\n\nWhat happens next: set "
        "your password with this link. It works once: ((link))",
    ),
]}


def get(key: str) -> Template:
    """The template named `key` (KeyError if there is none: a programming error)."""
    return TEMPLATES[key]
