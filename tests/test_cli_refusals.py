"""What the command line refuses, and how: secrets read from stdin, secrets
typed as options, import files that are too deep, repeat a member or quote
huge values, and output into a pipe closed early.  The installed command,
real files, real pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from processes import popen
from support import definition, smtp_rows

from fincon_tui.cli.common import BROKEN_PIPE, LINE_MAX
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

BIN = Path(sys.executable).parent / "fincon-tui"
SECRET = "S3cr3t-Zq9"


@pytest.fixture
def microsoft(store, vault) -> SmtpSettings:
    """OFFICE (password login) and MS (Microsoft 365 app-only, without its client secret yet)."""
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.keep(), None)
    smtp.save(definition(name="MS", mail_server="smtp.office365.com", login_method="M", tenant="corp.example",
                         client_id="mailer"), PasswordChange.keep(), None)
    return smtp


@pytest.mark.parametrize(("line", "said"), [
    (b"Cs-\xff\xfe\n", "the {what} on stdin is not UTF-8 text"),
    (b"ab\x00cd\n", "the {what} contains a control character (a tab, NUL, CR ...)"),
    (b"ab\rcd\n", "the {what} contains a control character (a tab, NUL, CR ...)"),
    (b"\n", "no {what} given (to remove the stored one, use {clear})"),
    (b"x" * (LINE_MAX + 1) + b"\n", f"the {{what}} on stdin is longer than {LINE_MAX:,} bytes"),
], ids=["not-utf8", "nul", "cr", "empty", "too-long"])
def test_every_secret_on_stdin_is_refused_alike_never_altered(fincon, microsoft, line: bytes, said: str) -> None:
    password = fincon("smtp", "set", "OFFICE", "--password-stdin", stdin=line)
    secret = fincon("smtp", "set", "MS", "--client-secret-stdin", stdin=line)
    assert (password.returncode, password.stdout, password.stderr.decode()) == (
        2, b"", f"fincon-tui: {said.format(what='password', clear='--clear-password')}\n")
    assert (secret.returncode, secret.stdout, secret.stderr.decode()) == (
        2, b"", f"fincon-tui: {said.format(what='client secret', clear='--clear-client-secret')}\n")
    assert not microsoft.passwords.has(smtp_owner("OFFICE"))
    assert not microsoft.passwords.has(smtp_owner("MS"), SecretKind.CLIENT_SECRET)


def test_a_secret_on_stdin_loses_only_its_line_end(fincon, microsoft) -> None:
    """Spaces count; LF or CR LF ends the line."""
    password = fincon("smtp", "set", "OFFICE", "--password-stdin", stdin=b" pw \r\n")
    secret = fincon("smtp", "set", "MS", "--client-secret-stdin", stdin=b" s\xc3\xa9cret\n")
    assert (password.returncode, secret.returncode) == (0, 0), password.stderr + secret.stderr
    assert microsoft.passwords.get(smtp_owner("OFFICE")) == " pw "
    assert microsoft.passwords.get(smtp_owner("MS"), SecretKind.CLIENT_SECRET) == " s\u00e9cret"


@pytest.mark.parametrize("argv", [
    ("smtp", "set", "MS", f"--client-secret={SECRET}"),
    ("smtp", "set", "MS", "--client-secret", SECRET),
    ("smtp", "set", "OFFICE", f"--pass={SECRET}"),
    ("smtp", "set", "OFFICE", "--pass", SECRET),
    ("smtp", "set", "OFFICE", "--password", SECRET),
    ("smtp", "set", "OFFICE", f"--password-stdin={SECRET}"),
    ("smtp", "test", "OFFICE", "--password", SECRET),
    ("smtp", "test", "OFFICE", f"-v{SECRET}"),
    ("smtp", "send-test", "OFFICE", "--to", "a@corp.example", f"--password={SECRET}"),
    ("smtp", "rename", "OFFICE", "NEW", "--password", SECRET),
    ("smtp", "copy", "OFFICE", "NEW", "--pass", SECRET),
    ("smtp", "--password", SECRET),
    ("smtp", "list", f"--json={SECRET}"),
    ("user", "set", "ALICE", "--passw", SECRET),
    ("user", "set", "ALICE", f"--password={SECRET}"),
    ("user", "rename", "ALICE", "BOB", "--password", SECRET),
    (SECRET,),
])
def test_a_secret_given_as_an_option_is_refused_and_never_repeated(fincon, argv) -> None:
    result = fincon(*argv)
    assert result.returncode == 2, result.stdout
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "error: " in result.stderr


def test_options_are_never_matched_by_a_prefix(fincon) -> None:
    abbreviated = fincon("smtp", "list", "--js")
    typo = fincon("smtp", "set", "OFFICE", "--mail-sever", "smtp.typo.example")
    assert abbreviated.returncode == 2 and abbreviated.stdout == ""
    assert "unrecognized arguments: --js" in abbreviated.stderr
    assert "unrecognized arguments: --mail-sever, and 1 word not repeated here" in typo.stderr


def nested(tmp_path: Path, suffix: str, depth: int = 100_000) -> Path:
    """The issue's file: `depth` nested lists where the definitions belong."""
    path = tmp_path / f"deep{suffix}"
    if suffix == ".json":
        path.write_text('{"format":1,"smtp_definitions":' + "[" * depth + "]" * depth + "}")
    else:
        path.write_text("format = 1\nsmtp_definitions = " + "[" * depth + "]" * depth + "\n")
    return path


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_file_nested_too_deeply_is_one_line_and_status_2(fincon, db, tmp_path: Path, suffix: str) -> None:
    path = nested(tmp_path, suffix)
    from_file = fincon("import", str(path))
    from_stdin = fincon("import", "--dry-run", "-", stdin=path.read_text())
    assert from_file.returncode == from_stdin.returncode == 2
    assert from_file.stderr == f"fincon-tui: {path} is nested too deeply to read: nothing was imported\n"
    assert from_stdin.stderr == "fincon-tui: stdin is nested too deeply to read: nothing was imported\n"


def test_a_config_file_nested_too_deeply_is_one_line(fincon, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[keys]\naccept = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = fincon("--config", str(config), "smtp", "list")
    assert (result.returncode, result.stderr) == (2, f"fincon-tui: {config} is nested too deeply to read\n")


def test_a_refusal_quotes_a_huge_value_shortened_with_its_length(fincon, db, vault, tmp_path: Path) -> None:
    huge = "N" * 1_000_000
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"format": 1, "smtp_definitions": [
        {"name": huge, "mail_server": "smtp.example.com"},
        {"name": "OK", "mail_server": "smtp.example.com", "F" * 1_000_000: "x"},
    ]}))
    result = fincon("import", str(path))
    section = fincon("import", "-", stdin=json.dumps({"format": 1, "S" * 1_000_000: []}))
    port = fincon("smtp", "set", "OFFICE", "--port", "9" * 100_000)
    missing = fincon("smtp", "show", "M" * 100_000)
    named = fincon("smtp", "set", "N" * 100_000, "--mail-server", "smtp.example.com")
    assert result.returncode == 1 and len(result.stdout) < 1000, result.stdout[:300]
    assert result.stdout.count("… (1,000,000 characters)") == 2
    assert section.returncode == 2 and len(section.stderr) < 300 and "(1,000,000 characters)" in section.stderr
    assert port.returncode == 2 and len(port.stderr) < 300, port.stderr[:300]
    assert "Port must be from 1 to 65535 (not a number of 100,000 digits)" in port.stderr
    assert missing.returncode == 2 and len(missing.stderr) < 300 and "(100,000 characters)" in missing.stderr
    assert named.stderr.endswith("… (100,000 characters) refused: SMTP Name is too long "
                                 "(100,000 characters, at most 40)\n")  # one way to write a length
    assert smtp_rows(db) == []


@pytest.mark.parametrize(("text", "said"), [
    ('{"format":1,"smtp_definitions":[{"name":"X","mail_server":"good.example.com","port":587,'
     '"mail_server":"evil.example.net"}]}', 'has member "mail_server" twice in one object'),
    ('{"format":1,"smtp_definitions":[{"name":"X","mail_server":"a.example.com"}],'
     '"smtp_definitions":[]}', 'has member "smtp_definitions" twice in one object'),
    ('{"format":99,"smtp_definitions":[{"name":"X","mail_server":"a.example.com"}],"format":1}',
     'has member "format" twice in one object'),
    ('{"format":true,"smtp_definitions":[{"name":"X","mail_server":"a.example.com"}]}',
     "is format true; this fincon-tui reads format 1"),
    ('{"format":1.0,"smtp_definitions":[{"name":"X","mail_server":"a.example.com"}]}',
     "is format 1.0; this fincon-tui reads format 1"),
], ids=["field", "section", "format", "format-true", "format-1.0"])
def test_a_member_named_twice_or_a_format_that_only_equals_1_is_refused(fincon, db, text: str, said: str) -> None:
    result = fincon("import", "-", stdin=text)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"fincon-tui: stdin {said}: nothing was imported\n"
    assert smtp_rows(db) == []


def test_a_service_account_key_naming_a_member_twice_is_refused(fincon, store, vault, tmp_path: Path) -> None:
    SmtpSettings(store, vault).save(definition(name="G", mail_server="smtp.gmail.com", username="mailer@corp.example",
                                            login_method="G", tenant="", client_id=""), PasswordChange.keep(), None)
    key = tmp_path / "key.json"
    key.write_text('{"type": "authorized_user", "client_email": "a@project.iam.gserviceaccount.com", '
                   '"private_key": "-----BEGIN PRIVATE KEY-----", "token_uri": "https://oauth2.example/token", '
                   '"type": "service_account"}')
    result = fincon("smtp", "set", "G", "--service-account-file", str(key))
    assert result.returncode == 2
    assert 'is not a service-account key: it has member "type" twice in one object' in result.stderr
    assert not SmtpSettings(store, vault).passwords.has(smtp_owner("G"), SecretKind.SERVICE_ACCOUNT_KEY)


@pytest.fixture
def listed(store, vault) -> None:
    SmtpSettings(store, vault).save(definition(), PasswordChange.keep(), None)
    UserSettings(store, vault).save(UserEmailSettings("ALICE", "OFFICE", "", "Alice", "alice@corp.example"),
                                 PasswordChange.keep(), None)
    UserSettings(store, vault).save(UserEmailSettings("BOB", "OFFICE", "", "Bob", "bob@corp.example"),
                                 PasswordChange.keep(), None)


@pytest.mark.parametrize(("argv", "buffered"), [
    *((argv, True) for argv in [("smtp", "list"), ("smtp", "show", "OFFICE"), ("user", "list"), ("export",),
                                ("export", "--toml"), ("smtp", "set", "--help")]),
    (("smtp", "list"), False), (("export",), False),
])
def test_output_into_a_closed_pipe_ends_quietly(db_path: Path, listed, argv, buffered: bool) -> None:
    """The reader is gone before the command writes (as `| head -1` is after
    its line), so every write fails: each run, not 4 in 5.  Buffered, the
    first write to fail may be the flush at exit."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "PYTHONUNBUFFERED": "" if buffered else "1"}
    with popen([str(BIN), "--db", str(db_path), *argv], stdout=write, stderr=subprocess.PIPE,
               stdin=subprocess.DEVNULL, env=env) as process:
        os.close(write)
        _, stderr = process.communicate(timeout=60)
    assert stderr.decode() == ""
    # argparse ignores a failed write of its help; it is then the final flush that fails, if buffered
    assert process.returncode == BROKEN_PIPE or ("--help" in argv and process.returncode == 0)


def test_an_error_into_a_closed_pipe_ends_quietly(db_path: Path, listed) -> None:
    """`2>&1 | head -1`: the message on stderr, buffered, cannot be written either."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "PYTHONUNBUFFERED": ""}
    with popen([str(BIN), "--db", str(db_path), "smtp", "show", "NOPE"], stdout=write, stderr=write,
               stdin=subprocess.DEVNULL, env=env) as process:
        os.close(write)
        assert process.wait(timeout=60) == BROKEN_PIPE


def test_head_of_a_list_in_a_shell_pipeline(db_path: Path, listed) -> None:
    for _ in range(3):  # whether head is gone before the list is written varies: quiet either way
        result = subprocess.run(
            f"'{BIN}' --db '{db_path}' user list | head -2; echo \"status ${{PIPESTATUS[0]}}\"",
            shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=60,
        )
        assert result.stderr == ""
        assert "ALICE" in result.stdout.splitlines()[1]
        assert result.stdout.splitlines()[2] in ("status 0", f"status {BROKEN_PIPE}")


def test_a_pasted_sign_in_address_is_read_as_a_secret_is(fincon, store, vault) -> None:
    """The Google sign-in's pasted address holds its code: bytes that are not
    UTF-8 are refused in words, not taken for a damaged database."""
    SmtpSettings(store, vault).save(definition(name="G", mail_server="smtp.gmail.com", username="a@corp.example",
                                            login_method="G", tenant="", client_id="1.apps.googleusercontent.com"),
                                 PasswordChange.keep(), None, {"client_secret": PasswordChange.set("g-secret")})
    result = fincon("smtp", "sign-in", "G", stdin=b"http://127.0.0.1/?code=\xff\n")
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[-1].endswith(": the address on stdin is not UTF-8 text")
