"""A command whose reader stops early (`isoflow runs list | head`) ends quietly, without a traceback."""

from __future__ import annotations

import os

import pytest

from isoflow.cli import main


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader has gone: every write now fails with EPIPE
    with open(write, "w") as pipe:
        monkeypatch.setattr("sys.stdout", pipe)
        assert main(["openapi"]) == 1
    assert capsys.readouterr().err == ""
