"""The governance pass: every enabled rule on every product, under its domain's policy, then waivers.

`check_mesh(mesh)` is one of the checking passes meshgen.api runs after loading. A product's
findings are kept in this user's cache when the mesh was loaded with it (`_KeptFindings`).
"""

from __future__ import annotations

from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.governance.policy import Policy, domain_policy, domain_policy_path, mesh_policy
from meshgen.governance.registry import Registry, load_registry
from meshgen.clock import today
from meshgen.governance.rule import RuleContext
from meshgen.governance.waivers import Result, apply_waivers

def _config_location(mesh) -> Location:
    if mesh.config_source is not None:
        return mesh.config_source.location(("governance",), key=True)
    return Location(str(mesh.root / "meshgen.yaml"))


def policies(mesh, registry: Registry) -> tuple[Policy, dict[str, Policy], list[Diagnostic]]:
    """The mesh policy and each domain's effective policy."""
    base, out = mesh_policy(mesh, registry)
    by_domain: dict[str, Policy] = {}
    for domain in sorted({pf.product.domain for pf in mesh.products}):
        by_domain[domain], problems = domain_policy(mesh, domain, base, registry)
        out.extend(problems)
    return base, by_domain, out


def _plugin_problems(mesh, registry) -> list[Diagnostic]:
    return [Diagnostic("GOV004", Severity.ERROR, problem, _config_location(mesh),
                       "fix or uninstall the plugin package that provides this rule")
            for problem in registry.problems]


def check_mesh(mesh) -> list[Diagnostic]:
    registry = load_registry()
    out = _plugin_problems(mesh, registry)
    _, by_domain, problems = policies(mesh, registry)
    out.extend(problems)
    when = today()
    kept = _KeptFindings.of(mesh, registry, when)
    for pf in mesh.products:
        name = kept.name(pf) if kept is not None else None
        found = kept.read(name) if name is not None else None
        if found is None:
            found = _product_findings(pf, mesh, by_domain[pf.product.domain], registry, when)
            if name is not None:
                kept.keep(name, found)
        out.extend(found)
    return out


def _product_findings(pf, mesh, policy: Policy, registry: Registry, when) -> list[Diagnostic]:
    """Every enabled rule's findings on one product, after its waivers."""
    out: list[Diagnostic] = []
    results: list[Result] = []
    for code, rule in registry.rules.items():
        config = policy.rules[code]
        if config.severity is None:
            continue
        ctx = RuleContext(pf=pf, mesh=mesh if not _meshgens(rule) else _NOT_READ, options=config.options, today=when)
        try:
            findings = list(rule().check(ctx) or ())
        except Exception as exc:
            if _meshgens(rule):
                raise  # a bug in meshgen itself: the CLI reports it as an internal error
            out.append(Diagnostic("GOV005", Severity.ERROR,
                                  f"rule {code} ({rule.name}) failed: {type(exc).__name__}: {exc}",
                                  pf.location(), f"a bug in the plugin that provides {code} ({rule.__module__})"))
            continue
        for f in findings:
            results.append(Result(rule, f, Diagnostic(
                code, config.severity, f.message, pf.location(*f.place.at, key=f.place.key),
                f"{f.hint} (to waive: rule {code}, path {f.place.path})" if f.hint else
                f"to waive: rule {code}, path {f.place.path}", name=rule.name, path=f.place.path)))
    out.extend(apply_waivers(pf, results, policy, registry, when))
    return out


def _meshgens(rule) -> bool:
    """Whether a rule is one of meshgen's own (a plugin's is anything else)."""
    return rule.__module__.startswith("meshgen.")


class _MeshNotRead:
    """The mesh as meshgen's own rules see it: not at all. Their findings on a product are kept
    per product (`_KeptFindings`, named by that product and the policies only), so a rule of
    meshgen's that read another product would be answered from a stale record once that product
    changed. Reading it is a bug in meshgen, reported as one by the first test that runs the rule."""

    def __getattr__(self, name: str):
        raise AssertionError(f"a meshgen governance rule read ctx.mesh.{name}: its findings are kept per product; "
                             "judge other products in a checking pass of their own, or keep the rule's findings out of the cache")


_NOT_READ = _MeshNotRead()


class _KeptFindings:
    """A product's governance findings kept between runs in this user's cache (signed, as its
    loaded form is: meshgen.mesh.product_cache), named by what they depend on: the product's
    record (its bytes, path and meshgen's code), meshgen.yaml's and its domain's governance.yaml's
    bytes, and today. Only when every rule is meshgen's own (a plugin's rule may read other
    products) and the mesh was loaded with the cache."""

    def __init__(self, mesh, when):
        self.mesh, self.when, self.policies = mesh, when, {}

    @classmethod
    def of(cls, mesh, registry: Registry, when) -> "_KeptFindings | None":
        if not mesh.cached or registry.problems or not all(map(_meshgens, registry.rules.values())):
            return None
        return cls(mesh, when)

    def name(self, pf) -> str | None:
        import hashlib
        import json

        from meshgen.output import beside_digest

        record = self.mesh.records.get(str(pf.path))
        domain = pf.product.domain
        if record is None:
            return None
        if domain not in self.policies:
            path = domain_policy_path(self.mesh, domain)
            self.policies[domain] = [beside_digest(Path(self.mesh.root) / "meshgen.yaml"), str(path), beside_digest(path)]
        facts = [self.mesh.cached, "governance", record, self.policies[domain], self.when.isoformat()]
        return hashlib.sha256(json.dumps(facts).encode("utf-8")).hexdigest()

    def read(self, name: str) -> list[Diagnostic] | None:
        from meshgen.mesh.product_cache import recorded_findings

        return recorded_findings(name)

    def keep(self, name: str, found: list[Diagnostic]) -> None:
        from meshgen.mesh.product_cache import keep_findings

        keep_findings(name, found)


def rules_in_force(path=None, domain: str | None = None) -> list[dict]:
    """Every rule with its severity in force for the mesh at `path` (and `domain`), for `meshgen rules`."""
    from pathlib import Path

    from meshgen.errors import ViolationsFound
    from meshgen.mesh.loader import find_mesh_root, load_config
    from meshgen.mesh.model import Mesh

    start = Path(path) if path is not None else Path.cwd()
    root = find_mesh_root(start) or (start if start.is_dir() else start.parent)
    config, source, problems = load_config(root)
    mesh = Mesh(root=root, config=config, config_source=source, products=[])
    registry = load_registry()
    policy, more = mesh_policy(mesh, registry)
    problems = problems + more
    if domain is not None:
        policy, more = domain_policy(mesh, domain, policy, registry)
        problems += more
    problems += _plugin_problems(mesh, registry)
    if any(d.severity is Severity.ERROR for d in problems):
        raise ViolationsFound("the governance policy has errors", problems)
    return [{
        "code": code,
        "name": rule.name,
        "groups": list(rule.groups),
        "severity": policy.rules[code].level,
        "default": rule.default_level(),
        "summary": rule.summary(),
        "module": rule.__module__,
    } for code, rule in registry.rules.items()]
