"""Settings from a TOML file plus the environment; secrets stay out of repr, logs and errors.

Precedence, highest first: explicit overrides (command-line options), environment variables, the TOML file,
defaults. The TOML file is `--config`, else $GONGKAI_CONFIG, else ./gongkai.toml when it exists:

    [ckan]
    url = "https://data.example.gov.cn"
    token_file = "/etc/gongkai/ckan-token"      # or $GONGKAI_CKAN_TOKEN / $GONGKAI_CKAN_TOKEN_FILE
    allow_insecure_http = false                 # plain http is refused unless the host is loopback
    timeout = 30

    [paths]
    catalog = "."           # holds datasets/ and schemas/
    inbox = "inbox"
    dist = "dist"
    ledger = "var/ledger.sqlite3"               # or a postgresql:// URL

    [privacy]
    key_file = "/etc/gongkai/pseudonym.key"     # or $GONGKAI_PSEUDONYM_KEY / $GONGKAI_PSEUDONYM_KEY_FILE

    [targets]
    datasets_per_year = 15
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tomllib
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from publish.errors import ConfigError


class Secret:
    """A secret string that never shows itself in repr, str or f-strings; `.reveal()` hands it over."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it (an HTTP header, an HMAC key)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where things are and how to reach the portal."""

    ckan_url: str = "http://127.0.0.1:5000"
    ckan_token: Secret | None = field(default=None, repr=False)
    allow_insecure_http: bool = False
    timeout: float = 30.0
    catalog_root: Path = Path(".")
    inbox: Path = Path("inbox")
    dist: Path = Path("dist")
    ledger: str = "var/ledger.sqlite3"
    pseudonym_key_file: Path | None = None
    datasets_per_year: int = 15

    def require_token(self) -> Secret:
        """The API token, or a Chinese error saying where to put one."""
        if not self.ckan_token:
            raise ConfigError(
                "未配置 CKAN API 令牌：请设置环境变量 GONGKAI_CKAN_TOKEN 或 GONGKAI_CKAN_TOKEN_FILE，"
                "或在配置文件 [ckan] 中写 token_file。"
            )
        return self.ckan_token

    def check_transport(self) -> None:
        """Refuse plain HTTP to a non-loopback portal unless the user allowed it explicitly."""
        parts = urlsplit(self.ckan_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"CKAN 地址无效：{self.ckan_url}（应形如 https://data.example.gov.cn）")
        if parts.scheme == "http" and not is_loopback(parts.hostname) and not self.allow_insecure_http:
            raise ConfigError(
                f"拒绝以明文 HTTP 连接非本机的 CKAN（{parts.hostname}）：令牌会被窃听。"
                "请改用 https://，或在配置中明确设置 allow_insecure_http = true。"
            )


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret_file(path: Path, what: str) -> Secret:
    """Read a secret from a file that only its owner may read; refuse group- or world-readable files."""
    try:
        mode = path.stat().st_mode
    except OSError:
        raise ConfigError(f"{what}文件不存在或无法读取：{path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{what}文件权限过宽（{stat.filemode(mode)}）：{path}。请执行 chmod 600 {path}")
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(f"{what}文件为空：{path}")
    return Secret(value)


def _warn_if_loose(path: Path) -> None:
    """Config files may name secret files; warn when others can write them."""
    mode = path.stat().st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        warnings.warn(f"配置文件可被他人修改（{stat.filemode(mode)}）：{path}", stacklevel=3)


def _load_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        default = Path("gongkai.toml")
        if not default.exists():
            return {}
        path = default
    try:
        _warn_if_loose(path)
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError:
        raise ConfigError(f"无法读取配置文件：{path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件格式错误：{path}（{exc}）") from None


def load_settings(
    config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from the TOML file, the environment and explicit overrides (None values ignored)."""
    env = os.environ if env is None else env
    if config_path is None and env.get("GONGKAI_CONFIG"):
        config_path = Path(env["GONGKAI_CONFIG"])
    data = _load_toml(config_path)
    ckan, paths = data.get("ckan", {}), data.get("paths", {})
    privacy, targets = data.get("privacy", {}), data.get("targets", {})

    token: Secret | None = None
    token_file = env.get("GONGKAI_CKAN_TOKEN_FILE") or ckan.get("token_file")
    if env.get("GONGKAI_CKAN_TOKEN"):
        token = Secret(env["GONGKAI_CKAN_TOKEN"].strip())
    elif token_file:
        token = read_secret_file(Path(token_file), "CKAN API 令牌")

    key_file = env.get("GONGKAI_PSEUDONYM_KEY_FILE") or privacy.get("key_file")
    try:
        settings = Settings(
            ckan_url=(env.get("GONGKAI_CKAN_URL") or ckan.get("url") or Settings.ckan_url).rstrip("/"),
            ckan_token=token,
            allow_insecure_http=bool(ckan.get("allow_insecure_http", False)),
            timeout=float(ckan.get("timeout", Settings.timeout)),
            catalog_root=Path(env.get("GONGKAI_CATALOG") or paths.get("catalog", ".")),
            inbox=Path(env.get("GONGKAI_INBOX") or paths.get("inbox", "inbox")),
            dist=Path(env.get("GONGKAI_DIST") or paths.get("dist", "dist")),
            ledger=str(env.get("GONGKAI_LEDGER") or paths.get("ledger", Settings.ledger)),
            pseudonym_key_file=Path(key_file) if key_file else None,
            datasets_per_year=int(targets.get("datasets_per_year", 15)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"配置项取值错误：{exc}") from None
    given = {key: value for key, value in overrides.items() if value is not None}
    if "ckan_url" in given:
        given["ckan_url"] = str(given["ckan_url"]).rstrip("/")
    return replace(settings, **given)
