"""fincon-tui's life in a real terminal: keys typed while it starts,
quitting while a keyring hangs, SIGTERM and SIGHUP, Ctrl+Z and `fg`, the
mouse, pastes and tmux; each time the terminal is given back as found."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pty_terminal import BIN, CTRL_Q, F10, Terminal, modes_before
from support import definition

from fincon_tui.domain.password_binding import PasswordChange

PASTE, PASTED = "\x1b[200~", "\x1b[201~"
SLOW = pytest.mark.slow


#: Typed at once, before the app has put the terminal in raw mode: the
#: create question for ABC, or (answered) the new definition filled in.
ASK_ABC = ("111" "ABC\r", ["The SMTP definition does not exist – do you want to create it?"])
FILL_ABC = ("111" "ABC\r" "y" "smtp.example.com\r" "y\r" "bob\r",
            ["SMTP Name . . . . . . . .  ABC", "Mail Server . . . . . . .  smtp.example.com",
             "Username  . . . . . . . .  bob"])


@pytest.mark.parametrize(("typed", "shown", "delay"), [
    pytest.param(*FILL_ABC, 0, id="keys-after-enter-0s"),  # the create window came and "y" answered it
    *(pytest.param(*FILL_ABC, delay, id=f"keys-after-enter-{delay}s", marks=SLOW) for delay in (0.1, 0.2, 0.3)),
    *(pytest.param(*ASK_ABC, delay, id=f"enter-{delay}s", marks=SLOW) for delay in (0, 0.1, 0.2, 0.3)),
])
def test_keys_typed_while_the_app_starts_all_land(db_path: Path, typed: str, shown: list[str], delay: float) -> None:
    """Typed before the app set the terminal to raw mode, the terminal's
    line discipline turned Enter (CR) into a newline: the Enter must still
    be Enter, and the keys after it land in order (the slow variants: sent
    later, and the Enter alone)."""
    terminal = Terminal(["--db", str(db_path)], "xterm-256color")
    try:
        time.sleep(delay)  # when the operator types, not a bound on anything
        terminal.send(typed)
        for text in shown:
            terminal.wait_for(text)
        if typed == ASK_ABC[0]:
            assert "SMTP Name . . . . . . . .  ABC" in terminal.text()
        assert terminal.close(confirm=typed != ASK_ABC[0]) == 0
    finally:
        terminal.child.terminate(force=True)


@pytest.mark.parametrize("typed_ahead", [pytest.param(False, id="while-it-waits", marks=SLOW),
                                         pytest.param(True, id="typed-with-enter")])
def test_quitting_leaves_a_keyring_that_never_answers_behind(db_path: Path, tmp_path: Path, typed_ahead: bool) -> None:
    """The definition's key is asked of a keyring that never answers (until
    this test lets it go, after the app has ended): Ctrl+Q, pressed while it
    waits or typed right after the Enter that opens the definition, still
    ends the app, and gives the terminal back, without waiting for it."""
    from keyring_backends import held_reads

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.store import open_store

    SmtpSettings(open_store(db_path), PasswordVault()).save(definition(), PasswordChange.set("pw"), None)
    with held_reads(tmp_path) as held:
        terminal = Terminal(["--db", str(db_path)], "xterm-256color", FINCON_TUI_KEYRING_TIMEOUT="86400", **held)
        try:
            terminal.send("1")
            terminal.wait_for("1. Mail Settings")  # the database is open: keys wait their turn
            terminal.send("11" "OFFICE\r" + (CTRL_Q if typed_ahead else ""))
            while not typed_ahead and not (tmp_path / "keyring-hold.asked").exists():
                terminal.pump()
            terminal.send("" if typed_ahead else CTRL_Q)
            assert terminal.wait_exit() == 0
            terminal.given_back()
        finally:
            terminal.child.terminate(force=True)


@pytest.mark.parametrize(("signum", "saving"), [
    ("SIGTERM", False), ("SIGHUP", False), ("SIGHUP", True), pytest.param("SIGTERM", True, marks=SLOW),
], ids=["sigterm-unsaved", "sighup-unsaved", "sighup-lock-wait", "sigterm-lock-wait"])
def test_a_signal_ends_the_app_as_ctrl_q_and_writes_nothing_half_done(db_path: Path, signum: str,
                                                                      saving: bool) -> None:
    """A shutdown or a session manager sends SIGTERM, a dropped SSH
    connection SIGHUP: with unsaved edits, or while Accept waits for another
    admin's save, the app ends as on Ctrl+Q, without asking (the edits are
    not saved), the terminal given back, the database whole."""
    import signal
    import sqlite3

    terminal = Terminal(["--db", str(db_path)], "xterm-256color")
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        terminal.send("111" "OFFICE\r" "y" "smtp.example.com\r" "n\r")
        terminal.wait_for("Mail Server . . . . . . .  smtp.example.com")  # not the tty's echo of it
        if saving:
            other.execute("BEGIN IMMEDIATE")  # another admin's save, in progress
            terminal.send(F10)
            terminal.wait_for("waiting for another admin's save")
        terminal.child.kill(getattr(signal, signum))
        assert terminal.wait_exit() == 0
        terminal.given_back()
    finally:
        terminal.child.terminate(force=True)
        if other.in_transaction:
            other.execute("ROLLBACK")
    assert "Traceback" not in terminal.output.decode(errors="replace")
    assert other.execute("SELECT count(*) FROM smtp_settings").fetchone() == (0,)
    assert other.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("how", ["ctrl-z", pytest.param("kill-tstp-bg", marks=SLOW)])
def test_suspend_gives_the_shell_the_terminal_and_fg_repaints_all(db_path: Path, tmp_path: Path, how: str) -> None:
    """In a shell with job control: Ctrl+Z (or SIGTSTP from elsewhere, then
    `bg`) stops fincon-tui with the terminal given back before the shell says
    so, and `fg` brings the whole screen back, what was typed still there; a
    SIGCONT that follows no suspend leaves Ctrl+Q ending it."""
    import signal

    shell = Terminal(["--norc", "--noprofile", "-i"], "xterm-256color", command="/bin/bash", PS1="shell$ ",
                     HISTFILE=str(tmp_path / "history"))
    try:
        shell.wait_for("shell$")
        shell.send(f"{BIN} --db {db_path}\r")
        shell.send("111" "OFFICE")
        shell.wait_for("SMTP Name . . . . . . . .  OFFICE")
        shell.settle()
        children = Path(f"/proc/{shell.child.pid}/task/{shell.child.pid}/children")
        [app] = [int(pid) for pid in children.read_text().split()]
        if how == "ctrl-z":
            shell.send("\x1a")
        else:
            os.kill(app, signal.SIGTSTP)
        shell.wait_for("Stopped")
        stopped = bytes(shell.output).rindex(b"Stopped")
        modes = modes_before(bytes(shell.output), stopped)
        left_on = [mode for mode in (b"1049", b"1000", b"1003", b"1006", b"2004") if modes.get(mode) == b"h"]
        assert not left_on and modes.get(b"25") == b"h", modes
        if how == "kill-tstp-bg":
            shell.send("bg\r")  # in the background it cannot take the terminal: it waits for fg
            shell.wait_for("fincon-tui --db")
        shell.screen.reset()  # pyte has no alternate screen: start from a blank one, as a terminal's
        shell.send("fg\r")
        for text in ("FINCON ACCOUNTING", "SMTP Name . . . . . . . .  OFFICE", "F3=Exit", "^Q=Quit"):
            shell.wait_for(text)
        os.kill(app, signal.SIGCONT)  # one that follows no suspend changes nothing
        shell.send(CTRL_Q)
        shell.wait_for("shell$")
    finally:
        shell.child.terminate(force=True)


@pytest.mark.parametrize("mouse", [True, pytest.param(False, marks=SLOW)], ids=["mouse", "no-mouse"])
def test_the_mouse_and_pastes_through_the_terminal(db_path: Path, mouse: bool) -> None:
    """With the mouse, a click picks a menu entry; with --no-mouse the
    terminal is never asked to report the mouse (text can be selected).
    Bracketed pastes, as a terminal sends them: text with newlines gives its
    first line; 2,000 characters into a 253-character field are refused
    whole, naming the field, and what it held stays.  The terminal is given
    back at the end."""
    terminal = Terminal(["--db", str(db_path), *([] if mouse else ["--no-mouse"])], "xterm-256color")
    try:
        terminal.send("11")
        terminal.wait_for("1. SMTP Settings")  # the database is open
        asked = b"\x1b[?1000h" in terminal.output or b"\x1b[?1003h" in terminal.output
        assert asked is mouse
        if mouse:
            row = next(y for y, line in enumerate(terminal.screen.display) if "1. SMTP Settings" in line)
            x = terminal.screen.display[row].index("1. SMTP Settings") + 2
            terminal.send(f"\x1b[<0;{x};{row + 1}M\x1b[<0;{x};{row + 1}m")
        else:
            terminal.send("1")
        terminal.wait_for("SMTP Name")
        terminal.send(PASTE + "OFFICE\nrm -rf /\n" + PASTED)
        terminal.wait_for("SMTP Name . . . . . . . .  OFFICE ")
        assert "rm -rf" not in terminal.text()
        terminal.send("\r" "y" "smtp." + PASTE + "x" * 2000 + PASTED)
        terminal.wait_for("Mail Server: at most 253 characters")
        assert "Mail Server . . . . . . .  smtp. " in terminal.text()
        terminal.send(CTRL_Q)
        terminal.wait_for("Unsaved changes will be lost – quit fincon-tui?")
        terminal.send("y")
        assert terminal.wait_exit() == 0
        terminal.given_back()
    finally:
        terminal.child.terminate(force=True)


@SLOW
def test_detaching_and_reattaching_tmux_during_a_login_test(db_path: Path, tmp_path: Path) -> None:
    """The SSH session ends and the admin reattaches, from a terminal of
    another size, while F6 still waits for the server: the test goes on and
    its result shows in the reattached terminal."""
    import subprocess
    import threading

    from smtp_servers import scripted_server

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.store import open_store

    connected, answer = threading.Event(), threading.Event()

    def held(connection) -> None:
        """Says nothing until the test lets it answer."""
        connected.set()
        answer.wait()
        lines = connection.makefile("rb")
        connection.sendall(b"220 held.test ESMTP\r\n")
        while line := lines.readline():
            connection.sendall(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"250 held.test\r\n")

    socket = str(tmp_path / "tmux")
    tmux = ["tmux", "-S", socket, "-f", "/dev/null"]
    with scripted_server(held) as port:
        SmtpSettings(open_store(db_path), PasswordVault()).save(
            definition(mail_server="localhost", port=port, use_tls=False, authenticate=False, username=""),
            PasswordChange.keep(), None)
        env = {**os.environ, "TERM": "xterm-256color"}
        subprocess.run([*tmux, "new-session", "-d", "-s", "admin", "-x", "80", "-y", "24",
                        f"{BIN} --db {db_path}"], env=env, check=True)
        try:
            first = Terminal(["-S", socket, "attach", "-t", "admin"], "xterm-256color", command="tmux")
            first.wait_for("F3=Exit")
            first.send("111" "OFFICE\r")
            first.wait_for("Mail Server . . . . . . .  localhost")
            first.send("\x1b[17~")  # F6
            first.wait_for("Login test: OFFICE")
            first.send("\r")  # no user: the definition's own login
            assert connected.wait(30), "the login test never connected"
            subprocess.run([*tmux, "detach-client", "-s", "admin"], check=True)
            first.wait_exit()
            again = Terminal(["-S", socket, "attach", "-t", "admin"], "xterm-256color", command="tmux",
                             size=(100, 30))
            again.wait_for("Login test: OFFICE")  # repainted at the new size
            answer.set()
            again.wait_for("OK: connection")
            again.send("\x1b")
            again.wait_for("F3=Exit")
            again.send(CTRL_Q)
            again.wait_exit()  # the app ended, and with it the tmux session
        finally:
            answer.set()
            subprocess.run([*tmux, "kill-server"], capture_output=True)
