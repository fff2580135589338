"""The reader's forms. SignupForm is also rendered on the home page (templates/subscriptions/
_signup_form.html); the preferences form shares every choice except the address."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from subscriptions.addresses import InvalidAddress, normalize_address
from subscriptions.models import Subscriber, Topic
from subscriptions.seeds import LibraryFields

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
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


@cache
def _timezone_options() -> str:
    return "".join(
        format_html('<option value="{}">{}</option>', value, label)
        for value, label in timezone_choices()
    )


class TimeZoneSelect(forms.Select):
    """The ~550 time zones, rendered from one cached string: Django renders a template per
    option, which made the time-zone field most of the home page's cost (~40 ms a request)."""

    def render(self, name: str, value: object, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = format_html('<option value="{}"', value or "UTC")
        options = _timezone_options().replace(chosen, f"{chosen} selected", 1)
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


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
        widget=forms.Textarea(attrs={"rows": 3}),
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
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        widget=TimeZoneSelect,
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

    def choices(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ChoicesForm.base_fields}


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
