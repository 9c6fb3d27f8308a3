"""The form staff use to put a document on a request: a letter sent, advice, anything else."""

from __future__ import annotations

from django import forms

from ehcflow.files.models import FileKind
from ehcflow.web.forms import GovukForm, YesNoField

#: What staff add by hand. Draft and final plans come from the plan itself; a family's
#: documents from their own pages.
STAFF_KINDS = [(FileKind.LETTER.value, "A letter we sent"),
               (FileKind.ADVICE.value, "Advice or a report"),
               (FileKind.OTHER.value, "Something else")]


class StaffDocumentForm(GovukForm):
    kind = forms.ChoiceField(
        label="What kind of document is it?", choices=STAFF_KINDS, widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of document it is"})
    title = forms.CharField(
        label="What is the document?", max_length=120,
        help_text="For example, letter telling the family we will carry out an assessment.",
        error_messages={"required": "Enter what the document is"})
    document = forms.FileField(
        label="Document", allow_empty_file=True,
        error_messages={"required": "Select a document", "invalid": "Select a document"})
    shared_with_family = YesNoField(
        label="Can the family open it from their online account?",
        help_text="Letters to the family usually can. Advice may hold things to explain first.",
        error_messages={"required": "Select whether the family can open it"})
