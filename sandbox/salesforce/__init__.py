"""A stand-in for the part of Salesforce's REST API (v62.0) and sign-in the bridge uses."""

from sandbox.salesforce.routes import SalesforceSandbox

__all__ = ["SalesforceSandbox"]
