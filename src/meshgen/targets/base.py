"""What every target is: a class with a name, a template folder, options and a generate step.

Adding a target is a small, obvious step: a module under targets/ with a subclass of Target declaring its
`name` (found by targets.builtin_targets without a list), a folder under src/meshgen/templates/, and a
golden test case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable

from pydantic import BaseModel, ConfigDict

from meshgen.diagnostics import CodeFamily, Diagnostic, Location
from meshgen.output import Artifact

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.render import TemplateRenderer
    from meshgen.model.loader import ProductFile
    from meshgen.schemas.reporter import Reporter


@dataclass(frozen=True)
class TemplateInfo:
    """One template a target renders: what it renders and the variables it is given."""

    what: str
    variables: tuple[tuple[str, str], ...]  # (name, meaning)


# The level of what a target cannot express, as docs/diagnostics.md states it.
CANNOT_EXPRESS = "note (an error with --strict)"


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Layout:
    """Where a build writes inside its output folder, as the planner lays it out: a target whose
    files refer to other units' files (a catalog entry naming the OpenAPI document beside it)
    asks here instead of assuming a folder depth."""

    unit_folder: Callable[[str, "ProductFile | None"], str]  # (target, product or None: the mesh unit)
    docs_site: str  # the MkDocs project `meshgen docs build` writes (mkdocs.yml and docs/)


@dataclass
class TargetContext:
    mesh: "Mesh"
    renderer: "TemplateRenderer"
    strict: bool = False
    # The planner's layout; None outside a build (a target that needs it raises then).
    layout: Layout | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Work that touches files outside the output folder (a lock file beside a product), run
    # only after the output was written: a failed build changes nothing anywhere.
    after_write: list[Callable[[], None]] = field(default_factory=list)
    # Files outside the output folder the unit's artifacts depend on (the Protobuf lock): path →
    # sha256 of what the file holds once the build is written ("" for no file). An incremental
    # build reruns the unit when one of them no longer holds that.
    beside_inputs: dict[str, str] = field(default_factory=dict)
    # A mesh unit's per-product parts kept from the previous build (meshgen.incremental.PartStore);
    # None: every part is computed (outside a build, --no-incremental)
    parts: Any = None
    # What the schema builders cannot express, deduplicated across targets, into `diagnostics`.
    reporter: "Reporter" = field(init=False)

    def __post_init__(self) -> None:
        from meshgen.schemas.reporter import Reporter

        self.reporter = Reporter(self.diagnostics, self.strict)


class Target:
    name: ClassVar[str]
    description: ClassVar[str] = ""
    # "product": once per product; "mesh": once for the whole mesh; "product+mesh": both
    scope: ClassVar[str] = "product"
    Options: ClassVar[type[BaseModel]] = NoOptions
    # The templates this target renders, by name ("<folder>/<file>" under src/meshgen/templates,
    # the path a mesh's `templates:` folder overrides). docs/templates.md is generated from these.
    templates: ClassVar[dict[str, TemplateInfo]] = {}
    # The codes this target reports: its prefix, title, docs page and each code (docs/diagnostics.md).
    codes: ClassVar[CodeFamily | None] = None

    def __init__(self, context: TargetContext, options: BaseModel | None = None):
        self.context = context
        self.options = options if options is not None else self.Options()

    @property
    def mesh(self) -> "Mesh":
        return self.context.mesh

    def render(self, template: str, **values: Any) -> str:
        return self.context.renderer.render(f"{self.name}/{template}", **values)

    def renders_builtin(self, template: str) -> bool:
        """Whether this target's `template` renders from the built-in source (no override, or one
        of the same bytes): the target may then write what it writes without Jinja. In a build the
        template counts as rendered (an override added later reruns the unit)."""
        from meshgen.render import builtin_template_dir

        name = f"{self.name}/{template}"
        digest = getattr(self.context.renderer, "source_digest", None)
        if digest is None:
            return False
        try:
            builtin = (builtin_template_dir() / name).read_bytes()
        except OSError:
            return False
        import hashlib

        return digest(name) == hashlib.sha256(builtin).hexdigest()

    @property
    def reporter(self) -> "Reporter":
        return self.context.reporter

    def unsupported(self, code: str, message: str, location: Location, hint: str) -> None:
        """Something the target cannot express: a note (summarized per target, listed with
        --verbose), or an error under strict mode; `diagnostics:` in meshgen.yaml may set its level."""
        self.reporter.unsupported(code, message, location, hint)

    def part(self, pf: "ProductFile", compute: Callable[[], Any], also: Any = None) -> Any:
        """What a mesh unit computes of one product (JSON data), `compute()` or, when nothing it
        reads changed, the previous build's (the reports it made are made again). `compute` reads
        only what the target's `part_reads` (default: its `reads`) names of `pf`, and `also`
        (JSON data: facts of the whole mesh the part depends on, such as names handed out)."""
        return compute() if self.context.parts is None else self.context.parts.get(pf, compute, also)

    @staticmethod
    def part_reads_lock(pf: "ProductFile") -> bool:
        """Whether a part of `pf` (Target.part) may read the product's Protobuf lock: then its key
        holds the lock's digest (a lock a build creates or extends changes the key of every such
        part, so a target whose parts never number Protobuf fields says False)."""
        return True

    def generate(self, pf: "ProductFile") -> Iterable[Artifact]:  # scope == "product"
        raise NotImplementedError

    def generate_mesh(self) -> Iterable[Artifact]:  # scope == "mesh"
        raise NotImplementedError


# Names in target languages live in meshgen.naming; targets import them from here too.
from meshgen.naming import NameScope, identifier, is_identifier, pascal_case  # noqa: E402,F401
