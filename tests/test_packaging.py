"""pyproject.toml names every package and every data file, so a normal (non-editable) install has them all."""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'"(rnnviz[\w.]*)"', re.search(r"packages = \[(.*?)\]", text, re.S).group(1)))
    found = {
        ".".join(("rnnviz", *init.parent.relative_to(ROOT / "rnnviz").parts))
        for init in (ROOT / "rnnviz").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    found |= {f"rnnviz.{folder}" for folder in ("scenes", "widgets")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def _setuptools_config() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _package_folder(package: str, package_dir: dict) -> Path:
    """Where ``package`` lives in the checkout, by [tool.setuptools.package-dir] (else by its dotted name)."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        if ".".join(parts[:cut]) in package_dir:
            return ROOT / package_dir[".".join(parts[:cut])] / Path(*parts[cut:])
    return ROOT / Path(*parts)


def _data_files(folder: Path, subpackages: set) -> set:
    """Every file under ``folder`` that is not Python, hidden, cached, or in a sub-package of its own."""
    found = set()
    for path in folder.rglob("*"):
        inner = path.relative_to(folder).parts
        if (not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in inner
                or any(part.startswith(".") for part in inner)
                or any(folder.joinpath(*inner[:cut]) in subpackages for cut in range(1, len(inner)))):
            continue
        found.add(path)
    return found


def test_data_files_are_exactly_the_listed_package_data():
    """Every data file in a package folder ships by a package-data pattern; setuptools' file list adds nothing more
    (include-package-data would warn that data folders such as scenes/data are "absent from packages")."""
    config = _setuptools_config()
    assert config.get("include-package-data", True) is False, "set include-package-data = false"
    folders = {package: _package_folder(package, config["package-dir"]) for package in config["packages"]}
    for package, folder in folders.items():
        listed = {path for pattern in config["package-data"].get(package, ()) for path in folder.glob(pattern)}
        unlisted = _data_files(folder, set(folders.values())) - listed
        assert not unlisted, f"{package}: add to [tool.setuptools.package-data]: {sorted(map(str, unlisted))}"
    assert list((ROOT / "scenes" / "data").glob("*.npz")), "the scenes' shipped defaults"


@pytest.mark.slow
def test_the_wheel_ships_the_data_without_a_warning(tmp_path):
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ and *.egg-info there
    for folder in ("rnnviz", "scenes", "widgets"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-v", "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert "absent from" not in built.stdout + built.stderr
    (wheel,) = tmp_path.glob("rnnviz-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in [*(ROOT / "scenes" / "data").glob("*.npz"), *(ROOT / "rnnviz" / "lessons" / "shipped").rglob("*.*")]:
        inside = "rnnviz/scenes/data/" + data.name if data.parent.name == "data" else data.relative_to(ROOT).as_posix()
        assert inside in names, f"{inside} is not in the wheel"
