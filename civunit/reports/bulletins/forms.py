"""The coordinator's draft form: the period (a month, a quarter or custom dates), the order of offices, a short
text. Bad input re-renders the form with the reason; nothing is saved."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import dates, formats, timezone
from django.utils.translation import gettext_lazy as _

from campaign.text import count_chars, normalize_newlines
from civunit.forms import IntegerField
from civunit.reports.models import BULLETIN_TEXT_LIMIT, Bulletin

from .periods import month_bounds, previous_month, quarter_bounds, quarter_of

if TYPE_CHECKING:
    from campaign.models import Campaign

MONTHS = list(dates.MONTHS.items())
QUARTERS = [(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))]
DATE_WIDGET = {"type": "date"}
# The fields each kind of period reads.
PERIOD_FIELDS: dict[str, tuple[str, ...]] = {
    Bulletin.PeriodKind.MONTH: ("year", "month"),
    Bulletin.PeriodKind.QUARTER: ("year", "quarter"),
    Bulletin.PeriodKind.CUSTOM: ("start", "end"),
}


class BulletinForm(forms.Form):
    period_kind = forms.ChoiceField(
        label=_("Period"),
        choices=Bulletin.PeriodKind.choices,
        widget=forms.RadioSelect,
        initial=Bulletin.PeriodKind.MONTH,
    )
    year = IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int, required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    office_order = forms.ChoiceField(
        label=_("Order of offices"),
        choices=Bulletin.OfficeOrder.choices,
        widget=forms.RadioSelect,
        initial=Bulletin.OfficeOrder.RANKED,
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": BULLETIN_TEXT_LIMIT}),
        help_text=_(
            "A short text at the head of the bulletin (at most %(limit)s characters): what to stress, what comes next."
        )
        % {"limit": BULLETIN_TEXT_LIMIT},
    )

    def __init__(
        self, *args: Any, campaign: Campaign | None = None, today: datetime.date | None = None, **kwargs: Any
    ) -> None:
        self.campaign = campaign
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)
        if not self.is_bound and "year" not in self.initial:
            year, month = previous_month(self.today)
            self.initial.update(year=year, month=month, quarter=quarter_of(datetime.date(year, month, 1)))
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                css = "form-check-input"
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("data-field", name)

    @property
    def period_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("year", "month", "quarter", "start", "end")]

    @classmethod
    def initial_for(cls, bulletin: Bulletin) -> dict[str, Any]:
        start = bulletin.period_start
        return {
            "period_kind": bulletin.period_kind,
            "year": start.year,
            "month": start.month,
            "quarter": quarter_of(start),
            "start": start,
            "end": bulletin.period_end,
            "office_order": bulletin.office_order,
            "text": bulletin.text,
        }

    def clean_text(self) -> str:
        text = normalize_newlines(self.cleaned_data["text"])
        length = count_chars(text)
        if length > BULLETIN_TEXT_LIMIT:
            raise forms.ValidationError(
                _("The text may have at most %(limit)s characters (it has %(length)s)."),
                params={"limit": BULLETIN_TEXT_LIMIT, "length": length},
            )
        return text

    def _need(self, *names: str) -> bool:
        missing = [n for n in names if self.cleaned_data.get(n) in (None, "")]
        for name in missing:
            if name not in self.errors:
                self.add_error(name, _("This field is required for the chosen period."))
        return not missing

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("period_kind", "")  # absent when the choice was invalid
        # the fields of the other kinds of period are hidden on the page: whatever they hold does not matter
        for name in {"year", "month", "quarter", "start", "end"} - set(PERIOD_FIELDS.get(kind, ())):
            self.errors.pop(name, None)
        start = end = None
        if kind == Bulletin.PeriodKind.MONTH and self._need("year", "month"):
            start, end = month_bounds(data["year"], data["month"])
        elif kind == Bulletin.PeriodKind.QUARTER and self._need("year", "quarter"):
            start, end = quarter_bounds(data["year"], data["quarter"])
        elif kind == Bulletin.PeriodKind.CUSTOM and self._need("start", "end"):
            start, end = data["start"], data["end"]
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
                return data
        if start is None or end is None:
            return data
        today = formats.date_format(self.today)
        if start > self.today:
            self.add_error(None, _("The period lies in the future (today is %(today)s).") % {"today": today})
        elif end > self.today:
            self.add_error(
                None,
                _("The period has not ended yet (today is %(today)s): choose custom dates up to today.")
                % {"today": today},
            )
        elif self.campaign is not None and end < self.campaign.start_date:
            self.add_error(
                None,
                _("The period ends before the campaign began (%(date)s).")
                % {"date": formats.date_format(self.campaign.start_date)},
            )
        data["period_start"], data["period_end"] = start, end
        return data

    @property
    def values(self) -> dict[str, Any]:
        """The fields of a Bulletin this form sets, once valid."""
        data = self.cleaned_data
        return {
            "period_kind": data["period_kind"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "office_order": data["office_order"],
            "text": data["text"],
        }
