"""deploy/.env.example is the one file an IT department reads to set the bot up, so it must name
every variable the bot reads, and its defaults must be the bot's: a default that drifted would
have someone "keep the default" and get another behaviour."""

import re
from dataclasses import replace
from pathlib import Path

from bot.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / ".env.example"
TOKEN = "123456:ABCdef-ghi"
# Read by compose.yaml to build the webhook's URL and Caddy's route, not by the bot.
FOR_COMPOSE = {"DOMAIN", "WEBHOOK_PATH"}
SETTING = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


def example_settings() -> dict[str, str]:
    """Each setting the example names, with the value it shows (commented out or not)."""
    found: dict[str, str] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := SETTING.match(line):
            assert match[1] not in found, f"{match[1]} is named twice"
            found[match[1]] = match[2]
    return found


def variables_the_bot_reads() -> set[str]:
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r'\bget\(\s*"([A-Z][A-Z0-9_]*)"', source))


def variables_the_readme_documents() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.MULTILINE))


def test_the_example_names_every_variable_the_bot_reads_and_no_other() -> None:
    bot_settings = set(example_settings()) - FOR_COMPOSE
    assert len(variables_the_bot_reads()) > 30
    assert bot_settings == variables_the_bot_reads()
    assert bot_settings == variables_the_readme_documents()


def test_every_setting_has_its_own_line_of_explanation() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if SETTING.match(line):
            above = lines[number - 1]
            assert above.startswith("# ") and not SETTING.match(above), line


def test_the_defaults_shown_are_the_bots_own(tmp_path: Path) -> None:
    uncommented = tmp_path / ".env"
    uncommented.write_text(
        "".join(
            f"{name}={value}\n"
            for name, value in example_settings().items()
            if name not in FOR_COMPOSE and name != "TELEGRAM_BOT_TOKEN"
        ),
        encoding="utf-8",
    )
    from_example = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=uncommented)
    from_nothing = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert same_but_the_random_secret(from_example, from_nothing)


def test_only_the_token_is_left_to_fill_in() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if SETTING.match(line) and line[0] != "#"] == [
        "TELEGRAM_BOT_TOKEN="
    ]


def same_but_the_random_secret(one: Config, other: Config) -> bool:
    """Without MENTORBOT_WEBHOOK_SECRET each load makes a new secret, as each start does."""
    return replace(one, webhook_secret="") == replace(other, webhook_secret="")
