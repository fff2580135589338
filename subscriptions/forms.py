"""The reader's forms. SignupForm is also rendered on the home page (templates/subscriptions/
_signup_form.html); the preferences form shares every choice except the address."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from subscriptions import timezones
from subscriptions.addresses import InvalidAddress, normalize_address
from subscriptions.choices import Choices
from subscriptions.models import Subscriber, Topic
from subscriptions.seeds import LibraryFields
from subscriptions.stats import popular_topic_ids

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]
MAX_PAPERS_LIMIT = 30
POPULAR_TOPICS = 6  # topics shown at once on the compact sign-up form; the rest on demand
EMAIL_WIDGET = forms.EmailInput(attrs={"autocomplete": "email"})


class MailboxField(forms.EmailField):
    """An email address in its canonical form (subscriptions/addresses.py): one reader per
    mailbox whatever letter case, full-width or look-alike characters were typed."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", EMAIL_WIDGET)
        super().__init__(**kwargs)

    def to_python(self, value: object) -> str:
        value = super().to_python(value)
        if value in self.empty_values or "\x00" in value:
            return value  # "required" and the null-character validator say what is wrong
        try:
            return normalize_address(value)
        except InvalidAddress as error:
            raise forms.ValidationError(str(error), code="invalid") from error


@cache
def _timezone_options(day: dt.date) -> str:
    groups = []
    for region, zones in timezones.grouped(day):
        options = "".join(
            format_html('<option value="{}">{}</option>', value, label) for value, label in zones
        )
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', region, mark_safe(options)))
    return "".join(groups)


class TimeZoneSelect(forms.Select):
    """The ~420 canonical time zones grouped by region, rendered from one string cached per day
    (the offsets follow daylight saving): Django renders a template per option, which made the
    time-zone field most of the home page's cost (~40 ms a request). `data-aliases` maps the
    old names a browser may report (Asia/Calcutta) to the canonical one (static/js/signup.js)."""

    def render(self, name: str, value: object, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        attrs["data-aliases"] = json.dumps(timezones.aliases(), separators=(",", ":"))
        chosen = format_html('<option value="{}"', timezones.canonical(str(value or "")) or "UTC")
        options = _timezone_options(timezone.localdate()).replace(chosen, f"{chosen} selected", 1)
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


class TimeZoneField(forms.ChoiceField):
    """A canonical time-zone name; an alias (US/Eastern) is accepted as the name it stands for."""

    widget = TimeZoneSelect

    def to_python(self, value: object) -> str:
        value = super().to_python(value)
        return timezones.canonical(value) or value

    def valid_value(self, value: str) -> bool:
        return value in timezones.canonical_names()


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, topic: Topic) -> str:
        return topic.name


class ChoicesForm(forms.Form):
    """Everything a reader chooses about their digest."""

    topics = TopicChoiceField(
        queryset=Topic.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        to_field_name="slug",
    )
    interests = forms.CharField(
        label="Your interests, in your own words",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: offline RL for robot manipulation, small reasoning models.",
    )
    exclusions = forms.CharField(
        label="Words to exclude",
        required=False,
        max_length=1000,
        help_text="Papers mentioning these are left out, e.g. medical, survey.",
    )
    frequency = forms.ChoiceField(
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.DAILY,
        widget=forms.RadioSelect,
        label="How often",
    )
    weekday = forms.TypedChoiceField(
        choices=WEEKDAYS, coerce=int, initial=0, label="Weekly digests arrive on"
    )
    send_hour = forms.TypedChoiceField(
        choices=HOURS, coerce=int, label="Delivery hour", initial=settings.DIGEST_HOUR_DEFAULT
    )
    timezone = TimeZoneField(
        initial="UTC",
        label="Time zone",
        help_text="Detected from your browser; change it if it is wrong.",
    )
    max_papers = forms.IntegerField(
        min_value=1, max_value=MAX_PAPERS_LIMIT, initial=10, label="Papers per digest"
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("topics") and not (data.get("interests") or "").strip():
            raise forms.ValidationError(
                "Pick at least one topic or describe your interests, so we know what to send."
            )
        return data

    def choices(self) -> Choices:
        return Choices.from_form(self.cleaned_data)

    def topic_groups(self) -> tuple[list[Topic], list[Topic]]:
        """(popular, the rest): the compact form shows POPULAR_TOPICS and the rest on demand;
        a chosen topic is always among those shown."""
        chosen = set(self["topics"].value() or [])
        popular = set(popular_topic_ids(POPULAR_TOPICS))
        first, rest = [], []
        for topic in self.fields["topics"].queryset:
            (first if topic.pk in popular or topic.slug in chosen else rest).append(topic)
        return first, rest

    def details_have_errors(self) -> bool:
        """Whether a field folded under "Words to exclude, schedule and length" has an error."""
        folded = ("exclusions", "frequency", "weekday", "send_hour", "timezone")
        return any(name in self.errors for name in (*folded, "max_papers"))


class SignupForm(ChoicesForm, LibraryFields):  # LibraryFields: optional seeds (seeds.py)
    email = MailboxField(label="Email address")
    # Honeypot: hidden by CSS and from assistive technology; people leave it empty, bots fill it.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # static/js/signup.js fills this from the browser's time zone; the reader can change it.
        self.fields["timezone"].widget.attrs["data-detect-timezone"] = ""

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PreferencesForm(ChoicesForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].help_text = "Digests arrive at the delivery hour in this time zone."

    @classmethod
    def for_subscriber(cls, subscriber: Subscriber, data: dict | None = None) -> PreferencesForm:
        initial = {
            "topics": [topic.slug for topic in subscriber.topics.all()],
            "interests": subscriber.interests,
            "exclusions": subscriber.exclusions,
            "frequency": subscriber.frequency,
            "weekday": subscriber.weekday,
            "send_hour": subscriber.send_hour,
            "timezone": subscriber.timezone,
            "max_papers": subscriber.max_papers,
        }
        return cls(data=data, initial=initial, prefix="prefs")


class PauseForm(forms.Form):
    until = forms.DateField(label="Pause until", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        if until > timezone.localdate() + dt.timedelta(days=366):
            raise forms.ValidationError("Choose a date within a year.")
        return until


class ChangeEmailForm(forms.Form):
    new_email = MailboxField(label="New email address")


class SendLinkForm(forms.Form):
    email = MailboxField(label="Email address")
