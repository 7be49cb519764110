"""The import direction: a lower app never imports a higher one (contracts in pyproject.toml, [tool.importlinter]).

demo > portal | directory > booking > scheduling > clinics > places | notifications > painhero's shared helpers;
painhero's composition root (urls, api, health, settings) wires the apps together and no app imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grimp
import importlinter.api  # noqa: F401  (importing it configures import-linter's adapters)
import pytest
from importlinter.application import output, use_cases

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _lint() -> tuple[bool, str]:
    """Whether every contract is kept, and import-linter's report: each broken one says which module imports
    which, on what line."""
    with output.console.capture() as captured:
        # No cache: a stale one could hide an import added since, and the test must not write into the tree.
        kept = use_cases.lint_imports(str(PYPROJECT), cache_dir=None, no_logo=True, is_debug_mode=True)
    return kept, captured.get()


def test_no_app_imports_an_app_above_it_nor_the_composition_root():
    kept, report = _lint()
    assert kept, report
    assert "Contracts: 2 kept, 0 broken." in report


@pytest.mark.parametrize(
    "importer, imported",
    [
        ("clinics.services", "scheduling.services"),  # the lazy import clinics.hooks replaced
        ("clinics.services", "booking.models"),  # cancellation_window_set, now booking.policy's
        ("places.models", "clinics.models"),
        ("booking.services", "directory.search"),
        ("directory.views", "demo.network"),
        ("portal.access", "directory.views"),  # siblings: independent of each other
        ("painhero.formats", "clinics.models"),  # painhero's shared helpers are the lowest layer
        ("scheduling.views", "painhero.api"),  # nobody imports the composition root
    ],
)
def test_an_import_against_the_direction_breaks_a_contract_naming_it(monkeypatch, importer, imported):
    build = use_cases._build_graph

    def with_the_import(*args: Any, **kwargs: Any) -> grimp.ImportGraph:
        graph = build(*args, **kwargs)
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
        return graph

    monkeypatch.setattr(use_cases, "_build_graph", with_the_import)
    kept, report = _lint()
    assert not kept
    assert "Contracts: 1 kept, 1 broken." in report
    assert f"{importer} -> {imported} (l.1)" in report


def test_every_app_of_the_project_is_in_the_contracts():
    """A new app (patients, waitlist, ...) must take its place in the layers, or nothing checks its imports."""
    from django.apps import apps

    root = PYPROJECT.parent
    # The project's own apps are top-level folders of the repository (the virtualenv may sit inside it too).
    ours = {config.name for config in apps.get_app_configs() if Path(config.path) == root / config.name}
    options = use_cases.read_user_options(str(PYPROJECT))
    assert ours == set(options.session_options["root_packages"])
    layers = next(contract for contract in options.contracts_options if contract["id"] == "layers")["layers"]
    layered = {name.strip() for layer in layers for name in layer.split("|")}
    assert ours == layered
