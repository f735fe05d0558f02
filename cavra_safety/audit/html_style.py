"""The audit HTML's one inline style sheet: screen, phone and print.

- Screen: the verdict, then the open findings, then the category table and the evidence.
- Phone (at most 30rem, 480 px): the category table shrinks to one line per category (its count columns give
  way to a short summary), rules and skipped files stay collapsed, so the open findings come within the
  first screen.
- Print: the whole report sits in one table whose header row (``thead``) repeats on every printed page, with
  the verdict, the date and the digest; closed ``<details>`` (the rules) print as one line each, cards keep
  whole. (A ``position: fixed`` element repeats too, in Chromium, but inside the page's content box, over the
  first lines of every page after the first; a repeated table header takes its own room.)
"""

from __future__ import annotations

STYLE = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--good:#1a7f37;--bg-bad:#fdecea;--bg-good:#e9f6ec;
--warn:#9a6700;--bg-warn:#fff8c5}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
margin:0 auto;padding:1rem;max-width:72rem}
table.frame,table.frame>tbody,table.frame>tbody>tr,table.frame>tbody>tr>td{display:block;padding:0;border:0;margin:0}
table.frame>thead{display:none}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 .25rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin-top:1.5rem}
p.made{margin:0 0 1rem;color:var(--muted)}
.verdict{padding:.75rem 1rem;border-radius:6px;font-weight:600;border:2px solid}
.verdict.pass{background:var(--bg-good);border-color:var(--good)}.verdict.fail{background:var(--bg-bad);border-color:var(--bad)}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.cats .brief{display:none}
.fail-cell{color:var(--bad);font-weight:700}.pass-cell{color:var(--good)}
article{border:1px solid var(--line);border-left:4px solid var(--bad);border-radius:4px;padding:.5rem .75rem;
margin:.75rem 0;break-inside:avoid}
article.accepted,article.allowed{border-left-color:var(--muted)}
article.attention{border-left-color:var(--warn)}
.warn{color:var(--warn);font-weight:600}
div.attention{background:var(--bg-warn);border:1px solid var(--warn);border-radius:6px;padding:.5rem 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.25rem 0}dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
details{margin:.25rem 0}summary{cursor:pointer}
.muted{color:var(--muted)}
@media (max-width:30rem){
 body{padding:.6rem;font-size:14px}h1{font-size:1.2rem}h2{margin-top:1.25rem}
 .verdict{padding:.5rem .75rem}
 table.cats thead,table.cats td.n{display:none}
 table.cats .brief{display:block;color:var(--muted);font-size:.85em}
 table.cats td{border:0;padding:.2rem .3rem}table.cats tr{border-bottom:1px solid var(--line)}
 dl{grid-template-columns:1fr;gap:0}dt{margin-top:.3rem}
 article{padding:.4rem .6rem;margin:.5rem 0}
}
@media print{
 @page{margin:12mm 12mm 14mm}
 body{max-width:none;font-size:9.5pt;padding:0}
 table.frame{display:table;width:100%;border-collapse:collapse;margin:0}
 table.frame>thead{display:table-header-group}
 table.frame>tbody{display:table-row-group}table.frame>tbody>tr{display:table-row}
 table.frame>tbody>tr>td,table.frame>thead>tr>td{display:table-cell;border:0;padding:0}
 table.frame>thead td{font-size:7.5pt;color:var(--muted);padding-bottom:2mm}
 table.frame>thead td div{border-bottom:1px solid var(--line);padding-bottom:1mm}
 .verdict{border-width:1px}a{color:inherit;text-decoration:none}
 h1{font-size:14pt}h2{font-size:12pt;margin-top:1rem}h3{font-size:10.5pt;margin-top:.6rem}
 h2,h3{break-after:avoid}tr{break-inside:avoid}
 article{margin:.3rem 0;padding:.2rem .5rem}dl{gap:0 .5rem}
 details>:not(summary){display:none}
}
"""
