"""Login throttling: per account with back-off, per client address with a far higher ceiling.

Why this shape (issue 11, point 12):

* **Per account, back-off, no lock-out.** The first ``ACCOUNT_FREE`` failures of an account
  cost nothing (typos); each further one doubles the wait before the next attempt (1 s, 2 s,
  4 s … at most ``ACCOUNT_MAX_WAIT``). Guessing one password becomes hopeless, while the real
  owner is never locked out for good: after the wait a right password works, and it clears the
  count. The count is kept by the *name typed*, whether such an account exists or not, so the
  answer never tells which accounts exist.
* **Per client address, a ceiling.** A whole support centre logs in from one NAT address, so
  a per-address limit must be far higher than an account's: ``ADDRESS_LIMIT`` failures (each
  within ``ADDRESS_WINDOW`` of the one before) stop further attempts from that address until
  it has been quiet for the window. Successful logins never count, so colleagues' typos do not
  add up to a lock-out.
* **Shared by every worker and server**: the counts live in the database (the default) or in
  Redis when ``KB_RATELIMIT_STORAGE_URI`` is ``redis://…`` (:mod:`.throttle_store`).
* The client address is ``request.remote_addr`` — the real one behind ``KB_TRUSTED_PROXIES``
  reverse proxies (``ProxyFix`` in ``create_app``).
"""
import ipaddress
import math
import time
from dataclasses import dataclass

from flask import current_app

ACCOUNT_FREE = 5             # failures before the back-off starts
ACCOUNT_MAX_WAIT = 15 * 60   # seconds: the longest wait between two attempts on one account
ACCOUNT_MEMORY = 24 * 3600   # seconds after the last failure that an account's count is kept
ADDRESS_LIMIT = 100          # failures from one address before it has to pause
ADDRESS_WINDOW = 15 * 60     # seconds: the pause, and how long a failure counts


@dataclass
class Verdict:
    """The answer to "may this attempt go ahead?": ``wait`` seconds (0: yes)."""

    wait: int = 0

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


def address_key(address: str | None) -> str:
    """The address as counted: IPv6 by its /64 network (one subscriber usually holds a whole
    /64, so counting single addresses would let one client rotate through billions)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "?")[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_wait(failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure (0 while within the free ones)."""
    if failures <= ACCOUNT_FREE:
        return 0.0
    return float(min(2 ** (failures - ACCOUNT_FREE - 1), ACCOUNT_MAX_WAIT))


class LoginThrottle:
    """The policy above over a store (``app.extensions["kb_throttle"]``)."""

    def __init__(self, store, clock=time.time):
        self.store = store
        self.clock = clock  # seconds since the epoch; tests pass their own

    @staticmethod
    def _keys(username: str, address: str | None) -> tuple[str, str]:
        return f"acct:{username.strip().lower()[:64]}", f"addr:{address_key(address)}"

    def check(self, username: str, address: str | None) -> Verdict:
        """Whether a login attempt for ``username`` from ``address`` may be tried now."""
        account, addr = self._keys(username, address)
        now = self.clock()
        waits = [0.0]
        count, last = self.store.get(account, now)
        delay = account_wait(count)
        if delay:  # (a failure counted since ``now`` was read must not make a free one wait)
            waits.append(last + delay - now)
        count, last = self.store.get(addr, now)
        if count >= ADDRESS_LIMIT:
            waits.append(last + ADDRESS_WINDOW - now)
        return Verdict(wait=math.ceil(max(waits)))

    def failed(self, username: str, address: str | None) -> None:
        """Count a failed attempt against the account name and the address."""
        account, addr = self._keys(username, address)
        now = self.clock()
        self.store.add_failure(account, now, ACCOUNT_MEMORY)
        self.store.add_failure(addr, now, ADDRESS_WINDOW)

    def succeeded(self, username: str) -> None:
        """A right password clears the account's count (the address's stays)."""
        self.store.clear(self._keys(username, None)[0])


def throttle() -> LoginThrottle:
    return current_app.extensions["kb_throttle"]


def init_app(app) -> None:
    from .throttle_store import make_store

    app.extensions["kb_throttle"] = LoginThrottle(
        make_store(app.config.get("RATELIMIT_STORAGE_URI", "")))
