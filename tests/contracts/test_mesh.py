"""The mesh against a git baseline: consumers named, version policy, build integration, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import need_executable
from tests.contracts.story import git

ORDERS_V2 = Path("checkout/orders/v2/dataproduct.yaml")
ORDERS_V1 = Path("checkout/orders/v1/dataproduct.yaml")


@pytest.fixture
def repo(mesh_copy, monkeypatch):
    """The example mesh, committed in a throwaway git repository; the working directory is its root."""
    need_executable("git")
    git(mesh_copy, "init", "-q", "-b", "main")
    git(mesh_copy, "add", ".")
    git(mesh_copy, "commit", "-qm", "mesh")
    monkeypatch.chdir(mesh_copy)
    monkeypatch.setenv("MESHGEN_TODAY", "2026-11-26")
    return mesh_copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def retype_sales_channel(root: Path) -> None:
    """orders v2: sales_channel enum → string (read by marketing's input port 'orders')."""
    if "version: 2.0.0" in (root / ORDERS_V2).read_text():
        edit(root / ORDERS_V2, "version: 2.0.0", "version: 2.1.0")
    edit(root / ORDERS_V2, "      - name: sales_channel\n        type: enum\n        symbols: [WEB, IOS, ANDROID]\n",
         "      - name: sales_channel\n        type: string\n")


def test_check_against_head_names_the_consumer_and_leaves_the_tree_alone(repo, cli):
    retype_sales_channel(repo)
    before = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD"), git(repo, "diff")
    result = cli("check", "--against", "HEAD", "--format", "json")
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)
    errors = [d for d in found if d["code"] == "BRK205"]
    assert len(errors) == 1
    d = errors[0]
    assert d["severity"] == "error" and d["file"] == str(ORDERS_V2)
    assert "data://marketing/campaign_attribution/v1 (growth-analytics-team, input port 'orders')" in d["message"]
    assert "logistics" not in d["message"]  # logistics does not read sales_channel
    related = {(r["file"], r["line"]) for r in d["related"]}
    assert (f"HEAD:{ORDERS_V2}", 59) in related  # `type: enum` in the committed version
    assert ("marketing/campaign_attribution/v1/dataproduct.yaml", 169) in related
    assert any(x["code"] == "VERSION002" for x in found)
    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD"), git(repo, "diff")) == before


def test_unchanged_mesh_is_clean_and_unknown_revision_is_a_usage_error(repo, cli):
    assert cli("check", "--against", "HEAD").exit_code == 0
    result = cli("check", "--against", "no-such-branch")
    assert result.exit_code == 2 and "BASE001" in result.output


def test_build_runs_the_check_when_a_baseline_is_configured(repo, cli, tmp_path):
    retype_sales_channel(repo)
    out = tmp_path / "out"
    assert cli("validate", ".").exit_code == 0  # no baseline configured: the comparison is a no-op
    (repo / "meshgen.yaml").write_text((repo / "meshgen.yaml").read_text() + "contracts: {baseline: main}\n")
    result = cli("build", ".", "-o", out, "-t", "avro")
    assert result.exit_code == 1 and "BRK205" in result.output and "growth-analytics-team" in result.output
    assert not out.exists()


def test_baseline_config_is_validated_with_positions(repo, cli):
    (repo / "meshgen.yaml").write_text("name: acme\ncontracts:\n  baseline: main\n  pastDeprecaton: warning\n")
    result = cli("validate", ".", "--format", "json")
    found = [d for d in json.loads(result.output) if d["code"] == "CONF001"]
    assert found and found[0]["line"] == 4 and "pastDeprecation" in found[0]["hint"]


def test_baseline_outside_git_is_a_warning(mesh_copy, cli, monkeypatch):
    monkeypatch.chdir(mesh_copy)
    # git must not find a repository above the temporary folder, wherever that folder is
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(mesh_copy.parent))
    (mesh_copy / "meshgen.yaml").write_text((mesh_copy / "meshgen.yaml").read_text() + "contracts: {baseline: main}\n")
    result = cli("validate", ".", "--format", "json")
    codes = {d["code"]: d for d in json.loads(result.output)}
    assert codes["BASE004"]["severity"] == "warning" and result.exit_code == 0


def test_removing_a_consumed_version_names_the_consumers(repo, cli):
    shutil.rmtree(repo / "checkout/orders/v2")
    result = cli("check", "--against", "HEAD", "--format", "json")
    found = json.loads(result.output)
    v = [d for d in found if d["code"] == "VERSION005"]
    assert len(v) == 1 and result.exit_code == 1
    assert "data://logistics/shipments/v1 (fulfilment-team, input port 'orders')" in v[0]["message"]
    assert "data://marketing/campaign_attribution/v1 (growth-analytics-team, input port 'orders')" in v[0]["message"]
    assert v[0]["file"] == str(ORDERS_V1)  # reported on the producer side, at the remaining version


def test_major_bump_in_place_is_an_error(repo, cli):
    edit(repo / ORDERS_V1, "version: 1.4.0", "version: 2.5.0")
    found = json.loads(cli("check", "--against", "HEAD", "--format", "json").output)
    assert any(d["code"] == "VERSION004" and d["file"] == str(ORDERS_V1) for d in found)


def test_major_going_backwards_in_place_is_a_version_going_backwards(repo, cli):
    """1.4.0 → 0.4.0 in the v1 file is not a 'new major beside the old one': it went backwards."""
    mk = repo / "marketing/campaign_attribution/v1/dataproduct.yaml"
    edit(mk, "product: data://checkout/orders/v2", "product: data://checkout/orders/v1")
    edit(mk, "fields: [order_id, customer_id, total, currency, placed_at, is_first_order, sales_channel, promo_codes]",
         "fields: [order_id, customer_id, total, currency, placed_at]")
    git(repo, "commit", "-qam", "marketing reads v1")
    edit(repo / ORDERS_V1, "version: 1.4.0", "version: 0.4.0")
    found = json.loads(cli("check", "--against", "HEAD", "--format", "json").output)
    codes = {d["code"]: d for d in found if d["file"] == str(ORDERS_V1)}
    assert "VERSION004" not in codes
    assert codes["VERSION001"]["message"].startswith("version went backwards from 1.4.0 to 0.4.0")
    assert codes["VERSION001"]["line"] == 6  # `version:`
    removed = codes["VERSION005"]
    assert "no longer exists (its file now declares data://checkout/orders/v0)" in removed["message"]
    assert "growth-analytics-team" in removed["message"]
    assert "migrate to data://checkout/orders/v2" in removed["hint"]  # the newer major, never v0


def test_removing_an_unused_field_says_no_consumer_uses_it(repo, cli):
    edit(repo / ORDERS_V2, "version: 2.0.0", "version: 2.1.0")
    edit(repo / ORDERS_V2, "compatibility: full", "compatibility: none")
    git(repo, "commit", "-qam", "no promise")
    text = (repo / ORDERS_V2).read_text()  # drop the field and its example values
    (repo / ORDERS_V2).write_text("".join(line for line in text.splitlines(True) if "placed_local_at" not in line))
    edit(repo / ORDERS_V2, "version: 2.1.0", "version: 2.2.0")
    result = cli("check", "--against", "HEAD", "--format", "json", "--all")
    d = next(d for d in json.loads(result.output) if d["code"] == "BRK201")
    assert "no known consumer uses it" in d["message"] and d["severity"] == "info"
    assert result.exit_code == 0
    retype_sales_channel(repo)  # under `none`, a field a consumer reads still may not break
    result = cli("check", "--against", "HEAD", "--format", "json")
    assert result.exit_code == 1
    assert any(d["code"] == "BRK205" and "growth-analytics-team" in d["message"] for d in json.loads(result.output))


def test_consumers_of_a_deprecated_version_warned_then_failed_after_the_date(repo, cli, monkeypatch):
    mk = repo / "marketing/campaign_attribution/v1/dataproduct.yaml"
    edit(mk, "product: data://checkout/orders/v2", "product: data://checkout/orders/v1")
    edit(mk, "fields: [order_id, customer_id, total, currency, placed_at, is_first_order, sales_channel, promo_codes]",
         "fields: [order_id, customer_id, total, currency, placed_at]")
    found = json.loads(cli("validate", ".", "--format", "json").output)
    assert [d["severity"] for d in found if d["code"] == "VERSION008"] == ["warning"]
    monkeypatch.setenv("MESHGEN_TODAY", "2027-07-01")
    found = json.loads(cli("validate", ".", "--format", "json").output)
    assert [d["severity"] for d in found if d["code"] == "VERSION008"] == ["error"]
    (repo / "meshgen.yaml").write_text((repo / "meshgen.yaml").read_text() + "contracts: {pastDeprecation: warning}\n")
    found = json.loads(cli("validate", ".", "--format", "json").output)
    assert [d["severity"] for d in found if d["code"] == "VERSION008"] == ["warning"]


TRANSITIVE = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: shop
name: orders
version: 1.0.0
owner: {team: shop-team}
datasets:
  - name: orders
    fields:
      - {name: order_id, type: uuid, required: true}
      - {name: status, type: enum, symbols: [NEW, PAID, DONE], required: true}
      - {name: qty, type: long, required: true}
      - {name: note, type: string, required: true}
outputPorts:
  - {name: events, type: events, dataset: orders, topic: shop.orders, format: avro}
compatibility: full
"""


def test_transitive_promise_compares_every_earlier_version(tmp_path, cli, monkeypatch):
    """1.0.0 (full) → 1.1.0 (backward_transitive) → 1.2.0 adds LOST, makes note nullable (breaks forward
    only) → 1.3.0 slipped through: drops PAID, narrows qty → working tree 1.4.0 drops LOST. Every earlier
    version is compared, by the baseline's promise; each break is one error naming the versions it
    breaks with."""
    need_executable("git")
    repo = tmp_path / "repo"
    product = repo / "shop/orders/v1/dataproduct.yaml"
    product.parent.mkdir(parents=True)
    (repo / "meshgen.yaml").write_text("name: transitive\n")
    product.write_text(TRANSITIVE)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "1.0.0")
    steps = [("version: 1.0.0", "version: 1.1.0"), ("compatibility: full", "compatibility: backward_transitive"), None,
             ("version: 1.1.0", "version: 1.2.0"), ("[NEW, PAID, DONE]", "[NEW, PAID, DONE, LOST]"),
             ("note, type: string, required: true", "note, type: string"), None,
             ("version: 1.2.0", "version: 1.3.0"), ("[NEW, PAID, DONE, LOST]", "[NEW, DONE, LOST]"),
             ("qty, type: long", "qty, type: int"), None,
             ("version: 1.3.0", "version: 1.4.0"), ("[NEW, DONE, LOST]", "[NEW, DONE]")]
    for step in steps:
        if step is None:
            git(repo, "commit", "-qam", "next version")
        else:
            edit(product, *step)
    monkeypatch.chdir(repo)
    result = cli("check", "--against", "HEAD", "--format", "json")
    assert result.exit_code == 1
    found = [(d["code"], d["message"].split(" (breaks")[0], sorted(r["file"].split(":")[0] for r in d["related"]))
             for d in json.loads(result.output) if d["code"].startswith("BRK")]
    commits = git(repo, "log", "--format=%h", "--abbrev=12").split()  # 1.3.0, 1.2.0, 1.1.0, 1.0.0
    field = "enum field 'status' of dataset 'orders'"
    assert sorted(found) == sorted([
        ("BRK211", f"{field} lost symbol LOST", ["HEAD"]),  # the direct comparison with 1.3.0
        ("BRK211", f"against earlier version 1.2.0: {field} lost symbols PAID, LOST", [commits[1]]),
        ("BRK211", f"against earlier versions 1.0.0 and 1.1.0: {field} lost symbol PAID",
         sorted([commits[3], commits[2]])),
        ("BRK207", ("against earlier versions 1.0.0, 1.1.0 and 1.2.0: type of field 'qty' of dataset 'orders' "
                    "narrowed from long to int; existing readers still read new data, but old values may not fit "
                    "the new type"), sorted(commits[1:])),
    ])
    # judged by the baseline's promise: 1.0.0 promised `full`, under which `note` becoming nullable
    # (forward only) would fail too; backward_transitive does not promise forward
    assert all("promises `compatibility: backward_transitive`" in d["message"]
               for d in json.loads(result.output) if d["code"].startswith("BRK"))



def test_diff_and_changelog_commands(repo, cli):
    retype_sales_channel(repo)
    result = cli("diff", f"HEAD:{ORDERS_V2}", ORDERS_V2, "--format", "json")
    assert result.exit_code == 1
    d = next(d for d in json.loads(result.output) if d["code"] == "BRK205")
    assert "growth-analytics-team" in d["message"]
    ok = cli("diff", ORDERS_V1, ORDERS_V2)
    assert ok.exit_code == 0  # a new major version: breaking changes are expected there
    md = cli("changelog", ORDERS_V1, ORDERS_V2).output
    assert md.startswith("# data://checkout/orders/v2: 1.4.0 → 2.1.0") and "## Breaking changes" in md
    js = json.loads(cli("changelog", ORDERS_V1, ORDERS_V2, "--format", "json").output)
    assert js["summary"]["breaking"] > 0 and {"rule", "breaks", "old", "new", "class"} <= set(js["changes"][0])
    assert cli("changelog", ORDERS_V1, ORDERS_V2, "--format", "json").output == \
        cli("changelog", ORDERS_V1, ORDERS_V2, "--format", "json").output
    bad = cli("diff", ORDERS_V1, "marketing/campaign_attribution/v1/dataproduct.yaml")
    assert bad.exit_code == 2 and "VERSION000" in bad.output


def test_informational_changes_are_counted_and_name_no_consumer(repo, cli):
    """A description change of a consumed field breaks nobody: hidden by default, and with --all
    it points at no consumer's input port."""
    edit(repo / ORDERS_V2, "version: 2.0.0", "version: 2.0.1")
    edit(repo / ORDERS_V2, "description: Storefront the order was placed in.", "description: Where it was ordered.")
    result = cli("check", "--against", "HEAD")
    assert result.exit_code == 0
    assert result.output.rstrip().endswith(
        "checked 7 products against HEAD; 1 informational change not shown (--all lists them)"), result.output
    found = json.loads(cli("check", "--against", "HEAD", "--format", "json", "--all").output)
    d = next(d for d in found if d["code"] == "BRK219")
    assert d["severity"] == "info" and "used by" not in d["message"]
    assert [r["file"] for r in d["related"]] == [f"HEAD:{ORDERS_V2}"]
    diffed = cli("diff", f"HEAD:{ORDERS_V2}", ORDERS_V2)
    assert diffed.output.rstrip().endswith("compared 2.0.0 → 2.0.1; 1 informational change not shown (--all lists them)")
