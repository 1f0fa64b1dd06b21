"""The portal adapter: every call to CKAN goes through `Portal.call`.

ckanapi does the HTTP; this module adds what it lacks: a timeout on every call, retries with exponential
backoff on connection errors and 5xx answers, never a retry on a 4xx, no blind retry of a write that the
server may already have applied, a count of calls, and CKAN's errors mapped to `PortalError` subclasses with
Chinese messages that name neither the token nor any data value.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any, BinaryIO, Callable

import ckanapi
import requests
import urllib3

from publish.config import Secret, Settings
from publish.errors import PortalError

# Actions that can be repeated without changing the outcome: reads, and writes that set a state by id.
_REPEATABLE_SUFFIXES = ("_show", "_list", "_search", "_patch", "_update", "_delete", "_revise")
_REPEATABLE = {"status_show", "datastore_search", "datastore_info", "datastore_delete", "package_revise"}


class PortalUnavailable(PortalError):
    """CKAN could not be reached or kept failing with 5xx: worth trying again later."""


class PortalAmbiguous(PortalUnavailable):
    """A write failed in a way that leaves unknown whether the server applied it: reconcile before acting."""


class PortalDenied(PortalError):
    """CKAN refused the token or the permission."""


class PortalNotFound(PortalError):
    """The object asked for does not exist on the portal."""


class PortalRejected(PortalError):
    """CKAN rejected the request's content (a validation error); `errors` is CKAN's error mapping."""

    def __init__(self, message: str, errors: dict[str, Any]) -> None:
        super().__init__(message)
        self.errors = errors


def _is_repeatable(action: str, data: dict[str, Any] | None) -> bool:
    if action == "datastore_upsert":
        return (data or {}).get("method", "upsert") in ("upsert", "update")
    if action == "datastore_create":  # defining a table's columns again changes nothing; adding rows would
        return not (data or {}).get("records")
    return action in _REPEATABLE or action.endswith(_REPEATABLE_SUFFIXES)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached the server (refused or timed out while connecting)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class _ServerError(Exception):
    """A 5xx answer that CKAN did not explain as one of its own action errors."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _RemoteCKAN(ckanapi.RemoteCKAN):
    """ckanapi's client, made to surface HTTP 5xx answers instead of hiding the status in a repr."""

    def _request_fn(self, url, data, headers, files, requests_kwargs):  # type: ignore[no-untyped-def]
        status, text = super()._request_fn(url, data, headers, files, requests_kwargs)
        if status >= 500 and not _is_action_error(text):
            raise _ServerError(status)
        return status, text


def _is_action_error(text: str) -> bool:
    try:
        return isinstance(json.loads(text).get("error"), dict)
    except (ValueError, AttributeError):
        return False


class Portal:
    """A CKAN portal reached through its Action API, with retries, a call count and Chinese errors."""

    def __init__(
        self,
        url: str,
        token: Secret | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self.calls: Counter[str] = Counter()
        self._client = _RemoteCKAN(self.url, apikey=token.reveal() if token else None, user_agent="gongkai")

    def __repr__(self) -> str:
        return f"Portal({self.url!r})"

    def call(
        self,
        action: str,
        data: dict[str, Any] | None = None,
        *,
        files: dict[str, tuple[str, BinaryIO]] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Call one action; retry what is safe to retry; raise a PortalError subclass on failure.

        `package_update` without a `resources` list is refused: CKAN would delete every resource left out.
        """
        if action == "package_update" and "resources" not in (data or {}):
            raise ValueError("package_update without resources would drop them; use package_patch")
        repeatable = _is_repeatable(action, data) and not files
        attempt = 0
        while True:
            attempt += 1
            self.calls[action] += 1
            for handle in (files or {}).values():
                handle[1].seek(0)
            try:
                return self._client.call_action(
                    action, data or {}, files=files, requests_kwargs={"timeout": timeout or self.timeout}
                )
            except requests.RequestException as exc:
                retry = repeatable or _never_sent(exc)
                failure: PortalError = (
                    PortalUnavailable(f"无法连接 CKAN（{self.url}）：服务未启动、网络不通或响应超时。")
                    if retry
                    else PortalAmbiguous(f"调用 CKAN 的 {action} 时连接中断，无法确定是否已执行；重新运行即可核对并续传。")
                )
            except _ServerError as exc:
                retry = repeatable
                failure = (
                    PortalUnavailable(f"CKAN 服务器错误（HTTP {exc.status}），调用 {action} 失败。")
                    if retry
                    else PortalAmbiguous(f"CKAN 在执行 {action} 时出错（HTTP {exc.status}），无法确定是否已执行；重新运行即可核对并续传。")
                )
            except ckanapi.NotAuthorized:
                raise PortalDenied(
                    f"CKAN 拒绝了 {action}：API 令牌无效、已过期，或该账号没有此操作的权限。"
                ) from None
            except ckanapi.NotFound:
                raise PortalNotFound(f"CKAN 上找不到所请求的对象（{action}）。") from None
            except ckanapi.ValidationError as exc:
                errors = exc.error_dict if isinstance(exc.error_dict, dict) else {}
                errors = {k: v for k, v in errors.items() if k != "__type"}
                raise PortalRejected(f"CKAN 拒绝了 {action} 的内容：{_describe(errors)}", errors) from None
            except (ckanapi.SearchIndexError, ckanapi.SearchError, ckanapi.SearchQueryError):
                raise PortalError(f"CKAN 的搜索索引出错（{action}）：请检查门户的 Solr 或搜索插件。") from None
            except ckanapi.errors.CKANAPIError as exc:
                if "Action name not known" in str(exc):
                    raise PortalError(f"该 CKAN 门户没有 {action} 接口：请确认已启用所需插件（如 DataStore）。") from None
                raise PortalError(f"CKAN 返回了无法识别的应答（{action}），请检查地址是否为 CKAN 站点：{self.url}") from None
            if not retry or attempt > self.retries:
                raise failure
            self._sleep(self.backoff * 2 ** (attempt - 1))

    def download(self, url: str) -> bytes:
        """A resource file's bytes, fetched as this portal's user (a private dataset's file needs the token)."""
        headers = {"Authorization": self._token.reveal()} if self._token else {}
        try:
            response = requests.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException:
            raise PortalUnavailable(f"无法从 CKAN 下载文件（{self.url}）：服务未启动、网络不通或响应超时。") from None
        if response.status_code in (401, 403):
            raise PortalDenied("CKAN 拒绝了下载：该数据集不公开，或令牌无权访问。")
        if response.status_code == 404:
            raise PortalNotFound("CKAN 上找不到该文件。")
        if response.status_code != 200:
            raise PortalUnavailable(f"下载文件时 CKAN 返回 HTTP {response.status_code}。")
        return response.content

    def check(self) -> dict[str, Any]:
        """Prove the portal answers and the token works; return CKAN's status (version, site title)."""
        status = self.call("status_show")
        if not isinstance(status, dict) or "ckan_version" not in status:
            raise PortalError(f"该地址不是 CKAN 站点：{self.url}")
        if self._token:
            # user_show without an id shows the token's own user; CKAN treats an unknown token as anonymous,
            # and anonymous has no user to show. A core action: no plugin (activity …) is needed.
            try:
                self.call("user_show", {})
            except (PortalDenied, PortalNotFound):
                raise PortalDenied("CKAN 不认可这个 API 令牌：令牌无效、已过期或已被撤销。") from None
        return status


def connect(settings: Settings, *, token_required: bool = True) -> Portal:
    """A checked Portal for the configured CKAN: transport allowed, reachable, token accepted."""
    settings.check_transport()
    token = settings.require_token() if token_required else settings.ckan_token
    portal = Portal(settings.ckan_url, token, timeout=settings.timeout, retries=3)
    portal.check()
    return portal


def _describe(errors: dict[str, Any]) -> str:
    """A short text of CKAN's validation errors: field names and CKAN's messages, never submitted values."""
    parts = []
    for key, value in errors.items():
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {text[:200]}")
    return "，".join(parts) or "未说明原因"
