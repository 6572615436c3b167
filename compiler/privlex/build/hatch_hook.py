"""The hatchling build hook `privlex`: compile a project's rule files whenever its sdist or wheel is built.

A project turns it on in its pyproject.toml::

    [build-system]
    requires = ["hatchling", "privlex"]
    build-backend = "hatchling.build"

    [tool.hatch.build.hooks.privlex]      # may also set sources, out and package

    [tool.privlex]
    sources = ["privlex:shipped/gdpr", "rules"]   # the shipped GDPR, and the project's own rules
    out = "src"
    package = "acme_rules"

At each build the hook compiles the unit that `[tool.privlex]` names into
OUT/PACKAGE (as `privlex compile` would) and adds every generated file to the
artifact through `force_include`, so the wheel carries them even when they are
git-ignored. An editable install gets a `.pth` file that puts OUT on
`sys.path`, so the package imports from the project folder. A rule file with
an error stops the build with the rendered diagnostics. Setting
PRIVLEX_SKIP_BUILD_HOOK=1 skips the hook.

hatchling is imported here only: the rest of privlex does not need it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from ..diagnostics import render_all
from ..pipeline import generate
from .config import ConfigError, Settings, load, with_overrides
from .outputs import write_package
from .sources import compile_unit

SKIP_VARIABLE = "PRIVLEX_SKIP_BUILD_HOOK"
HOOK_TABLE = "tool.hatch.build.hooks.privlex"
# Options hatch itself reads from every hook's table; privlex leaves them alone.
HATCH_OPTIONS = frozenset(
    {"dependencies", "require-runtime-dependencies", "require-runtime-features", "enable-by-default"}
)


def skip_requested(environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(SKIP_VARIABLE, "")
    return value.strip().lower() not in ("", "0", "false", "no")


class PrivlexBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "privlex"

    _scratch: str | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if skip_requested():
            self.app.display_info(f"privlex: {SKIP_VARIABLE} is set, so the rule files are not compiled")
            return
        settings = self._settings()
        files = self._compile(settings)
        folder = settings.package_dir
        if self.target_name == "sdist":
            self._include_in_sdist(settings, files, build_data)
        elif version == "editable":
            self._include_in_editable(settings, build_data)
        else:
            for name in sorted(files):
                build_data["force_include"][str(folder / name)] = f"{settings.package}/{name}"
        kind = "editable wheel" if version == "editable" and self.target_name != "sdist" else self.target_name
        self.app.display_info(
            f"privlex: compiled {', '.join(str(p.name) for p in settings.sources)} "
            f"into {settings.package} for the {kind}"
        )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # ----------------------------------------------------------------- steps

    def _settings(self) -> Settings:
        pyproject = Path(self.root) / "pyproject.toml"
        own = {key: value for key, value in self.config.items() if key not in HATCH_OPTIONS}
        try:
            settings = load(pyproject if pyproject.is_file() else None, Path(self.root))
            return with_overrides(settings, own, HOOK_TABLE) if own else settings
        except ConfigError as exc:
            self.app.display_error(render_all(exc.diagnostics, exc.sources).rstrip("\n"))
            self.app.abort(f"privlex: the build stops: fix the configuration above ({exc.diagnostic.message})")
            raise  # abort exits; this keeps type checkers informed

    def _compile(self, settings: Settings) -> dict[str, str]:
        compilation = compile_unit(settings.sources)
        text = render_all(compilation.diagnostics, compilation.sources)
        if compilation.program is None:
            self.app.display_error(text.rstrip("\n"))
            self.app.abort(f"privlex: the rule files have errors, so the {self.target_name} was not built")
            raise SystemExit(1)
        if text:
            self.app.display_warning(text.rstrip("\n"))
        files = generate(compilation.program, settings.package)
        try:
            write_package(settings.package_dir, files)
        except OSError as exc:
            self.app.abort(f"privlex: cannot write {settings.package_dir}: {exc.strerror or exc}")
        return files

    def _include_in_sdist(self, settings: Settings, files: dict[str, str], build_data: dict[str, Any]) -> None:
        root = Path(self.root).resolve()
        folder = settings.package_dir
        if not folder.is_relative_to(root):
            self.app.abort(f"privlex: `out` must lie inside the project to go into an sdist, not {settings.out}")
        for name in sorted(files):
            build_data["force_include"][str(folder / name)] = (folder / name).relative_to(root).as_posix()

    def _include_in_editable(self, settings: Settings, build_data: dict[str, Any]) -> None:
        self._scratch = tempfile.mkdtemp(prefix="privlex-hook-")
        # finalize() removes it; hatch skips finalize when it only prepares metadata
        atexit.register(shutil.rmtree, self._scratch, True)
        name = f"_privlex_{settings.package}.pth"
        pth = Path(self._scratch) / name
        pth.write_text(f"{settings.out}\n", encoding="utf-8")
        editable = build_data.setdefault("force_include_editable", {})
        if not editable:
            # hatchling uses this map instead of the project's force-include: keep those files too.
            editable.update(self.build_config.get_force_include())
        editable[str(pth)] = name


@hookimpl
def hatch_register_build_hook() -> type[BuildHookInterface]:  # type: ignore[type-arg]
    return PrivlexBuildHook
