"""A regular (non-editable) install ships templates/ and static/ and finds them."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        cwd=build,
    )
    return next(out.glob("caseport-*.whl"))


def test_the_wheel_carries_templates_static_files_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "portal/_templates/base.html",
        "portal/_templates/accounts/login.html",
        "portal/_templates/notifications/password_reset/email_subject.txt",
        "portal/_templates/notifications/password_reset/variables.txt",
        "portal/_static/css/caseport.css",
        "portal/_static/img/favicon.svg",
        "portal/migrations/0001_initial.py",
        "notifier/__init__.py",
    ):
        assert expected in names, f"{expected} is missing from the wheel"
    assert not any(name.startswith("tests/") for name in names)


def test_the_installed_package_finds_its_templates(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = "import portal.paths as p; print(p.TEMPLATES); print(p.STATIC)"
    output = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(tmp_path / "site")}).stdout.split()
    assert output == [str(tmp_path / "site/portal/_templates"), str(tmp_path / "site/portal/_static")]
    assert (Path(output[0]) / "base.html").exists()


def test_the_wheel_ships_compiled_catalogues_and_an_installed_portal_speaks_german(wheel, tmp_path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("de", "es"):
        assert f"portal/translations/{language}/LC_MESSAGES/messages.mo" in names, f"no compiled {language} catalogue"
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = (
        "from portal import create_app\n"
        f"app = create_app({{'TESTING': True, 'DATABASE_URL': 'sqlite:///{tmp_path}/x.db', 'SECRET_KEY': 'x' * 32,"
        f" 'INSTANCE_PATH': '{tmp_path}/instance'}})\n"
        "page = app.test_client().get('/login', headers={'Accept-Language': 'de'}).get_data(as_text=True)\n"
        "print('lang=\"de\"' in page, 'Anmelden' in page)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path / "site")})
    assert output.stdout.split() == ["True", "True"], output.stderr[-2000:]
