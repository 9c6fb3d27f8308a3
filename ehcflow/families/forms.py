"""Forms of the family pages and of the officer's invitation. Thin: services decide."""

from __future__ import annotations

from django import forms

from ehcflow.families.models import Relationship
from ehcflow.web.forms import GovukForm


class ContactForm(GovukForm):
    contact = forms.CharField(
        label="Email address or mobile phone number", max_length=254,
        help_text="The email address or UK mobile number you gave the SEND team.",
        error_messages={"required": "Enter your email address or mobile phone number"})


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code", max_length=20, help_text="The 6-digit code in the message we sent you.",
        error_messages={"required": "Enter the 6-digit code from the message we sent you"})


class DemoPasswordForm(GovukForm):
    username = forms.CharField(label="Username", max_length=150,
                               error_messages={"required": "Enter the demo username"})
    password = forms.CharField(label="Password", max_length=200, widget=forms.PasswordInput,
                               error_messages={"required": "Enter the demo password"})


class JoinForm(GovukForm):
    code = forms.CharField(
        label="Code from your letter or email", max_length=30,
        help_text="12 letters and numbers, for example ABCD-EFGH-JK23.",
        error_messages={"required": "Enter the code from your letter or email"})
    contact = forms.CharField(
        label="Email address or mobile phone number for your sign-in codes", max_length=254,
        required=False,
        help_text="We will send a code here each time you sign in. If you were invited by "
                  "email, you can leave this empty to use that email address.")


class ViewsForm(GovukForm):
    text = forms.CharField(
        label="Your views, and your child's", widget=forms.Textarea,
        help_text="What is important to your child and your family, what your child likes and "
                  "is good at, what helps and what is hard, and what you hope for in future.",
        error_messages={"required": "Enter your views"})


class DocumentForm(GovukForm):
    title = forms.CharField(
        label="What is the document?", max_length=120,
        help_text="For example, letter from the speech and language therapist.",
        error_messages={"required": "Enter what the document is"})
    document = forms.FileField(
        label="Document", allow_empty_file=True,
        error_messages={"required": "Select a document to send",
                        "invalid": "Select a document to send"})


class DraftResponseForm(GovukForm):
    comments = forms.CharField(
        label="Your comments on the draft plan", widget=forms.Textarea,
        help_text="Tell us what you agree with, what is missing and what you would change.",
        error_messages={"required": "Enter your comments on the draft plan"})
    preferred_setting = forms.CharField(
        label="School or college you would like named (optional)", max_length=200,
        required=False,
        help_text="We must consult the school or college you name before the final plan.")


class MeetingForm(GovukForm):
    about = forms.CharField(
        label="What would you like to talk about?", widget=forms.Textarea,
        error_messages={"required": "Enter what you would like to talk about"})
    availability = forms.CharField(
        label="When can you meet? (optional)", max_length=300, required=False,
        help_text="For example, weekday mornings, or not on Fridays.")


class InvitationForm(GovukForm):
    relationship = forms.ChoiceField(
        label="Who are you inviting?", choices=Relationship.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are inviting"})
    name = forms.CharField(label="Their full name", max_length=150,
                           error_messages={"required": "Enter their full name"})
    email = forms.CharField(
        label="Email address", max_length=254, required=False,
        help_text="Leave this empty to send a letter with a code instead.")
    address = forms.CharField(
        label="Postal address, for a letter", widget=forms.Textarea, required=False,
        help_text="Only if they have no email address. One line per part of the address, "
                  "postcode last.")
