"""`STATWH_SFTP_*`: unset means no SFTP drop point; set, each value is checked before any work."""

from __future__ import annotations

import pytest

from etl.base import settings
from etl.base.settings import SettingsError


@pytest.fixture
def sftp_env(monkeypatch, tmp_path):
    for k in ("HOST", "PORT", "USER", "KEY_FILE", "PASSWORD", "DIR", "KNOWN_HOSTS"):
        monkeypatch.delenv(f"STATWH_SFTP_{k}", raising=False)
    (tmp_path / "key").write_text("k")
    (tmp_path / "known_hosts").write_text("h")
    monkeypatch.setenv("STATWH_SFTP_HOST", "10.1.2.3")
    monkeypatch.setenv("STATWH_SFTP_USER", "statwh")
    monkeypatch.setenv("STATWH_SFTP_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("STATWH_SFTP_KNOWN_HOSTS", str(tmp_path / "known_hosts"))
    return tmp_path


def test_unset_means_no_drop_point(monkeypatch):
    monkeypatch.delenv("STATWH_SFTP_HOST", raising=False)
    assert settings.sftp() is None


def test_a_complete_setting(sftp_env, monkeypatch):
    monkeypatch.setenv("STATWH_SFTP_DIR", "/upload")
    cfg = settings.sftp()
    assert (cfg.host, cfg.port, cfg.user, cfg.root) == ("10.1.2.3", 22, "statwh", "/upload")
    assert cfg.key_file == sftp_env / "key" and cfg.password is None


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("STATWH_SFTP_PORT", "70000", "STATWH_SFTP_PORT"),
        ("STATWH_SFTP_PORT", "ssh", "STATWH_SFTP_PORT"),
        ("STATWH_SFTP_USER", "", "STATWH_SFTP_USER"),
        ("STATWH_SFTP_KEY_FILE", "/nonexistent/key", "STATWH_SFTP_KEY_FILE"),
        ("STATWH_SFTP_KNOWN_HOSTS", "/nonexistent/known_hosts", "host key"),
    ],
)
def test_a_bad_value_is_named(sftp_env, monkeypatch, name, value, said):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=said):
        settings.check()


def test_a_key_or_a_password_is_required(sftp_env, monkeypatch):
    monkeypatch.delenv("STATWH_SFTP_KEY_FILE")
    with pytest.raises(SettingsError, match="STATWH_SFTP_PASSWORD"):
        settings.sftp()
    monkeypatch.setenv("STATWH_SFTP_PASSWORD", "s3cret")
    assert settings.sftp().password == "s3cret"
