"""Run inside the dataproduct venv (not meshgen's): lint every descriptor named on stdin (one
path a line) with dataproduct-cli's DataProduct.lint(), what `dataproduct lint` runs, in one
process, resolving each cited contract among the *.odcs.yaml files under argv[1]; print, as
JSON, each file's checks and the document as PyYAML (the tool's parser) reads it."""

import json
import sys

import yaml
from dataproduct.data_product import DataProduct

root = sys.argv[1]
report = {}
for path in sys.stdin.read().splitlines():
    run = DataProduct(data_product_file=path, reference_search_dir=root, local_references=True).lint()
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    report[path] = {"checks": [[str(getattr(c.result, "value", c.result)), c.name, c.reason] for c in run.checks],
                    "document": document}
json.dump(report, sys.stdout, default=str)
