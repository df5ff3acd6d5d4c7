"""The connector's way into Salesforce: a ``simple-salesforce`` client on the bridge's own
requests session (budget per 24 hours, ``Sforce-Limit-Info``, typed errors), signed in on first
use and again when the session has expired (FACTS.md S-login)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from connectors._desk.session import desk_session
from connectors.base import AuthError, Clock
from connectors.ratelimit import TokenBucket, plan_budget
from connectors.salesforce.session import SalesforceAdapter, login
from connectors.salesforce.settings import API_VERSION, SalesforceSettings

if TYPE_CHECKING:
    from simple_salesforce.api import Salesforce

R = TypeVar("R")
DAY = 86_400.0  # the API request allocation is per rolling 24 hours (FACTS.md S-limits)
CREDENTIALS = "SALESFORCE_CLIENT_ID/SALESFORCE_CLIENT_SECRET or SALESFORCE_USERNAME/PASSWORD"


class SalesforceApi:
    def __init__(
        self, settings: SalesforceSettings, *, clock: Clock, budget_share: float, timeout: float
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        url = settings.base_url

        def seconds() -> float:
            return clock().timestamp()

        self.bucket = TokenBucket(
            plan_budget(settings.daily_limit, budget_share),
            period=DAY,
            clock=seconds,
            name="salesforce",
        )
        # simple-salesforce always builds https:// URLs from the instance's host: a loopback
        # sandbox served over http is reached by moving the scheme at the transport.
        plain = url.startswith("http://")
        self.adapter = SalesforceAdapter(
            service="Salesforce",
            credential_hint=CREDENTIALS,
            bucket=self.bucket,
            rewrite=("https://" + url[len("http://") :], url) if plain else None,
            share=budget_share,
        )
        self.session = desk_session(self.adapter)
        self._client: Salesforce | None = None

    def _sign_in(self) -> Salesforce:
        # Imported on first use: it takes a fifth of a second, which start-up need not pay.
        from simple_salesforce.api import Salesforce

        signed = login(self.settings, timeout=self.timeout)
        self._client = Salesforce(
            instance_url=signed.instance_url,
            session_id=signed.access_token,
            session=self.session,
            version=API_VERSION,
        )
        return self._client

    def call(self, work: Callable[[Salesforce], R]) -> R:
        """Run ``work``, signing in first, or again once if the session has expired (401
        ``INVALID_SESSION_ID``)."""
        client = self._client or self._sign_in()
        try:
            return work(client)
        except AuthError as exc:
            if exc.status != 401:
                raise
        return work(self._sign_in())

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every row, following ``nextRecordsUrl`` from batch to batch."""
        return self.call(lambda client: [dict(r) for r in client.query_all_iter(soql)])

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST resource under ``/services/data/v62.0/``; None for a 204."""
        return self.call(
            lambda client: client.restful(path, method=method, timeout=self.timeout, **kwargs)
        )

    def userinfo(self) -> dict[str, Any]:
        def work(client: Salesforce) -> dict[str, Any]:
            response = client.session.get(
                f"https://{client.sf_instance}/services/oauth2/userinfo",
                headers=client.headers,
                timeout=self.timeout,
            )
            return dict(response.json())

        return self.call(work)

    def close(self) -> None:
        self.session.close()
