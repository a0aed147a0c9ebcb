"""The ``.ionapi`` credentials file that ION API hands out, read into named, typed fields.

A file downloaded from ION API (Authorized Apps) is a small JSON object with two-letter keys.
:class:`IonApiConfig` gives each one the name of what it means, checks it, and works out the
token, revoke and API URLs. Two kinds of file exist: a *service account* file (``saak`` and
``sask`` present: OAuth2 password grant) and a *backend service* file without them (client
credentials grant). The client secret and the service account keys are held as
:class:`~amazon_erp_bridge.core.redaction.Secret` and never printed.

:func:`check_ionapi` reads a file and reports every problem in plain words, for the CLI.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from attrs import field, frozen

from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.errors import BridgeError, ConfigurationError, ValidationError
from amazon_erp_bridge.limits import loads_json

#: A .ionapi file is a dozen short strings; anything much bigger is not one.
MAX_IONAPI_BYTES = 256 * 1024
#: Nesting a .ionapi file may have (it has none: one flat object).
MAX_IONAPI_DEPTH = 8


class IonApiKind(enum.Enum):
    """Which OAuth2 grant a file is for."""

    SERVICE_ACCOUNT = "service account"
    BACKEND_SERVICE = "backend service"

    @property
    def grant(self) -> str:
        """The OAuth2 grant type: ``password`` or ``client_credentials``."""
        return "password" if self is IonApiKind.SERVICE_ACCOUNT else "client_credentials"

    def describe(self) -> str:
        """The kind in plain words, with the OAuth2 grant it uses."""
        if self is IonApiKind.SERVICE_ACCOUNT:
            return "service account file (OAuth2 password grant with the service account keys)"
        return "backend service file (OAuth2 client credentials grant, no service account)"


@frozen
class _Key:
    key: str
    attr: str
    meaning: str
    secret: bool = False


# Order matters: problems are reported in this order.
_KEYS: tuple[_Key, ...] = (
    _Key("ti", "tenant", "tenant identifier"),
    _Key("cn", "client_name", "application name"),
    _Key("ci", "client_id", "OAuth2 client id"),
    _Key("cs", "client_secret", "OAuth2 client secret", secret=True),
    _Key("iu", "ion_api_url", "ION API gateway URL"),
    _Key("pu", "sso_url", "authorization server (SSO) base URL"),
    _Key("oa", "authorize_path", "authorization endpoint path"),
    _Key("ot", "token_path", "token endpoint path"),
    _Key("or", "revoke_path", "revoke endpoint path"),
    _Key("saak", "service_account_access_key", "service account access key", secret=True),
    _Key("sask", "service_account_secret_key", "service account secret key", secret=True),
)
_BY_KEY = {k.key: k for k in _KEYS}
_ALWAYS_REQUIRED = ("ci", "cs", "pu", "ot")
_URL_KEYS = ("iu", "pu")
_PATH_KEYS = ("oa", "ot", "or")


def _label(key: str) -> str:
    spec = _BY_KEY.get(key)
    return f"'{key}' ({spec.meaning})" if spec else f"'{key}'"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@frozen
class _Reading:
    """The outcome of checking one decoded file: the good values, problems and notes."""

    values: Mapping[str, str]
    extras: Mapping[str, str]
    kind: IonApiKind | None
    problems: tuple[str, ...]
    notes: tuple[str, ...]


def _read(data: object) -> _Reading:
    problems: list[str] = []
    notes: list[str] = []
    if not isinstance(data, dict):
        return _Reading({}, {}, None, (f"expected a JSON object, got {_json_type(data)}",), ())
    values: dict[str, str] = {}
    extras: dict[str, str] = {}
    for key, raw in data.items():
        spec = _BY_KEY.get(key)
        if spec is None:
            if isinstance(raw, str):
                extras[key] = raw
            else:
                notes.append(f"field {key!r} ({_json_type(raw)}) is not used and was ignored")
            continue
        if not isinstance(raw, str):
            rep = str(raw) if isinstance(raw, Decimal) else repr(raw)
            hidden = spec.secret or isinstance(raw, dict | list) or len(rep) > 40
            shown = "" if hidden else f" {rep}"
            problems.append(f"field {_label(key)} must be a string, got {_json_type(raw)}{shown}")
            continue
        if not raw.strip():
            problems.append(f"field {_label(key)} is empty")
            continue
        if raw != raw.strip():
            problems.append(
                f"field {_label(key)} has spaces or a line break at its start or end "
                "(a copy-and-paste slip?)"
            )
            continue
        values[key] = raw

    has_saak, has_sask = "saak" in values, "sask" in values
    present_saak, present_sask = "saak" in data, "sask" in data
    kind: IonApiKind | None
    if has_saak and has_sask:
        kind = IonApiKind.SERVICE_ACCOUNT
    elif not present_saak and not present_sask:
        kind = IonApiKind.BACKEND_SERVICE
    else:
        kind = None
        for key, present in (("saak", present_saak), ("sask", present_sask)):
            if not present:
                problems.append(
                    f"field {_label(key)} is missing: a service account file needs both "
                    "'saak' and 'sask' (a backend service file has neither)"
                )

    required = list(_ALWAYS_REQUIRED)
    if kind is not IonApiKind.BACKEND_SERVICE:
        required[:0] = ["ti"]
        required.append("iu")
    for key in required:
        if key not in data:
            problems.append(f"field {_label(key)} is missing")

    for key in _URL_KEYS:
        if key in values:
            shown = values[key][:200]
            try:
                parts = urlsplit(values[key])
                ok = parts.scheme in ("http", "https") and bool(parts.netloc)
                ok = (ok and parts.port is None) or ok  # port access validates it
            except ValueError as exc:
                problems.append(f"field {_label(key)} is not a valid URL ({exc}): {shown!r}")
                continue
            if not ok:
                problems.append(f"field {_label(key)} must be an http(s) URL, got {shown!r}")
    for key in _PATH_KEYS:
        if key in values and values[key].startswith("/"):
            notes.append(f"field {_label(key)} starts with '/'; it is joined to 'pu' as is")
    if "ti" in values and any(c in values["ti"] for c in "/ ?#"):
        problems.append(f"field {_label('ti')} must be a bare tenant name, got {values['ti']!r}")
    if kind is IonApiKind.BACKEND_SERVICE:
        for key in ("ti", "iu"):
            if key not in data:
                notes.append(
                    f"field {_label(key)} is absent: pass base_url= to the M3 client to say "
                    "where the ION API is"
                )
    if "or" not in data:
        notes.append("field 'or' (revoke endpoint path) is absent: tokens are not revoked on close")
    if extras:
        notes.append(f"extra fields kept as given: {', '.join(sorted(extras))}")
    return _Reading(values, extras, kind, tuple(problems), tuple(notes))


def _join(base: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return base if not path else base.rstrip("/") + "/" + path.lstrip("/")


def _secret(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def _optional_secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else _secret(value)


@frozen(repr=False)
class IonApiConfig:
    """The contents of a ``.ionapi`` file, one named field per key.

    ``token_url`` (``pu`` + ``ot``), ``revoke_url`` (``pu`` + ``or``) and ``base_url``
    (``iu`` + ``/`` + ``ti``, where MI programs live under ``/M3/m3api-rest``) are derived.
    """

    client_id: str  # ci
    client_secret: Secret = field(converter=_secret)  # cs
    sso_url: str  # pu
    token_path: str  # ot
    tenant: str | None = None  # ti
    client_name: str | None = None  # cn
    ion_api_url: str | None = None  # iu
    authorize_path: str | None = None  # oa
    revoke_path: str | None = None  # or
    service_account_access_key: Secret | None = field(default=None, converter=_optional_secret)
    service_account_secret_key: Secret | None = field(default=None, converter=_optional_secret)
    #: Keys this library does not interpret (``dt``, ``ev``, ``v`` in real files), kept as given.
    extras: Mapping[str, str] = field(factory=dict)
    #: Where the values came from (a file path, ``<dict>`` or ``<json>``), for messages.
    source: str = "<dict>"

    @property
    def kind(self) -> IonApiKind:
        """Service account file (it has ``saak``) or backend service file."""
        if self.service_account_access_key is not None:
            return IonApiKind.SERVICE_ACCOUNT
        return IonApiKind.BACKEND_SERVICE

    @property
    def token_url(self) -> str:
        """Where tokens are requested: ``pu`` + ``ot``."""
        return _join(self.sso_url, self.token_path)

    @property
    def revoke_url(self) -> str | None:
        """Where tokens are revoked; None if the file has no ``or`` key."""
        return _join(self.sso_url, self.revoke_path) if self.revoke_path else None

    @property
    def authorize_url(self) -> str | None:
        """Where users authorise (``pu`` + ``oa``); None without an ``oa`` key."""
        return _join(self.sso_url, self.authorize_path) if self.authorize_path else None

    @property
    def base_url(self) -> str:
        """The ION API root for this tenant, e.g. ``https://mingle-ionapi.../TENANT``."""
        if not self.ion_api_url or not self.tenant:
            missing = " and ".join(
                f"'{k}'" for k, v in (("iu", self.ion_api_url), ("ti", self.tenant)) if not v
            )
            raise ConfigurationError(
                f"{self.source}: has no {missing}, so the ION API URL is unknown; "
                "pass base_url= (ION API URL + '/' + tenant) to the M3 client"
            )
        return self.ion_api_url.rstrip("/") + "/" + self.tenant

    # ----------------------------------------------------------------------- constructors
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> IonApiConfig:
        """Build from the decoded JSON object; every problem found is named in one error."""
        reading = _read(dict(data) if isinstance(data, Mapping) else data)
        if reading.problems:
            raise ConfigurationError(_problem_text(source, reading.problems))
        v = reading.values
        return cls(
            client_id=v["ci"],
            client_secret=v["cs"],
            sso_url=v["pu"],
            token_path=v["ot"],
            tenant=v.get("ti"),
            client_name=v.get("cn"),
            ion_api_url=v.get("iu"),
            authorize_path=v.get("oa"),
            revoke_path=v.get("or"),
            service_account_access_key=v.get("saak"),
            service_account_secret_key=v.get("sask"),
            extras=dict(reading.extras),
            source=source,
        )

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "<json>") -> IonApiConfig:
        """Build from the text of a ``.ionapi`` file."""
        return cls.from_dict(_decode(text, source), source=source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> IonApiConfig:
        """Read a ``.ionapi`` file."""
        source = str(path)
        return cls.from_json(_read_file(Path(path)), source=source)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IonApiConfig:
        """Read the ``.ionapi`` named by ``ION_API_FILE``, or the JSON in ``ION_API_CONFIG``.

        ``env`` defaults to ``os.environ``. With neither set this raises a ConfigurationError
        naming both variables; the file's secrets are never logged nor put in a message.
        """
        source = os.environ if env is None else env
        path = source.get("ION_API_FILE", "").strip()
        if path:
            return cls.from_file(path)
        text = source.get("ION_API_CONFIG", "").strip()
        if text:
            return cls.from_json(text, source="$ION_API_CONFIG")
        raise ConfigurationError(
            "ION API credentials from the environment: missing ION_API_FILE (the path of a "
            ".ionapi file) or ION_API_CONFIG (its JSON contents); set one of them"
        )

    def to_dict(self, *, include_secrets: bool = False) -> dict[str, str]:
        """The file's keys again; secrets are masked unless ``include_secrets`` is set."""

        def secret(value: Secret | None) -> str | None:
            if value is None:
                return None
            return value.reveal() if include_secrets else "***"

        pairs: dict[str, str | None] = {
            "ti": self.tenant,
            "cn": self.client_name,
            "ci": self.client_id,
            "cs": secret(self.client_secret),
            "iu": self.ion_api_url,
            "pu": self.sso_url,
            "oa": self.authorize_path,
            "ot": self.token_path,
            "or": self.revoke_path,
            "saak": secret(self.service_account_access_key),
            "sask": secret(self.service_account_secret_key),
        }
        out = {k: v for k, v in pairs.items() if v is not None}
        out.update(self.extras)
        return out

    def __repr__(self) -> str:
        return (
            f"IonApiConfig(tenant={self.tenant!r}, client_name={self.client_name!r}, "
            f"client_id={self.client_id!r}, kind={self.kind.value!r}, "
            f"token_url={self.token_url!r}, source={self.source!r})"
        )


def _problem_text(source: str, problems: tuple[str, ...]) -> str:
    if len(problems) == 1:
        return f"{source}: {problems[0]}"
    listed = "".join(f"\n  - {p}" for p in problems)
    return f"{source}: {len(problems)} problems in the .ionapi file:{listed}"


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such .ionapi file") from None
    except IsADirectoryError:
        raise ConfigurationError(f"{path}: is a directory, not a .ionapi file") from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _decode(text: str | bytes, source: str) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigurationError(
                f"{source}: is not UTF-8 text; a .ionapi file is JSON downloaded from ION API"
            ) from None
    if not text.strip():
        raise ConfigurationError(
            f"{source}: is empty; download the credentials again from ION API "
            "(Authorized Apps > your app > Download Credentials)"
        )
    try:
        return loads_json(text, what=source, max_bytes=MAX_IONAPI_BYTES, max_depth=MAX_IONAPI_DEPTH)
    except ValidationError as exc:
        reason = exc.message.removeprefix(f"{source}: ")
        raise ConfigurationError(
            f"{source}: is not JSON ({reason}); a .ionapi file is the JSON downloaded from ION API"
        ) from None


@frozen
class IonApiCheck:
    """What :func:`check_ionapi` found: the kind of file, its problems and notes."""

    path: str
    kind: IonApiKind | None
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    config: IonApiConfig | None = None

    @property
    def ok(self) -> bool:
        """True when the file has no problems."""
        return not self.problems

    def describe(self) -> str:
        """A few lines a person can read: verdict, URLs, problems, notes."""
        lines: list[str] = []
        if self.ok and self.config is not None:
            cfg = self.config
            tenant = f" for tenant {cfg.tenant}" if cfg.tenant else ""
            lines.append(f"{self.path}: OK, {cfg.kind.describe()}{tenant}")
            lines.append(f"  client: {cfg.client_name or '(no name)'} ({cfg.client_id})")
            lines.append(f"  token URL: {cfg.token_url}")
            if cfg.revoke_url:
                lines.append(f"  revoke URL: {cfg.revoke_url}")
            if cfg.ion_api_url and cfg.tenant:
                lines.append(f"  ION API base URL: {cfg.base_url}")
        else:
            count = len(self.problems)
            lines.append(f"{self.path}: {count} problem{'s' if count != 1 else ''}")
            lines.extend(f"  - {p}" for p in self.problems)
        if self.notes:
            lines.append("  notes:")
            lines.extend(f"  - {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def check_ionapi(path: str | os.PathLike[str]) -> IonApiCheck:
    """Read ``path`` and report, in plain words, everything that is wrong with it.

    Never raises for a bad file: the problems are in the result (``.ok``, ``.problems``,
    ``.describe()``). Secret values are never quoted.
    """
    source = str(path)
    try:
        data = _decode(_read_file(Path(path)), source)
        reading = _read(data)
        config = None
        if not reading.problems:
            config = IonApiConfig.from_dict(data, source=source)
    except BridgeError as exc:
        problem = exc.message.removeprefix(f"{source}: ")
        return IonApiCheck(source, None, (problem,))
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # never raise
        return IonApiCheck(source, None, (f"cannot be read as a .ionapi file: {exc}"[:300],))
    return IonApiCheck(source, reading.kind, reading.problems, reading.notes, config)


__all__ = ["IonApiCheck", "IonApiConfig", "IonApiKind", "check_ionapi"]
