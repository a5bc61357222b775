"""How far ahead an expiry is warned of (a client secret, a sign-in, a
server certificate): the one rule of `smtp test`, `check` and the lists.
A module of its own, light, so that `check --help` needs no service."""

#: `smtp test` fails, `check` warns and the lists flag when something expires within this many days.
WARN_DAYS = 14
#: `check` is critical when something expires within this many days (or has expired).
CRITICAL_DAYS = 3
