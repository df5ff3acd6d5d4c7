"""``bridge sync`` and ``bridge setup <desk>|clickup``: the commands that talk to a desk, and
the webhook wiring of the services that call the bridge back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import click
from flask.cli import with_appcontext

from bridge.runtime import Runtime, runtime
from bridge.worker.integrations import Integrations, build_integrations
from bridge.worker.sync import sync
from connectors.base import ConnectorError
from connectors.clickup import ClickUpNotifier, ClickUpSettings
from connectors.clickup.setup import setup_clickup
from connectors.freshdesk import FreshdeskDesk
from connectors.freshdesk.setup import setup_freshdesk
from connectors.helpscout import HelpScoutDesk
from connectors.helpscout.setup import setup_lines as setup_helpscout
from connectors.intercom import IntercomDesk
from connectors.intercom.setup import setup_lines as setup_intercom
from connectors.provider import BuildContext, Role
from connectors.registry import names
from connectors.salesforce import SalesforceDesk
from connectors.salesforce.setup import setup_lines as setup_salesforce
from connectors.zendesk import ZendeskDesk
from connectors.zendesk.setup import setup_zendesk


def integrations_of(state: Runtime) -> Integrations:
    context = BuildContext(
        clock=state.clock,
        budget_share=state.settings.api_budget_share,
        public_url=state.settings.public_url,
    )
    return build_integrations(state.settings, context)


@click.command("sync")
@click.option("--desk", type=click.Choice(names(Role.DESK)), default=None)
@with_appcontext
def sync_command(desk: str | None) -> None:
    """One incremental pass over the help desks; queues what changed for the worker."""
    state = runtime()
    integrations = integrations_of(state)
    try:
        results = sync(state.db, integrations.desks, state.clock(), desk=desk)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    finally:
        integrations.close()
    if not results:
        click.echo("no help desk is configured: nothing to sync")
    for result in results:
        click.echo(result.line())


@click.group("setup")
def setup_group() -> None:
    """Create or print the webhook wiring in a help desk or a service that calls back."""


DeskT = TypeVar("DeskT")


def run_desk_setup(
    name: str, kind: type[DeskT], missing: str, steps: Callable[[DeskT], Iterable[str]]
) -> None:
    """Run one desk's setup on a fresh set of integrations, printing each line as it comes; a
    desk that is not configured, or answers with an error, ends the command with its message."""
    integrations = integrations_of(runtime())
    try:
        desk = integrations.desks.get(name)
        if not isinstance(desk, kind):
            raise click.ClickException(missing)
        for line in steps(desk):
            click.echo(line)
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        integrations.close()


@setup_group.command("zendesk")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@click.option("--dry-run", is_flag=True, help="Print what would be created.")
@with_appcontext
def setup_zendesk_command(url: str, dry_run: bool) -> None:
    run_desk_setup(
        "zendesk",
        ZendeskDesk,
        "Zendesk is not configured: set ZENDESK_SUBDOMAIN, ...",
        lambda desk: setup_zendesk(desk, url=url, dry_run=dry_run),
    )


@setup_group.command("freshdesk")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@click.option("--dry-run", is_flag=True, help="Print the rules that would be created.")
@with_appcontext
def setup_freshdesk_command(url: str, dry_run: bool) -> None:
    run_desk_setup(
        "freshdesk",
        FreshdeskDesk,
        "Freshdesk is not configured: set FRESHDESK_DOMAIN, ...",
        lambda desk: setup_freshdesk(desk, url=url, dry_run=dry_run),
    )


@setup_group.command("clickup")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@click.option("--dry-run", is_flag=True, help="Print the webhook that would be created.")
@click.option("--show-secret", is_flag=True, help="Print the webhook's secret to configure.")
@with_appcontext
def setup_clickup_command(url: str, dry_run: bool, show_secret: bool) -> None:
    """Find or create the ClickUp webhook (taskStatusUpdated on CLICKUP_LIST_ID)."""
    state = runtime()
    integrations = integrations_of(state)
    try:
        notifier = integrations.notifiers.get("clickup")
        settings = state.settings.providers.get("clickup")
        if not isinstance(notifier, ClickUpNotifier) or not isinstance(settings, ClickUpSettings):
            raise click.ClickException(
                "ClickUp is not configured: set CLICKUP_API_TOKEN, CLICKUP_LIST_ID"
            )
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        lines = setup_clickup(
            notifier,
            url=url,
            team_id=settings.team_id,
            secret=secret,
            dry_run=dry_run,
            show_secret=show_secret,
        )
    except ConnectorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        integrations.close()
    for found in lines:
        click.echo(found)


@setup_group.command("intercom")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@with_appcontext
def setup_intercom_command(url: str) -> None:
    """Check the token and admin; print the webhook to configure (Intercom has no API for it)."""
    run_desk_setup(
        "intercom",
        IntercomDesk,
        "Intercom is not configured: set INTERCOM_ACCESS_TOKEN and INTERCOM_ADMIN_ID",
        lambda desk: setup_intercom(desk, url=url),
    )


@setup_group.command("helpscout")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@click.option("--dry-run", is_flag=True, help="Say what would be created; create nothing.")
@with_appcontext
def setup_helpscout_command(url: str, dry_run: bool) -> None:
    """Check the app's credentials; create the webhook (POST /v2/webhooks) unless it exists."""
    run_desk_setup(
        "helpscout",
        HelpScoutDesk,
        "Help Scout is not configured: set HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET",
        lambda desk: setup_helpscout(desk, url=url, dry_run=dry_run),
    )


@setup_group.command("salesforce")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@with_appcontext
def setup_salesforce_command(url: str) -> None:
    """Check the sign-in and the org; print the Outbound Message to configure (it is
    metadata: the REST API cannot create it)."""
    run_desk_setup(
        "salesforce",
        SalesforceDesk,
        "Salesforce is not configured: set SALESFORCE_INSTANCE_URL and a sign-in "
        "(SALESFORCE_CLIENT_ID/SECRET or SALESFORCE_USERNAME/PASSWORD/SECURITY_TOKEN)",
        lambda desk: setup_salesforce(desk, url=url),
    )
