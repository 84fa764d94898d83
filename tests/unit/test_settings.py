from pathlib import Path

import pytest

from kiosk.support.config import SettingsError, load_settings, save_user_setting


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_defaults_when_nothing_is_set(isolated_settings, monkeypatch):
    monkeypatch.delenv("KIOSK_DATA_DIR")
    loaded = load_settings(environ={})
    assert loaded.settings.language == "vi"
    assert loaded.sources["language"] == "default"
    assert loaded.settings.printer_kind == "pdf"


def test_precedence_user_file_then_environment_then_command_line(isolated_settings):
    write(isolated_settings / "user" / "kiosk.toml", '[settings]\nlanguage = "en"\nhub_url = "http://user"\nreader_name = "R1"\n')
    env = {"KIOSK_HUB_URL": "http://env", "KIOSK_READER_NAME": "R2"}
    loaded = load_settings({"reader_name": "R3"}, environ=env)
    assert (loaded.settings.language, loaded.sources["language"]) == ("en", str(isolated_settings / "user" / "kiosk.toml"))
    assert (loaded.settings.hub_url, loaded.sources["hub_url"]) == ("http://env", "environment")
    assert (loaded.settings.reader_name, loaded.sources["reader_name"]) == ("R3", "command line")


def test_machine_file_locks_a_value_against_every_other_source(isolated_settings):
    write(
        isolated_settings / "machine" / "kiosk.toml",
        'locked = ["printer_kind", "hub_url"]\n[settings]\nprinter_kind = "escpos"\nhub_url = "http://hub.station"\n',
    )
    write(isolated_settings / "user" / "kiosk.toml", '[settings]\nprinter_kind = "pdf"\n')
    loaded = load_settings({"hub_url": "http://cli"}, environ={"KIOSK_PRINTER_KIND": "system"})
    assert loaded.settings.printer_kind == "escpos"
    assert loaded.settings.hub_url == "http://hub.station"
    assert loaded.locked == {"printer_kind", "hub_url"}
    with pytest.raises(SettingsError, match="locked"):
        save_user_setting("printer_kind", "pdf", loaded)


def test_unlocked_machine_value_is_a_default_the_user_may_override(isolated_settings):
    write(isolated_settings / "machine" / "kiosk.toml", '[settings]\nunit_name = "Công an phường A"\n')
    write(isolated_settings / "user" / "kiosk.toml", '[settings]\nunit_name = "Công an phường B"\n')
    assert load_settings(environ={}).settings.unit_name == "Công an phường B"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KIOSK_STAFF_IDLE_TIMEOUT_S": "ten"}, "staff_idle_timeout_s"),
        ({"KIOSK_PRINTER_KIND": "laser"}, "printer_kind"),
        ({"KIOSK_DEMO": "perhaps"}, "demo"),
    ],
)
def test_a_bad_value_names_its_setting(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=env)


def test_unknown_key_in_a_file_is_refused(isolated_settings):
    write(isolated_settings / "user" / "kiosk.toml", "[settings]\nprinter = 'x'\n")
    with pytest.raises(SettingsError, match="unknown setting 'printer'"):
        load_settings(environ={})


def test_data_dir_option_and_demo_folder(isolated_settings, tmp_path):
    loaded = load_settings({"data_dir": str(tmp_path / "elsewhere")}, environ={})
    assert loaded.settings.data_dir == tmp_path / "elsewhere"
    assert loaded.settings.database_path == tmp_path / "elsewhere" / "kiosk.db"
    demo = load_settings({"demo": True}, environ={})
    assert demo.settings.data_dir.name == "demo"


def test_saved_user_setting_is_read_back(isolated_settings):
    loaded = load_settings(environ={})
    save_user_setting("language", "en", loaded)
    assert load_settings(environ={}).settings.language == "en"
