"""Every admin list answers only what its page offers: its filters, search, sorting, pages and
date drill-down.

Django lets the address filter a list by any lookup on the model's own fields: a member of staff
who may only look at articles could have the database run a regular expression over every
article's text (``?body__regex=...``; on SQLite Python runs it, holding a worker and the
database's write lock for as long as it takes), and a year no calendar has
(``?created_at__year=99999999999``) was a server error. Here a lookup the list's own filters do
not read is refused as Django refuses any lookup it does not allow (400), and a date the
calendar does not have sends staff back to the whole list with ?e=1, as Django does for a month
of 13.

``OwnFiltersOnly`` is mixed into every ModelAdmin registered on the site, the project's and
other apps' (django-axes, the users and groups) alike, by ``own_filters_only`` when the app
starts."""

from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import FieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.db.models import Field
from django.utils.timezone import make_aware

DATE_PARTS = ("year", "month", "day")


class OwnFiltersOnly:
    """For a ModelAdmin: its list takes from the address only its own filters' parameters and
    a real year, month and day for its date drill-down (search, sorting and pages are never
    lookups)."""

    def lookup_allowed(self, lookup, value, request) -> bool:
        return lookup in self.offered_lookups(request) and super().lookup_allowed(
            lookup, value, request
        )

    def offered_lookups(self, request) -> frozenset[str]:
        """The parameters the list's filters read, whether or not they are shown (a filter
        with one choice is hidden, but a link to it still works), and the date drill-down's.
        Worked out once a request."""
        known = request.__dict__.setdefault("_offered_lookups", {})
        if id(self) not in known:
            offered = set()
            if self.date_hierarchy:
                offered |= {f"{self.date_hierarchy}__{part}" for part in DATE_PARTS}
            for list_filter in self.get_list_filter(request):
                offered |= set(self._unused_filter(request, list_filter).expected_parameters())
            known[id(self)] = frozenset(offered)
        return known[id(self)]

    def _unused_filter(self, request, list_filter):
        """``list_filter`` made as the list makes it (see ChangeList.get_filters), with nothing
        chosen."""
        if callable(list_filter):  # a filter class of its own
            return list_filter(request, {}, self.model, self)
        if isinstance(list_filter, (tuple, list)):  # a field, and the filter class to use
            field, filter_class = list_filter
        else:  # a field: the filter Django registers for its type
            field, filter_class = list_filter, FieldListFilter.create
        path = None
        if not isinstance(field, Field):
            path, field = field, get_fields_from_path(self.model, field)[-1]
        return filter_class(field, request, {}, self.model, self, field_path=path)

    def get_changelist(self, request, **kwargs):
        return _with_real_dates(super().get_changelist(request, **kwargs))


class RealDatesOnly:
    """For a ChangeList: a date drill-down to a day, month or year the calendar has, that can
    be turned into the range Django looks up (from that day to the next), or none."""

    def get_filters(self, request):
        if self.date_hierarchy:
            asked = self.get_filters_params()
            year, month, day = (asked.get(f"{self.date_hierarchy}__{part}") for part in DATE_PARTS)
            _check_date(year, month, day)
        return super().get_filters(request)


def _check_date(year: list | None, month: list | None, day: list | None) -> None:
    """Raise IncorrectLookupParameters unless the parts make a date that Django can look up
    (as in ChangeList.get_filters: the last value of each, and the start of the next period)."""
    if year is None:
        if month is not None or day is not None:
            raise IncorrectLookupParameters("A month or a day needs a year.")
        return
    try:
        start = datetime(int(year[-1]), int(month[-1]) if month else 1, int(day[-1]) if day else 1)
        if day:
            end = start + timedelta(days=1)
        elif month:
            end = (start + timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
        if settings.USE_TZ:
            for moment in (start, end):
                make_aware(moment).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise IncorrectLookupParameters(error) from error


@cache
def _with_real_dates(changelist: type[ChangeList]) -> type[ChangeList]:
    return type(changelist.__name__, (RealDatesOnly, changelist), {})


def own_filters_only(site: admin.AdminSite) -> None:
    """Give every ModelAdmin registered on ``site`` the OwnFiltersOnly rules: each is registered
    again as a subclass of itself with OwnFiltersOnly first."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, OwnFiltersOnly):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(
            model,
            type(
                original.__name__, (OwnFiltersOnly, original), {"__module__": original.__module__}
            ),
        )
