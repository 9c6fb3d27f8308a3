"""`{% case_documents case as docs %}`: the documents on a request, for its page.

Shown only to those who may open them (`files.access.may_see_documents`): the list alone
names what is known about a child (a paediatrician's report, say). `docs.can_add` says
whether the person may add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from ehcflow.casework.models import AssessmentRequest
from ehcflow.files import selectors
from ehcflow.files.access import may_add_documents, may_see_documents
from ehcflow.files.models import StoredFile

register = template.Library()


@dataclass(frozen=True)
class CaseDocuments:
    shown: bool
    documents: list[StoredFile]
    can_add: bool


@register.simple_tag(takes_context=True)
def case_documents(context: dict[str, Any], case: AssessmentRequest) -> CaseDocuments:
    user = context["request"].user
    if not may_see_documents(user):
        return CaseDocuments(False, [], False)
    return CaseDocuments(True, list(selectors.documents_for(case)), may_add_documents(user))
