#!/usr/bin/env python3
"""Render an eval-diff report.md the way a PR comment shows it, as HTML, for a screenshot.

Used to make docs/images/comment.png:

    pip install markdown==3.10  # any recent python-markdown
    python3 scripts/render-comment.py modelci-report
    chromium --headless --no-sandbox --hide-scrollbars --window-size=900,1500 \
        --screenshot=docs/images/comment.png modelci-report/comment.html

GitHub draws the Mermaid block itself; offline the PNG chart that mirrors it is shown instead.
"""
import re
import sys

import markdown
report_dir = sys.argv[1] if len(sys.argv) > 1 else 'modelci-report'
src = open(f'{report_dir}/report.md').read()
# GitHub renders the mermaid block as a chart; offline we show the PNG it mirrors instead.
src = re.sub(r"```mermaid.*?```\s*\*Blue: baseline, orange: candidate\.\*\n", "", src, flags=re.S)
def details(m):
    body = markdown.markdown(m.group(2), extensions=['tables'])
    opened = ' open' if 'Per-class' in m.group(1) else ''
    return f"<details{opened}><summary>{m.group(1)}</summary>{body}</details>"
src = re.sub(r"<details>\n<summary>(.*?)</summary>\n(.*?)</details>", details, src, flags=re.S)
html = markdown.markdown(src, extensions=['tables'])
css = """body{font-family:'DejaVu Sans';font-size:14px;color:#1f2328;max-width:860px;margin:16px auto;padding:16px;border:1px solid #d0d7de;border-radius:6px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 10px}tr:nth-child(2n){background:#f6f8fa}
h2{border-bottom:1px solid #d8dee4;padding-bottom:6px;font-size:20px}img{max-width:100%}sub{color:#59636e}summary{margin:6px 0;cursor:pointer}
.hdr{font-size:13px;color:#59636e;border-bottom:1px solid #d0d7de;margin:-16px -16px 12px;padding:8px 16px;background:#f6f8fa}"""
open(f'{report_dir}/comment.html','w').write(f"<html><head><meta charset='utf-8'><style>{css}</style></head><body><div class='hdr'><b>modelci-bot</b> commented</div>{html}</body></html>")
