from __future__ import annotations

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten


class OwnerContactRequired(Rule):
    """Every product names its owning team and a way to contact it.

    Domain ownership only works when consumers can reach the owner. `owner.team` is required
    by the spec itself; this rule also asks for a contact: the team's `owner.email` or at least
    one `support` channel (with `email: true`, the e-mail specifically). `productOwner: true`
    also asks for the accountable person. An address at a `.invalid` domain (RFC 2606 reserves
    it for addresses that can never work) is a placeholder, always reported: `meshgen init`
    writes `<team>@example.invalid` until you give the real one.

    **Anti-pattern**

    ```yaml
    owner:
      team: checkout-team
    ```

    **Best practice**

    ```yaml
    owner:
      team: checkout-team
      email: checkout-data@example.com
    support:
      - {channel: "#checkout-data", tool: slack}
    ```
    """

    code = "OWN001"
    name = "ownership.contact-required"
    groups = ("ownership",)
    severity = Severity.ERROR

    class Options(RuleOptions):
        email: bool = F(False, description="Require `owner.email` (a support channel alone is not enough).",
                  json_schema_extra=tighten("raise"))
        productOwner: bool = F(False, description="Require `owner.productOwner`.", json_schema_extra=tighten("raise"))

    def check(self, ctx: RuleContext):
        p = ctx.product
        if is_placeholder_email(p.owner.email):
            yield Finding(f"owner e-mail {p.owner.email!r} is a placeholder: nobody can reach it",
                          ctx.at("owner", "email"), "replace it with the team's real address")
        elif ctx.options.email and not p.owner.email:
            yield Finding(f"owner team {p.owner.team!r} has no contact e-mail", ctx.at("owner"),
                          "add `owner.email:` with the team's address")
        elif not p.owner.email and not p.support:
            yield Finding(f"owner team {p.owner.team!r} cannot be contacted: no owner.email and no support channel",
                          ctx.at("owner"), "add `owner.email:` or a `support:` channel")
        if ctx.options.productOwner and not p.owner.productOwner:
            yield Finding("the product has no accountable product owner", ctx.at("owner", "productOwner"),
                          "add `owner.productOwner:`")


def is_placeholder_email(email: str | None) -> bool:
    """An address at a `.invalid` domain, such as the one `meshgen init` writes."""
    return bool(email) and email.strip().lower().endswith(".invalid")
