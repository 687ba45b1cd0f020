"""Protobuf (proto3): one .proto per dataset, with a gRPC service for each `grpc` port, built
by meshgen.schemas.protobuf (see there for the mapping). This target owns the lock file: it
writes the numbers the build assigned beside the product, after the output was written.
"""

from __future__ import annotations

from typing import ClassVar, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import Location
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact, write_file_atomic
from meshgen.schemas.protobuf import PROTO_TEMPLATE_INFO, TEMPLATE, proto_text, read_number_lock
from meshgen.targets.base import NameScope as Scope, Target, TemplateInfo, identifier
from meshgen.targets.protobuf_lock import NumberLock, lock_path


class ProtobufOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lock: Literal["update", "frozen", "off"] = F(
        "update", description="update: record new numbers in <product>.lock.json beside the product file; "
                              "frozen: fail when the lock file would change (for CI); off: number by declaration order.")


class ProtobufTarget(Target):
    name = "protobuf"
    description = "Protobuf (proto3) messages, one .proto per dataset, with gRPC services for grpc ports"
    Options: ClassVar[type[BaseModel]] = ProtobufOptions
    templates: ClassVar[dict[str, TemplateInfo]] = {TEMPLATE: PROTO_TEMPLATE_INFO}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        lock = self._read_lock(pf)
        before = lock.text()
        files = Scope()  # file names are import paths, and protoc's Python plugins need identifiers
        artifacts = [Artifact(f"{files.claim(identifier(ds.name))}.proto",
                              proto_text(self.context.renderer, pf, ds, self.reporter, lock))
                     for ds in pf.product.datasets]
        self._write_lock(pf, lock, before)
        return artifacts

    # ---- lock file ----------------------------------------------------------------------

    def _read_lock(self, pf: ProductFile) -> NumberLock:
        return NumberLock() if self.options.lock == "off" else read_number_lock(pf, self.reporter)

    def _write_lock(self, pf: ProductFile, lock: NumberLock, before: str) -> None:
        path = lock_path(pf.path)
        after = lock.text()
        if self.options.lock == "off" or (after == before and path.exists()):
            return
        if self.options.lock == "frozen":
            self.reporter.error(
                "PROTO011", f"{path.name} does not record every Protobuf number this product needs",
                Location(str(path)) if path.exists() else pf.location(),
                "run `meshgen build` locally (lock: update) and commit the updated lock file")
            return

        def record():  # returns the path written, for the build to announce
            try:
                write_file_atomic(path, after)
                return path
            except OSError as exc:
                self.reporter.warning(
                    "PROTO012", f"could not record Protobuf numbers in {path}: {exc.strerror or exc}",
                    pf.location(), "make the product folder writable, or set `lock: off` for this target")

        self.context.after_write.append(record)
