#!/usr/bin/env python3
"""datacontract-cli, the peer: every `events-table.odcs.yaml` under a folder (written by
`meshgen build -t odcs`) exported to Avro and to SQL through its Python API, in this one process.

    <datacontract venv>/bin/python benchmarks/peer_datacontract.py FOLDER [MAX]

(MAX: only the first MAX contracts in path order, a sample for large meshes.)

Each contract is read and validated once (what `DataContract(data_contract_file=...)` does on every
export call), then exported to both formats from the parsed model: the peer's best case. Prints how
many contracts, the seconds spent importing datacontract and the seconds reading and exporting.
Run by bench_build.py; the artifacts are checked to be non-empty, never written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

start = time.perf_counter()
from datacontract.data_contract import DataContract  # noqa: E402  (its import time is measured)
from datacontract.lint.resolve import resolve_data_contract  # noqa: E402

imported = time.perf_counter()
contracts = sorted(Path(sys.argv[1]).rglob("events-table.odcs.yaml"))[:int(sys.argv[2]) if len(sys.argv) > 2 else None]
for path in contracts:
    contract = DataContract(data_contract=resolve_data_contract(data_contract_location=str(path)))
    for export_format in ("avro", "sql"):
        if not contract.export(export_format, sql_server_type="postgres"):
            raise SystemExit(f"datacontract-cli exported nothing as {export_format} from {path}")
done = time.perf_counter()
print(f"{len(contracts)} contracts; import {imported - start:.2f} s; read and export {done - imported:.2f} s")
