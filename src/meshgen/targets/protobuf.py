"""Protobuf (proto3): one .proto per dataset, with a gRPC service for each `grpc` port, built
by meshgen.schemas.protobuf (see there for the mapping). This target owns the lock file: it
writes the numbers the build assigned beside the product, after the output was written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode, Location
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact, beside_digest, write_file_atomic
from meshgen.serializer import yaml_document
from meshgen.schemas.reporter import Reporter
from meshgen.schemas.protobuf import PROTO_TEMPLATE_INFO, TEMPLATE, proto_file_names, proto_text, read_number_lock
from meshgen.targets.base import CANNOT_EXPRESS, Target, TemplateInfo
from meshgen.targets.protobuf_lock import NumberLock, lock_path



def buf_module(major: int) -> dict:
    """The buf module at the target's folder: `buf lint` with buf's STANDARD rules and `buf breaking`
    with WIRE_JSON (what breaks binary or JSON readers), the rules meshgen's contract checks apply
    to Protobuf-served ports. A v0 product's package ends in `v0`, which buf's
    PACKAGE_VERSION_SUFFIX does not count as a version: that rule is left out for it."""
    lint: dict = {"use": ["STANDARD"]}
    if major == 0:
        lint["except"] = ["PACKAGE_VERSION_SUFFIX"]
    return {"version": "v2", "lint": lint, "breaking": {"use": ["WIRE_JSON"]}}


class ProtobufOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lock: Literal["update", "frozen", "off"] = F(
        "update", description="update: record new numbers in <product>.lock.json beside the product file; "
                              "frozen: fail when the lock file would change (for CI); off: number by declaration order.")


class ProtobufTarget(Target):
    name = "protobuf"
    codes = CodeFamily("PROTO", "The Protobuf target can express the product.", "docs/targets-protobuf.md", (
        DiagnosticCode("PROTO001", CANNOT_EXPRESS,
                       'field names that are not lower_snake_case proto names (or are taken): written '
                       'renamed, with `json_name`; one note per message names them'),
        DiagnosticCode("PROTO002", CANNOT_EXPRESS,
                       "enum symbols renamed (not UPPER_SNAKE_CASE, case clash, zero value); each kept in its value's comment"),
        DiagnosticCode("PROTO003", CANNOT_EXPRESS,
                       'a list or map that is not required: proto3 reads a missing one as empty'),
        DiagnosticCode("PROTO004", CANNOT_EXPRESS,
                       'a default other than the zero value: proto3 has no defaults; stated in the comment'),
        DiagnosticCode("PROTO005", CANNOT_EXPRESS,
                       'a dataset without a primaryKey: its gRPC service has List only'),
        DiagnosticCode("PROTO006", CANNOT_EXPRESS,
                       "a grpc port names a service outside the file's package"),
        DiagnosticCode("PROTO007", CANNOT_EXPRESS,
                       'value constraints (lengths, pattern, bounds) are stated in field comments '
                       'only: proto3 does not check values'),
        DiagnosticCode("PROTO010", 'error',
                       'the Protobuf lock file beside the product is unreadable or malformed'),
        DiagnosticCode("PROTO011", 'error',
                       'the lock is `frozen` and does not record every number the product needs'),
        DiagnosticCode("PROTO012", 'warning',
                       'the Protobuf lock file could not be written (a read-only checkout)'),
        DiagnosticCode("PROTO013", 'error',
                       'a Protobuf lock entry is bad: a number held by two names, or outside 1 to 536870911; points at its line'),
    ), target="protobuf")
    description = "Protobuf (proto3) messages, one .proto per dataset, with gRPC services for grpc ports"
    Options: ClassVar[type[BaseModel]] = ProtobufOptions
    templates: ClassVar[dict[str, TemplateInfo]] = {TEMPLATE: PROTO_TEMPLATE_INFO}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        lock = self._read_lock(pf)
        # Files sit where their package says (buf's PACKAGE_DIRECTORY_MATCH), under a buf module
        # root: this target's folder, with its buf.yaml.
        files = proto_file_names(pf)
        artifacts = [Artifact(files[ds.name], proto_text(self.context.renderer, pf, ds, self.reporter, lock))
                     for ds in pf.product.datasets]
        artifacts.append(Artifact("buf.yaml", yaml_document(buf_module(pf.product.major))))
        self._write_lock(pf, lock)
        return artifacts

    # ---- lock file ----------------------------------------------------------------------

    def _read_lock(self, pf: ProductFile) -> NumberLock:
        return NumberLock() if self.options.lock == "off" else read_number_lock(pf, self.reporter)

    def _write_lock(self, pf: ProductFile, lock: NumberLock) -> None:
        if self.options.lock == "off":
            return
        path = lock_path(pf.path)
        unchanged = not lock.changed and path.exists()  # a lock that assigned nothing new says what it did
        if unchanged or self.options.lock == "frozen":
            self.context.beside_inputs[str(path)] = beside_digest(path)
            if unchanged:
                return
        if self.options.lock == "frozen":
            self.reporter.error(
                "PROTO011", f"{path.name} does not record every Protobuf number this product needs",
                Location(str(path)) if path.exists() else pf.location(),
                "run `meshgen build` locally (lock: update) and commit the updated lock file")
            return
        after = lock.text()
        self.context.beside_inputs[str(path)] = hashlib.sha256(after.encode("utf-8")).hexdigest()

        self.context.after_write.append(LockRecord(path, after, pf.location(), self.reporter))


@dataclass
class LockRecord:
    """Writes a product's Protobuf lock once the output is written (TargetContext.after_write).
    Plain data, not a closure: a --jobs worker hands it back to the build's process with the
    unit's results (the reporter with them: PROTO012 lands in the unit's diagnostics), instead of
    the build's process running the unit again for it."""

    path: Path
    text: str
    location: Location
    reporter: Reporter

    def __call__(self) -> Path | None:
        """The path written, for the build to announce; None when it could not be (PROTO012)."""
        try:
            write_file_atomic(self.path, self.text)
            return self.path
        except OSError as exc:
            self.reporter.warning(
                "PROTO012", f"could not record Protobuf numbers in {self.path}: {exc.strerror or exc}",
                self.location, "make the product folder writable, or set `lock: off` for this target")
            return None
