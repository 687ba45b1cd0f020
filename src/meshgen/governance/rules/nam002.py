from __future__ import annotations

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten

# Reserved in ANSI SQL and in most warehouses (PostgreSQL, Snowflake, BigQuery, Databricks,
# DuckDB, Redshift): as a column or table name each needs quoting everywhere.
SQL_RESERVED = frozenset("""
all alter and any array as asc authorization between both by case cast check collate column
constraint create cross current_date current_time current_timestamp current_user default delete
desc distinct drop else end except exists false fetch for foreign from full grant group having in
inner insert intersect interval into is join lateral leading left like limit natural not null
offset on or order outer primary references right rollup select session_user some table then to
trailing true union unique update user using values when where window with
""".split())


class ReservedWords(Rule):
    """Dataset and field names are not SQL reserved words.

    A column called `order` or `user` must be quoted in every query and in every generated
    DDL, and some tools get that wrong. The list covers words reserved in ANSI SQL and in the
    warehouses meshgen targets; `extra` adds words, `allow` exempts some.

    **Anti-pattern**

    ```yaml
    datasets:
      - name: order
        fields:
          - {name: user, type: string}
          - {name: group, type: string}
    ```

    **Best practice**

    ```yaml
    datasets:
      - name: orders
        fields:
          - {name: user_id, type: string}
          - {name: customer_group, type: string}
    ```
    """

    code = "NAM002"
    name = "naming.reserved-words"
    groups = ("naming", "interoperability")
    severity = Severity.ERROR

    class Options(RuleOptions):
        extra: list[str] = F([], description="More words to reject (case-insensitive).", json_schema_extra=tighten("grow"))
        allow: list[str] = F([], description="Reserved words to accept anyway (case-insensitive).",
                          json_schema_extra=tighten("shrink"))

    def check(self, ctx: RuleContext):
        words = (SQL_RESERVED | {w.lower() for w in ctx.options.extra}) - {w.lower() for w in ctx.options.allow}
        hint = "rename it (e.g. add a noun: order → order_id, user → user_name) so no target needs to quote it"
        for ds in ctx.product.datasets:
            if ds.name.lower() in words:
                yield Finding(f"dataset name {ds.name!r} is a reserved SQL word", ctx.dataset(ds, "name"), hint)
        for ref in ctx.fields():
            if ref.field.name.lower() in words:
                yield Finding(f"field name {ref.dotted!r} is a reserved SQL word", ref.place.child("name"), hint)
