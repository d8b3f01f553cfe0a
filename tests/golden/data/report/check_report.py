#!/usr/bin/env python3
"""Checks for the report golden tests (equitylens report). Usage:
  check_report.py html FILE              HTML structure, accessibility, no external requests, no count 1-7
  check_report.py xlsx FILE RESULT...    numbers read back equal the results; formats; suppression marks
  check_report.py pdf TEXTDIR [HTML]     per-page text (page-N.txt): expected pages and sections;
                                         with HTML: its (checked) count cells are those in the PDF
Exit status 1 with a message on the first failure."""
import json, re, sys, html.parser, glob, os

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

SMALL = set(range(1, 8))

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings = []; self.tables = 0; self.captions = 0; self.th = 0; self.th_scoped = 0
        self.count_cells = []; self._in_count = False; self._buf = ""; self.svgs = 0; self.svg_titles = 0
        self._in_svg = 0; self._tag_stack = []; self.external = []; self.figures = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag): self.headings.append(int(tag[1]))
        if tag == "table": self.tables += 1
        if tag == "caption": self.captions += 1
        if tag == "th":
            self.th += 1
            if a.get("scope") in ("col", "row"): self.th_scoped += 1
        if tag == "td" and "c" in (a.get("class") or "").split():
            self._in_count = True; self._buf = ""
        if tag == "svg":
            if self._in_svg == 0: self.svgs += 1
            self._in_svg += 1
            if a.get("role") != "img" or not a.get("aria-label"): fail("svg without role=img and aria-label")
        if tag == "title" and self._in_svg: self.svg_titles += 1
        if tag == "figure": self.figures += 1
        for k in ("src", "href", "xlink:href"):
            v = a.get(k)
            if v and not v.startswith("#"): self.external.append(v)
    def handle_endtag(self, tag):
        if tag == "td" and self._in_count:
            self.count_cells.append(self._buf.strip()); self._in_count = False
        if tag == "svg": self._in_svg -= 1
    def handle_data(self, d):
        if self._in_count: self._buf += d

def check_html(path):
    s = open(path, encoding="utf-8").read()
    p = P(); p.feed(s)
    if not p.headings or p.headings[0] != 1: fail("first heading is not h1")
    for a, b in zip(p.headings, p.headings[1:]):
        if b > a + 1: fail("heading level skips from h%d to h%d" % (a, b))
    if p.tables == 0 or p.captions != p.tables: fail("tables %d, captions %d" % (p.tables, p.captions))
    if p.th == 0 or p.th_scoped != p.th: fail("th without scope: %d of %d" % (p.th - p.th_scoped, p.th))
    if p.external: fail("external references: %s" % p.external[:3])
    if re.search(r"@import|url\(|<script|<link", s): fail("external resource or script in HTML")
    if "@page" not in s or "A4" not in s: fail("no A4 @page rule")
    if p.svgs < 4: fail("expected charts, found %d svg" % p.svgs)
    if p.figures == 0: fail("no figures")
    if "Disclosure control:" not in s: fail("policy not printed")
    n = 0
    for c in p.count_cells:
        if c in ("*", "\u2014", ""): continue
        v = int(c.replace(",", ""))
        n += 1
        if v in SMALL: fail("count %d published in HTML" % v)
        if v % 5: fail("count %d not rounded to 5" % v)
    if n < 20: fail("too few count cells checked (%d)" % n)
    order = ["1. Summary", "2. Data quality", "3. Waiting list", "4. Did not attend", "5. Cancer", "6. Who is missing",
             "7. Trends", "8. Methods"]
    pos = [s.find(">" + o) for o in order]
    if min(pos) < 0 or pos != sorted(pos): fail("sections missing or out of order: %s" % pos)
    print("html ok: %d headings, %d tables, %d charts, %d count cells" % (len(p.headings), p.tables, p.svgs, n))

def check_xlsx(path, results):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    if names[0] != "Contents" or names[-1] != "Methods": fail("sheet order %s" % names)
    by_title = {}
    for ws in wb.worksheets[1:-1]:
        by_title[ws["A1"].value] = ws
        if "Disclosure control" not in (ws["A2"].value or ""): fail("%s: no policy" % ws.title)
    contents = [c.value for c in wb["Contents"]["B"]][5:]
    for ws in wb.worksheets[1:-1]:
        if ws["A1"].value not in contents: fail("%s missing from contents" % ws.title)
    methods = " ".join(str(c.value) for row in wb["Methods"].iter_rows() for c in row if c.value)
    for need in ("IMD edition", "Disclosure control", "Data period", "Reference groups", "Definitions"):
        if need not in methods: fail("methods sheet lacks %s" % need)
    compared = 0; marked = 0
    for rp in results:
        doc = json.load(open(rp, encoding="utf-8"))
        lenses = {l["lens"]: l for l in doc["lenses"]}
        for r in doc["results"]:
            L = lenses[r["lens"]]
            title = "%s by %s" % (r["label"], L["label"])
            if r.get("stratum"):
                f = r["stratum"]["field"].replace("_", " "); f = f[0].upper() + f[1:]
                title += ", %s %s" % (f, r["stratum"]["value"])
            ws = by_title.get(title)
            if ws is None: fail("no sheet titled %r" % title)
            head = [c.value for c in ws[5]]
            rows = {}
            for row in ws.iter_rows(min_row=6):
                if row[0].value: rows[row[0].value] = row
            labels = {g["key"]: g["label"] for g in L["groups"]}
            cont = r["kind"] == "continuous"
            nsup = 0
            for g in r["groups"]:
                row = rows.get(labels.get(g["key"], g["key"]))
                if row is None: fail("%s: no row for %s" % (title, g["key"]))
                cells = {h: c for h, c in zip(head, row)}
                den = cells["Denominator"]
                if g.get("suppressed"):
                    if den.value != "*": fail("%s/%s: suppressed group shows %r" % (title, g["key"], den.value))
                    if den.comment is None: fail("%s/%s: suppressed cell has no note" % (title, g["key"]))
                    marked += 1; nsup += 1
                    continue
                if den.value == "*":     # secondary suppression added by the guard
                    nsup += 1; marked += 1; continue
                if den.value != g["n"]: fail("%s/%s: n %r != %r" % (title, g["key"], den.value, g["n"]))
                if den.number_format != "#,##0": fail("count format %r" % den.number_format)
                v = g["mean"]["value"] if cont else g["value"]
                valcell = row[4]
                if abs(valcell.value - v) > 1e-9: fail("%s/%s: value %r != %r" % (title, g["key"], valcell.value, v))
                if valcell.number_format != "0.0": fail("value format %r" % valcell.number_format)
                if not cont:
                    if cells["Numerator"].value != g["numerator"]: fail("%s/%s numerator" % (title, g["key"]))
                    if abs(row[5].value - g["lower"]) > 1e-9 or abs(row[6].value - g["upper"]) > 1e-9: fail("%s/%s CI" % (title, g["key"]))
                compared += 1
            total = rows.get("All groups")
            tot_n = total[head.index("Denominator")].value if total else None
            if nsup == 1 and isinstance(tot_n, (int, float)):
                fail("%s: a lone suppressed group can be recovered from the published total" % title)
    # no count 1-7 anywhere in a count-formatted cell
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and c.number_format == "#,##0" and c.value in SMALL:
                    fail("%s!%s: count %r" % (ws.title, c.coordinate, c.value))
    if compared < 20: fail("only %d groups compared" % compared)
    print("xlsx ok: %d sheets, %d groups compared, %d suppressed cells marked" % (len(names), compared, marked))

def check_pdf(d, html_path=None):
    pages = sorted(glob.glob(os.path.join(d, "page-*.txt")), key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
    if len(pages) < 8: fail("only %d pages" % len(pages))
    text = [open(p, encoding="utf-8", errors="replace").read() for p in pages]
    starts = {}
    for i, t in enumerate(text):
        for h in ("1. Summary", "2. Data quality", "3. Waiting list", "4. Did not attend", "5. Cancer standards",
                  "6. Who is missing", "7. Trends", "8. Methods"):
            if h in t and h not in starts: starts[h] = i
    if len(starts) != 8: fail("sections found on pages: %s" % starts)
    order = [starts[k] for k in sorted(starts)]
    if order != sorted(order): fail("sections out of order: %s" % starts)
    for h, i in starts.items():
        first = [l for l in text[i].splitlines() if l.strip()][:4]
        if not any(h in l for l in first) and h != "1. Summary": fail("%s does not start page %d" % (h, i + 1))
    if "Disclosure control" not in text[0]: fail("policy not on page 1")
    full = "\n".join(text)
    if "Health inequalities report" not in text[0]: fail("title not on page 1")
    if starts["2. Data quality"] != 1: fail("the summary does not fit on page 1")
    if html_path:
        # the PDF is printed from the HTML: every count cell of the (checked) HTML
        # is in the PDF text, so the PDF publishes the same, compliant, counts
        p = P(); p.feed(open(html_path, encoding="utf-8").read())
        tokens = set(re.findall(r"[0-9][0-9,]*|\*", full))
        missing = [c for c in p.count_cells if c and c not in ("\u2014",) and c not in tokens]
        if missing: fail("count cells of the HTML not in the PDF: %s" % missing[:5])
    print("pdf ok: %d pages; sections start on pages %s" % (len(pages), {k: v + 1 for k, v in starts.items()}))

if __name__ == "__main__":
    if sys.argv[1] == "html": check_html(sys.argv[2])
    elif sys.argv[1] == "xlsx": check_xlsx(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "pdf": check_pdf(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else: fail("usage")
