"""Run settings: one dataclass holding every option, and study files (TOML) that set them.

A study's settings live in one file; the command line overrides it::

    # study.toml
    [netanalysis]
    exclude = ["RU"]
    unit = "post"
    freq = "month"

Keys may also sit at the top level of the file. Unknown keys are an error (a typo must not
silently fall back to a default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from netanalysis.errors import ConfigError, ConfigFileError
from netanalysis.model import ALTERNATIVES, BASELINES, DEFAULT_FORMS, TESTS, UNITS, Exclusion, parse_forms

__all__ = ["Settings", "load_config", "merge_settings", "FIGURE_FORMATS", "FREQS", "HEATMAP_VALUES"]

FREQS = ("week", "month", "quarter", "year")
#: Formats figures are saved in.
FIGURE_FORMATS = ("png", "svg", "pdf")
#: What the heatmap can show: co-mention counts (log scale) or association strength.
HEATMAP_VALUES = ("weight", "assoc_strength")
#: A study file larger than this is not one.
_MAX_CONFIG_BYTES = 1 << 20


@dataclass(frozen=True)
class Settings:
    """Every option of a run, with its default. Field names are the config file's keys."""

    # reading
    format: str = "auto"
    encoding: str = "utf-8"
    strict: bool = False
    dedupe: bool = False
    channel: str | None = None
    tz: str | None = None
    text_col: str | None = None
    date_col: str | None = None
    id_col: str | None = None
    channel_col: str | None = None
    count_forwards: bool = True
    # extraction
    countries: tuple[str, ...] = ("flags", "hashtags", "pair_hashtags", "names")
    #: The forms of mention that count (``--forms``): ``default`` (all but metonymy), ``all`` or a
    #: list; stored as the parsed tuple (:func:`~netanalysis.model.parse_forms`).
    forms: tuple[str, ...] = DEFAULT_FORMS
    exclude: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    # graph
    unit: str = "post"
    min_weight: int = 1
    baseline: str = "all-units"
    # edge tests and the backbone
    test: str = "hypergeom"
    alpha: float = 0.05
    alternative: str = "greater"
    backbone: bool = False
    path_weights: bool = False
    # time
    freq: str = "month"
    window: str | None = None
    step: str | None = None
    cumulative: bool = False
    metric: str = "share"
    min_posts: int = 20
    # uncertainty and tests
    bootstrap: int = 200
    permutations: int = 999
    # figures
    formats: tuple[str, ...] = FIGURE_FORMATS
    fig_size: str = "double"
    font_size: float = 8.0
    top: int = 10
    heatmap_value: str = "weight"
    # explorer
    title: str | None = None
    # comparing groups (compare)
    by: str = "channel"
    vs: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    # runtime
    seed: int = 0
    jobs: int = 0
    engine: str = "processes"
    scheduler: str | None = None
    cache: bool = False
    progress: bool = False
    # reliability
    #: text cells of the CSV files spreadsheet-safe (a ``'`` before a formula start)
    safe_csv: bool = True
    #: the cache's folder (default: ``$NETANALYSIS_CACHE_DIR``, else the user's cache folder)
    cache_dir: str | None = None
    #: seconds a worker may spend on one chunk of posts before the run stops (0: no limit)
    worker_timeout: float = 600.0
    #: ``exclude`` parsed once: the value every stage receives.
    exclusion: Exclusion = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exclusion", Exclusion.parse(self.exclude))
        problems = []
        try:
            object.__setattr__(self, "forms", parse_forms(self.forms))
        except ConfigError as err:
            problems.append(f"forms: {err}")
        if self.unit not in UNITS:
            problems.append(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if self.freq not in FREQS:
            problems.append(f"freq must be one of {', '.join(FREQS)}, not {self.freq!r}")
        if int(self.min_weight) < 1:
            problems.append(f"min_weight must be at least 1, not {self.min_weight!r}")
        if self.baseline not in BASELINES:
            problems.append(f"baseline must be one of {', '.join(BASELINES)}, not {self.baseline!r}")
        if self.test not in TESTS:
            problems.append(f"test must be one of {', '.join(TESTS)}, not {self.test!r}")
        if not 0 < float(self.alpha) < 1:
            problems.append(f"alpha must be between 0 and 1, not {self.alpha!r}")
        if self.alternative not in ALTERNATIVES:
            problems.append(f"alternative must be one of {', '.join(ALTERNATIVES)}, not {self.alternative!r}")
        elif self.backbone and self.alternative == "less":
            problems.append("a backbone keeps the ties stronger than chance: use alternative 'greater' or 'two-sided'")
        if len(self.names) not in (0, 2) or (self.names and not self.vs):
            problems.append("names are the two groups' names and go with vs (e.g. names = ['Before', 'After'])")
        if self.vs and self.by != "channel":
            problems.append("by and vs do not go together: vs makes two groups of the inputs")
        if not str(self.by).strip():
            problems.append("by must name channel, forwarded_from, input or a column of the input tables")
        bad = [f for f in self.formats if f not in FIGURE_FORMATS]
        if bad or not self.formats:
            problems.append(f"formats must be among {', '.join(FIGURE_FORMATS)}, not {','.join(self.formats)!r}")
        if self.heatmap_value not in HEATMAP_VALUES:
            problems.append(f"heatmap_value must be one of {', '.join(HEATMAP_VALUES)}, not {self.heatmap_value!r}")
        if int(self.top) < 1:
            problems.append(f"top must be at least 1, not {self.top!r}")
        if (self.window is None) != (self.step is None):
            problems.append("window and step go together (e.g. window='3M', step='1M')")
        for name in ("min_posts", "bootstrap", "permutations"):
            if int(getattr(self, name)) < 0:
                problems.append(f"{name} must be 0 or more, not {getattr(self, name)!r}")
        if int(self.jobs) < 0:
            problems.append("jobs must be 0 (all cores) or more")
        if not float(self.worker_timeout) >= 0:
            problems.append(f"worker_timeout must be 0 (no limit) or more seconds, not {self.worker_timeout!r}")
        from netanalysis.parallel import ENGINES  # (not at import: the command line's --help does not need the pool)

        if self.engine not in ENGINES:
            problems.append(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.scheduler and self.engine != "dask":
            problems.append("a scheduler address needs engine = 'dask'")
        if problems:
            raise ConfigError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the manifest (tuples as lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self) if f.init}


_FIELDS = {f.name: f for f in fields(Settings) if f.init}
_TUPLE_FIELDS = {name for name, f in _FIELDS.items() if str(f.type).startswith("tuple")}


def _coerce(name: str, value: Any, where: str) -> Any:
    default = _FIELDS[name].default
    if name in _TUPLE_FIELDS:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {name} must be a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {name} must be true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: {name} must be a whole number")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {name} must be a number")
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {name} must be a string")
    return value


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a study file (TOML) into a dict of validated settings.

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, or holds an unknown key or a wrong type.
    """
    import tomllib  # (compiles its regular expressions on import: only when a study file is read)

    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise ConfigFileError(f"{path}: not a study file (larger than {_MAX_CONFIG_BYTES // 1024} KB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(f"{path}: line {line}: not UTF-8 text (a study file is UTF-8 TOML)") from None
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigFileError(f"{path}: not valid TOML (nested too deeply)") from None
    table = data.get("netanalysis", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [netanalysis] must be a table")
    out = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {', '.join(sorted(_FIELDS))})")
        out[name] = _coerce(name, value, str(path))
    base = path.parent
    for key in ("registry", "vs"):  # relative registry files and inputs are relative to the config file
        if key in out:
            out[key] = tuple(str((base / p) if not Path(p).is_absolute() else p) for p in out[key])
    return out


def merge_settings(*layers: Mapping[str, Any]) -> Settings:
    """Settings from layers applied in order (later wins): defaults < config file < command line."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key not in _FIELDS:
                raise ConfigError(f"unknown setting {key!r}")
            merged[key] = _coerce(key, value, "option") if value is not None else None
    return Settings(**merged)
