"""Is the README complete: every setting and every `flask kb` command documented?"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_environment_setting_is_documented():
    names = set()
    for path in (ROOT / "kb_portal").rglob("*.py"):
        names |= set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z_]+)"', path.read_text()))
        names |= set(re.findall(r'environ\["([A-Z_]+)"\]', path.read_text()))
    assert names, "found no settings at all"
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_cli_command_is_documented(app):
    group = app.cli.get_command(None, "kb")

    def walk(command, prefix):
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            yield prefix
            return
        for name, sub in subcommands.items():
            yield from walk(sub, f"{prefix} {name}")

    missing = [name for name in walk(group, "flask kb") if f"`{name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_links_only_to_files_in_the_repository():
    links = re.findall(r"\]\(([^)#\s]+)[^)]*\)", README)
    local = [link for link in links if "://" not in link and not link.startswith("mailto:")]
    # Article-link examples in the content-format section are not file links.
    files = [link for link in local if "/" in link or link.endswith(".md")]
    assert "docs/architecture.md" in files
    missing = [link for link in files if not (ROOT / link).exists()]
    assert not missing, f"README links to files that are not in the repository: {missing}"
    assert "../" not in README, "README points outside the repository"


def test_readme_states_the_python_version():
    assert re.search(r"Python 3\.\d+", README)
