"""Run inside the datacontract venv (not meshgen's): lint every contract named on stdin (one
path a line) with datacontract-cli's DataContract.lint(), what `datacontract lint` runs, in
one process; print, as JSON, each file's checks and the document as PyYAML (the tool's parser)
reads it."""

import json
import sys

import yaml
from datacontract.data_contract import DataContract

report = {}
for path in sys.stdin.read().splitlines():
    run = DataContract(data_contract_file=path).lint()
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    report[path] = {"checks": [[str(getattr(c.result, "value", c.result)), c.name, c.reason] for c in run.checks],
                    "document": document}
json.dump(report, sys.stdout, default=str)
