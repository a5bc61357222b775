"""`smtp sign-in NAME` and `user sign-in CODE`: what Sign in does in the
forms, on the terminal (Microsoft 365: the device code; Google: the
address the browser ends on, pasted back)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from fincon_tui._exceptions import NotReady, RecordChanged, SecretStoreError, TokenFailure
from fincon_tui.cli.command import Kind
from fincon_tui.cli.common import fail, read_line, say
from fincon_tui.domain.visible import visible

if TYPE_CHECKING:
    from fincon_tui.oauth.tokens import Tokens
    from fincon_tui.services.sign_ins import SignIn


def sign_in_help(what: str) -> str:
    return (f"sign the mailbox of {what} in (Microsoft 365: device code; Google: paste the address "
            "the browser ends on) and store its refresh token")


def arguments(kind: Kind, command: argparse.ArgumentParser) -> None:
    command.add_argument("key", metavar=kind.key)


def run(find: Callable[[], SignIn], save: Callable[[SignIn, Tokens], str]) -> int:
    """Sign in as `find()` says (NotReady: why not), then `save` the tokens."""
    try:
        sign_in = find()
    except (NotReady, SecretStoreError) as error:
        return fail(str(error))
    try:
        if sign_in.microsoft:
            from fincon_tui.oauth.microsoft import DeviceCode  # MSAL and google-auth: loaded for their sign-ins only

            code = DeviceCode(sign_in.tenant, sign_in.client_id, sign_in.timeout)
            # The server's address and code are escaped; the app's own line breaks stay (the address on its own).
            say(f"On any device, open\n\n{visible(code.url)}\n\nand enter the code {visible(code.code)}, then sign "
                f"in as {visible(sign_in.mailbox)}. Waiting (Ctrl+C to stop)...", err=True)
            tokens = code.wait()
        else:
            from fincon_tui.oauth.google import InstalledApp

            flow = InstalledApp(sign_in.client_id, sign_in.client_secret, sign_in.timeout)
            say(f"On your own computer, open this address and sign in as {visible(sign_in.mailbox)}:\n\n"
                f"{visible(flow.url)}\n\nThe browser then fails to open a 127.0.0.1 address: paste that address here "
                "and press Enter.", err=True)
            try:  # the address holds the sign-in's code: read as every secret is (common.read_line)
                pasted = read_line("address")
            except ValueError as error:
                return fail(f"not signed in: {error}")
            tokens = flow.finish(pasted)
    except TokenFailure as error:  # the network's failures too, in words (oauth/network.py)
        return fail(f"sign-in failed: {error.message}" + (f"; {error.hint}" if error.hint else ""))
    except KeyboardInterrupt:
        say("fincon-tui: cancelled", err=True)
        return 130
    try:
        say(save(sign_in, tokens))
    except RecordChanged:
        return fail(f"signed in, but {sign_in.kind} {sign_in.key} (or its definition's app registration) was "
                    "changed meanwhile: sign in again")
    return 0
