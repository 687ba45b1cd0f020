"""meshgen's MkDocs hook: puts each page's lineage picture into its built HTML.

`meshgen docs build` copies this file beside mkdocs.yml (as `meshgen_lineage_hook.py`, named in
its `hooks:`), so `mkdocs build`, `mkdocs serve` and Backstage TechDocs all run it. A page's
lineage picture is the file `lineage.svg` in the page's own folder, and its Markdown holds only
an <img> of it (MARKER): the SVG (thousands of tags on a product with many neighbours) never goes
through Markdown's raw-HTML parser nor the search indexer, which were half of MkDocs' time on a
1,000-product mesh. Once a page is rendered, the hook replaces that <img> with the SVG itself, so
the nodes are links; where the hook does not run, the <img> still shows the picture.

It reads one file (the page's own folder of docs_dir, a fixed name) and nothing from a spec decides
which: spec text on a page is escaped, so it cannot write the marker. Standard library only (it runs
in MkDocs' Python, not meshgen's).
"""

from __future__ import annotations

import os

PICTURE_FILE = "lineage.svg"  # beside the page's Markdown file, and copied beside its HTML
MARKER = f'<img class="meshgen-lineage-file" src="{PICTURE_FILE}" alt="lineage picture">'


def on_post_page(output: str, page, config, **_) -> str:
    if MARKER not in output:
        return output
    folder = os.path.dirname(page.file.src_uri)
    try:
        with open(os.path.join(config["docs_dir"], folder, PICTURE_FILE), encoding="utf-8") as picture:
            svg = picture.read()
    except OSError:
        return output  # the <img> stays
    return output.replace(MARKER, svg.rstrip("\n"), 1)
