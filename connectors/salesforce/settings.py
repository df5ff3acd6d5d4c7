"""Salesforce's settings: the org's My Domain URL, a login (username, password and security
token, or a connected app's client credentials), the org id Outbound Messages are checked
against, the daily API budget, and the org's own Status and Priority picklist values."""

from __future__ import annotations

from typing import Self, TypeVar

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.provider import HttpUrl, ProviderSettings
from connectors.salesforce.mapping import OrgTerms
from policies.model import Priority, Status

# The REST API version the connector is written against (``/services/data/v62.0/``).
API_VERSION = "62.0"
# Enterprise Edition's daily allocation starts at 100,000 requests per 24 hours
# (FACTS.md S-limits); ``Sforce-Limit-Info`` then says what the org really has left.
DEFAULT_DAILY_LIMIT = 100_000
# Status and Priority are org picklists: the standard values, mapped onto the shared model.
# "On Hold" pauses the clock; a status whose ``IsClosed`` is true is solved whatever its name.
DEFAULT_STATUSES = "New=new,Working=open,Escalated=open,On Hold=hold,Closed=solved"
DEFAULT_PRIORITIES = "High=high,Medium=normal,Low=low"
_ORG_ID = r"^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$"
T = TypeVar("T", Status, Priority)


def picklist_map(text: str, kind: type[T]) -> dict[str, T]:
    """``"New=new,On Hold=hold"`` -> {"New": Status.NEW, ...}; ValueError names a bad pair."""
    found: dict[str, T] = {}
    for pair in text.split(","):
        value, sep, meaning = pair.partition("=")
        if not sep or not value.strip():
            raise ValueError(f"expected Value=meaning pairs separated by commas, got {pair!r}")
        try:
            found[value.strip()] = kind(meaning.strip().lower())
        except ValueError:
            names = ", ".join(m.value for m in kind)
            raise ValueError(f"{meaning.strip()!r} is not one of {names}") from None
    return found


class SalesforceSettings(ProviderSettings):
    title = "Salesforce"

    instance_url: HttpUrl | None = Field(None, alias="SALESFORCE_INSTANCE_URL")
    username: str | None = Field(None, alias="SALESFORCE_USERNAME")
    password: SecretStr | None = Field(None, alias="SALESFORCE_PASSWORD")
    security_token: SecretStr | None = Field(None, alias="SALESFORCE_SECURITY_TOKEN")
    client_id: str | None = Field(None, alias="SALESFORCE_CLIENT_ID")
    client_secret: SecretStr | None = Field(None, alias="SALESFORCE_CLIENT_SECRET")
    # Outbound Messages carry the sending org's id; any other org's message is refused.
    org_id: str | None = Field(None, alias="SALESFORCE_ORG_ID", pattern=_ORG_ID)
    daily_limit: int = Field(DEFAULT_DAILY_LIMIT, alias="SALESFORCE_DAILY_API_LIMIT", ge=1)
    statuses: str = Field(DEFAULT_STATUSES, alias="SALESFORCE_STATUSES")
    priorities: str = Field(DEFAULT_PRIORITIES, alias="SALESFORCE_PRIORITIES")
    # A Case number field (1-5) a survey tool writes the customer's rating to: Salesforce has
    # no standard satisfaction object (FACTS.md S-csat).
    csat_field: str | None = Field(None, alias="SALESFORCE_CSAT_FIELD", pattern=r"^\w+__c$")
    # An Account field whose value marks a VIP customer (e.g. Rating=Hot, Type=Customer - Direct).
    vip_field: str = Field("Rating", alias="SALESFORCE_VIP_FIELD", pattern=r"^\w+$")

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: str) -> str:
        picklist_map(value, Status)
        return value

    @field_validator("priorities")
    @classmethod
    def _priorities(cls, value: str) -> str:
        picklist_map(value, Priority)
        return value

    @model_validator(mode="after")
    def _one_login(self) -> Self:
        password = (self.username, self.password, self.security_token)
        client = (self.client_id, self.client_secret)
        if any(v is not None for v in (*password, *client)) and self.instance_url is None:
            raise ValueError(
                "Salesforce is partly configured: set SALESFORCE_INSTANCE_URL (your My Domain URL)"
            )
        if any(v is not None for v in password) and not all(v is not None for v in password):
            raise ValueError(
                "Salesforce is partly configured: set SALESFORCE_USERNAME, SALESFORCE_PASSWORD "
                "and SALESFORCE_SECURITY_TOKEN together"
            )
        if any(v is not None for v in client) and not all(v is not None for v in client):
            raise ValueError(
                "Salesforce is partly configured: set SALESFORCE_CLIENT_ID and "
                "SALESFORCE_CLIENT_SECRET together"
            )
        return self

    @property
    def enabled(self) -> bool:
        logins = (self.security_token, self.client_secret)
        return self.instance_url is not None and any(v is not None for v in logins)

    @property
    def inbound_secret(self) -> SecretStr | None:
        """Outbound Messages are not signed: they are checked against the org id (see inbound)."""
        return SecretStr(self.org_id) if self.org_id else None

    @property
    def base_url(self) -> str:
        return (self.instance_url or "").rstrip("/")

    @property
    def status_map(self) -> dict[str, Status]:
        return picklist_map(self.statuses, Status)

    @property
    def priority_map(self) -> dict[str, Priority]:
        return picklist_map(self.priorities, Priority)

    def terms(self) -> OrgTerms:
        return OrgTerms(
            statuses=self.status_map,
            priorities=self.priority_map,
            vip_field=self.vip_field,
            csat_field=self.csat_field,
        )

    def detail(self) -> str:
        return self.base_url
