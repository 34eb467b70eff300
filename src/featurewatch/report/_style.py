"""The report's stylesheet, inlined into every page (no font files, no URLs: system fonts only)."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root{--tr:#a3acb9;--wn:#2f6fdf;--new:#e8590c;--out:#c92a2a;--warn:#e67700;--crit:#c92a2a;--info:#5c7cfa;
--ink:#1f2328;--muted:#667085;--line:#e4e7ec;--bg:#f7f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:0 0 8px}h3{font-size:14px;margin:14px 0 6px}
a{color:var(--wn);text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted);fill:var(--muted)}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:14px 0}
section.alarming{border-left:4px solid var(--warn)}section.alarming.critical{border-left-color:var(--crit)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:120px;background:#fff}
.card b{display:block;font-size:18px}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
table.stats{width:auto;min-width:420px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff}
.sev.critical{background:var(--crit)}.sev.warning{background:var(--warn)}.sev.info{background:var(--info)}
.sev.ok{background:#2b8a3e}
.kind{font-size:12px;color:var(--muted);font-weight:400;margin-left:6px}
ul.findings{list-style:none;padding:0;margin:6px 0 10px}
ul.findings li{padding:4px 0;border-bottom:1px dashed var(--line)}
.charts{display:flex;flex-wrap:wrap;gap:14px 28px;align-items:flex-start}
figure{margin:0;max-width:100%}figcaption{font-size:12px;color:var(--muted);margin-bottom:2px}
svg.chart{max-width:100%;height:auto;font-size:11px;fill:var(--ink);overflow:visible}
svg .tr{fill:var(--tr)}svg .wn{fill:var(--wn)}svg .new{fill:var(--new)}svg .outside{fill:var(--out)}
svg .other{fill:#748ffc}svg .track{fill:#f1f3f5}svg .shade{fill:#fff0f0}
svg .grid{stroke:var(--line)}svg .tick{stroke:var(--muted)}
svg .line{fill:none;stroke:var(--wn);stroke-width:1.6}svg .ref{stroke:var(--tr);stroke-dasharray:4 3}
svg .dot{fill:var(--wn)}svg .dot.warning{fill:var(--warn)}svg .dot.critical{fill:var(--crit)}
svg .band.warning{fill:#fff4e6}svg .band.critical{fill:#ffe3e3}svg .span{fill:#91b4f2}
svg .title{font-weight:600}
.chips span{display:inline-block;border:1px solid var(--new);color:var(--new);border-radius:10px;
padding:0 8px;margin:2px 4px 2px 0;font-size:12px}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:10px;
margin-right:4px;vertical-align:baseline}
.history{display:flex;flex-wrap:wrap;gap:8px 18px}
.quiet h2{font-size:15px}.quiet{padding:10px 16px}
details summary{cursor:pointer;color:var(--muted);font-size:12px}
footer{color:var(--muted);font-size:12px;margin-top:18px}
@media print{body{background:#fff}section{break-inside:avoid}}
"""
