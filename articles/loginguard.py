"""The admin login guard: django-axes, counting what keeps guessing bounded without letting a
stranger lock a member of staff out of their own login.

- **Per client address** (axes' own limit, ``AXES_LOCKOUT_PARAMETERS = ["ip_address"]``): five
  wrong passwords from one address, for whatever accounts, and that address waits 15 minutes.
  It counts every account-and-address pair from that address together, so a separate limit per
  account and address at the same number would add nothing.
- **A right password clears only that account's failures from that address**
  (``reset_user_attempts`` below). Axes' own reset cleared every failure from the address, so
  someone could guess at one account and log in to another between guesses, for ever.
- **Per account, from every address together**: a stranger's failures never lock the account
  (that would let anyone keep staff out with five requests every 15 minutes). Once an account has
  had ``ACCOUNT_FAILURE_LIMIT`` wrong passwords in 15 minutes, its password is checked from an
  address it has not logged in from at most once a ``ACCOUNT_PAUSE``: a guesser with many
  addresses is slowed to about one guess a minute, and a member of staff at a place they have
  logged in from before (in the last ``KNOWN_ADDRESS_DAYS``) is never held back by it. From a new
  place they wait a minute at most while an attack goes on. A pause is a refusal, never a delay
  inside the request, so an attack cannot hold the site's workers.

Attempts refused while paused or locked are not counted
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``): the counts are passwords actually
checked, and a lockout ends 15 minutes after the last of them. ``manage.py axes_reset`` clears
every count, lockout and pause.
"""

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.db.models import Max, Sum

logger = logging.getLogger(__name__)

ACCOUNT_FAILURE_LIMIT = 20
ACCOUNT_PAUSE = timedelta(minutes=1)
KNOWN_ADDRESS_DAYS = 90


class LoginGuardHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if self.account_paused(request, credentials):
            # For the lockout page: a short pause, not the 15-minute lockout.
            request.login_guard_paused = True
            return True
        return False

    def account_paused(self, request, credentials: dict | None = None) -> bool:
        """Whether this account's password may not be checked from this address just now."""
        username = get_client_username(request, credentials)
        if not username:
            return False
        now = request.axes_attempt_time
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=now - get_cool_off(request)
        ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (recent["failures"] or 0) < ACCOUNT_FAILURE_LIMIT:
            return False
        if recent["last"] <= now - ACCOUNT_PAUSE:
            return False
        if self.known_address(username, request.axes_ip_address, now):
            return False
        logger.warning(
            "login guard: many wrong passwords for one account from several addresses; "
            "paused for an address it has not logged in from"
        )
        return True

    @staticmethod
    def known_address(username: str, address: str, now) -> bool:
        """Whether this account logged in from this address lately (axes logs every login)."""
        return AccessLog.objects.filter(
            username=username,
            ip_address=address,
            attempt_time__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS),
        ).exists()

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a right password: that account's failures from that address, and no others."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
