#!/usr/bin/env python3
"""HTTP tests of `equitylens serve` over a real socket (tests/golden/cases/web_http.sh).

Starts the server on a free loopback port with a scratch store, then checks:
unauthenticated requests refused; forms without their CSRF token refused; SQL
injection and path traversal harmless; oversized and malformed uploads
rejected cleanly with the store unchanged; a client disconnecting mid-upload
does not hurt the server; roles; API tokens; login throttling; the audit
trail (append-only); the JSON access log; graceful shutdown finishing an
import in progress. Exits non-zero on the first failure.
"""
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid

BIN = os.environ["EQUITYLENS"]
ROOT = os.environ["ROOT"]
T = os.environ.get("T") or os.getcwd()
DB = os.path.join(T, "web.db")
SPOOL = os.path.join(T, "spool")
LOG = os.path.join(T, "access.log")
ENV = dict(os.environ, EQUITYLENS_DATA=os.path.join(ROOT, "data"),
           EQUITYLENS_KEY_FILE=os.path.join(T, "pseudonym.key"),
           EQUITYLENS_MAPPINGS=os.path.join(ROOT, "mappings"))
checks = 0


def ok(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what)
        if os.path.exists(LOG):
            print("--- access log tail ---")
            print(open(LOG).read()[-3000:])
        sys.exit(1)


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=ENV)


SERVERS = []


def _kill_all():
    for p in SERVERS:
        if p.poll() is None:
            p.kill()
            p.wait()


import atexit
atexit.register(_kill_all)


class Server:
    def __init__(self, *extra):
        os.makedirs(SPOOL, exist_ok=True)
        pf = os.path.join(T, "port")
        if os.path.exists(pf):
            os.remove(pf)
        assets = os.path.join(ROOT, "node_modules/nhsuk-frontend/dist/nhsuk")
        args = [BIN, "serve", "--db", DB, "--port", "0", "--port-file", pf, "--spool", SPOOL,
                "--access-log", LOG, "--max-upload", "2M", "--threads", "2", "--timeout", "5", *extra]
        if os.path.isdir(assets):
            args += ["--assets", assets]
        self.p = subprocess.Popen(args, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        SERVERS.append(self.p)
        for _ in range(200):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            if self.p.poll() is not None:
                print(self.p.stdout.read())
                sys.exit("server exited at start-up")
            time.sleep(0.05)
        self.port = int(open(pf).read())

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, _ = self.p.communicate(timeout=120)
        return self.p.returncode, out


def req(srv, method, path, body=None, headers=None, cookie=None):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    hdrs = r.getheaders()
    c.close()
    return r.status, hdrs, data


def raw_post(srv, path, headers, body, expect=False):
    """POST over a raw socket; with expect, send the body only after 100 Continue.
    Returns the status (0 if the server closed the connection before answering)."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    h = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    s.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{h}"
               + ("Expect: 100-continue\r\n" if expect else "") + "Connection: close\r\n\r\n").encode())
    raw = b""
    if expect:
        raw = s.recv(65536)
        if raw.startswith(b"HTTP/1.1 100"):
            raw = raw.split(b"\r\n\r\n", 1)[1]
            s.sendall(body)
    else:
        try:
            s.sendall(body)
        except OSError:
            pass
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            raw += d
    except OSError:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", raw)
    return int(m.group(1)) if m else 0


def header(hdrs, name):
    return [v for k, v in hdrs if k.lower() == name.lower()]


def form(fields):
    from urllib.parse import urlencode
    return urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}


def multipart(fields, filename=None, content=b"", boundary=None):
    b = boundary or uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
    if filename is not None:
        out += (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + content + b"\r\n"
    out += f"--{b}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={b}"}


def login(srv, user, pw):
    st, h, body = req(srv, "GET", "/login")
    pre = re.search(r'el_pre=([0-9a-f]+)', " ".join(header(h, "Set-Cookie"))).group(1)
    tok = re.search(rb'name="csrf" value="([0-9a-f]+)"', body).group(1).decode()
    b, hh = form({"csrf": tok, "username": user, "password": pw, "next": "/datasets"})
    st, h, body = req(srv, "POST", "/login", b, hh, cookie=f"el_pre={pre}")
    sid = None
    for v in header(h, "Set-Cookie"):
        m = re.match(r"el_sid=([0-9a-f]+);", v)
        if m:
            sid = m.group(1)
            cookie_attrs = v
    if sid:
        return st, f"el_sid={sid}", cookie_attrs
    return st, None, None


def csrf_of(srv, cookie):
    st, h, body = req(srv, "GET", "/datasets", cookie=cookie)
    return re.search(rb'name="csrf" value="([0-9a-f]+)"', body).group(1).decode()


def datasets_in_store():
    con = sqlite3.connect(DB)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dst = [t for t in tables if t.startswith("dataset") or t == "datasets"]
        if not dst:
            return 0
        return con.execute(f"SELECT count(*) FROM {dst[0]}").fetchone()[0]
    finally:
        con.close()


def api_count(srv, token):
    st, h, body = req(srv, "GET", "/api/v1/datasets", headers={"Authorization": f"Bearer {token}"})
    ok(st == 200, f"token lists datasets ({st})")
    return len(json.loads(body)["datasets"])


def wait_job(srv, token, loc):
    for _ in range(600):
        st, h, body = req(srv, "GET", loc, headers={"Authorization": f"Bearer {token}"})
        j = json.loads(body)
        if j["state"] in ("done", "failed"):
            return j
        time.sleep(0.1)
    ok(False, "import job finished in time")


def spool_files():
    return [f for f in os.listdir(SPOOL) if f.startswith("equitylens-upload-") and not f.endswith(".rejects.csv")]


def main():
    # ---- accounts on the command line (password from stdin, never argv)
    r = run("user", "add", "alice", "--role", "admin", "--db", DB, stdin="alice password 1\n")
    ok(r.returncode == 0, "user add admin: " + r.stderr)
    r = run("user", "add", "ann", "--role", "analyst", "--db", DB, stdin="analyst password 1\n")
    ok(r.returncode == 0, "user add analyst")
    r = run("user", "add", "vic", "--role", "viewer", "--db", DB, stdin="viewer password 1\n")
    ok(r.returncode == 0, "user add viewer")
    r = run("user", "add", "bad", "--role", "analyst", "--db", DB, stdin="short\n")
    ok(r.returncode != 0 and "at least" in r.stderr, "short password refused")
    r = run("user", "add", "x", "--role", "root", "--db", DB, stdin="long enough pw\n")
    ok(r.returncode == 2, "unknown role is a usage error")
    r = run("user", "token", "ann", "--label", "tests", "--db", DB)
    ok(r.returncode == 0 and re.fullmatch(r"elt_[0-9a-f]{64}\n", r.stdout), "token for analyst")
    ann_token = r.stdout.strip()
    vic_token = run("user", "token", "vic", "--db", DB).stdout.strip()
    con = sqlite3.connect(DB)
    ok("alice password 1" not in str(con.execute("SELECT * FROM el_user").fetchall()), "no clear password stored")
    ok(all(h.startswith("$argon2id$") for (h,) in con.execute("SELECT pwhash FROM el_user")), "argon2id hashes")
    ok(not con.execute("SELECT count(*) FROM el_token WHERE token_hash=?", (ann_token,)).fetchone()[0],
       "tokens stored hashed")
    con.close()

    srv = Server()
    # ---- unauthenticated requests refused
    st, h, _ = req(srv, "GET", "/datasets")
    ok(st == 303 and header(h, "Location")[0].startswith("/login"), "page redirects to login")
    for path in ("/api/v1/datasets", "/api/v1/audit", "/api/v1/datasets/1", "/api/v1/me"):
        st, h, body = req(srv, "GET", path)
        ok(st == 401 and json.loads(body)["error"]["code"] == "unauthorised", f"API {path} refused ({st})")
    body, hh = multipart([("kind", "appointments")], "a.csv", b"x,y\n1,2\n")
    st, _, _ = req(srv, "POST", "/datasets/upload", body, hh)
    ok(st == 401, f"anonymous upload refused ({st})")
    st, _, _ = req(srv, "GET", "/api/v1/datasets", headers={"Authorization": "Bearer elt_" + "0" * 64})
    ok(st == 401, "unknown token refused")
    st, _, _ = req(srv, "GET", "/admin/audit", cookie="el_sid=" + "a" * 64)
    ok(st == 303, "forged session cookie is not a session")
    st, _, body = req(srv, "GET", "/healthz")
    ok(st == 200 and body == b"ok\n", "health check is public")
    st, h, body = req(srv, "GET", "/static/nhsuk-frontend.min.css")
    ok(st in (200, 404), "stylesheet route")

    # ---- login, cookie flags, wrong password, SQL injection in the login form
    st, cookie, attrs = login(srv, "alice", "wrong password!")
    ok(st == 401 and cookie is None, "wrong password refused")
    st, cookie, attrs = login(srv, "alice' OR '1'='1' --", "x' OR '1'='1")
    ok(st == 401 and cookie is None, "SQL injection in login refused")
    st, admin, attrs = login(srv, "alice", "alice password 1")
    ok(st == 303 and admin, "admin logs in")
    ok("HttpOnly" in attrs and "SameSite=Strict" in attrs and "Secure" not in attrs, "cookie flags: " + attrs)

    # ---- CSRF: a form without its token is refused
    st, _, _ = req(srv, "POST", "/logout", "", {"Content-Type": "application/x-www-form-urlencoded"}, cookie=admin)
    ok(st == 403, f"logout without CSRF token refused ({st})")
    b, hh = form({"csrf": "0" * 64})
    st, _, _ = req(srv, "POST", "/logout", b, hh, cookie=admin)
    ok(st == 403, "logout with a wrong CSRF token refused")
    n0 = api_count(srv, ann_token)
    body, hh = multipart([("kind", "appointments")], "a.csv", open(os.path.join(T, "good.csv"), "rb").read())
    st, _, _ = req(srv, "POST", "/datasets/upload", body, hh, cookie=admin)
    ok(st == 403, f"upload without CSRF token refused ({st})")
    body, hh = multipart([("csrf", "f" * 64), ("kind", "appointments")], "a.csv", b"x\n")
    st, _, _ = req(srv, "POST", "/datasets/upload", body, hh, cookie=admin)
    ok(st == 403, "upload with wrong CSRF token refused")
    b, hh = form({"csrf": "x", "username": "alice", "password": "alice password 1"})
    st, _, _ = req(srv, "POST", "/login", b, hh)
    ok(st == 403, "login form without its pre-session token refused")
    ok(api_count(srv, ann_token) == n0 and not spool_files(), "store unchanged after CSRF refusals")

    # ---- a good upload through the page form
    tok = csrf_of(srv, admin)
    body, hh = multipart([("csrf", tok), ("kind", "appointments"), ("mapping", "canonical")], "good.csv",
                         open(os.path.join(T, "good.csv"), "rb").read())
    st, h, _ = req(srv, "POST", "/datasets/upload", body, hh, cookie=admin)
    ok(st == 303 and header(h, "Location")[0].startswith("/imports/"), f"upload accepted ({st})")
    loc = header(h, "Location")[0]
    for _ in range(600):
        st, h, page = req(srv, "GET", loc, cookie=admin)
        if b'data-state="done"' in page or b'data-state="failed"' in page:
            break
        time.sleep(0.1)
    ok(b'data-state="done"' in page, "import finished")
    ok(b'id="rows-accepted">400<' in page and b'id="rows-rejected">3<' in page, "import result shows counts")
    ok(b'id="rejections"' in page, "import result lists rejections")
    ok(api_count(srv, ann_token) == n0 + 1, "one dataset added")

    jobs_loc = loc.replace("/imports/", "/api/v1/imports/")
    st, _, body = req(srv, "GET", jobs_loc, headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 200 and json.loads(body)["result"]["ingest"]["rows_rejected"] == 3, "import job via API")
    st, h, body = req(srv, "GET", jobs_loc + "/rejects.csv", headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 200 and body.count(b"\n") >= 4, "rejects CSV via API")
    st, _, body = req(srv, "GET", "/api/v1/users", cookie=admin)
    ok(st == 200 and len(json.loads(body)["users"]) == 3, "admin lists users via API")

    # ---- aggregates served through the API have passed disclosure control
    ds = json.loads(req(srv, "GET", "/api/v1/datasets", headers={"Authorization": f"Bearer {ann_token}"})[2])["datasets"]
    dsid = ds[-1]["id"]
    st, _, body = req(srv, "GET", f"/api/v1/datasets/{dsid}/analysis?metric=dna_rate&lens=imd_quintile",
                      headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 200, f"analysis API ({st})")
    doc = json.loads(body)
    ok("Disclosure control" in doc["disclosure"]["policy"], "analysis carries the disclosure policy")
    ok(len(doc["results"]) == 1 and doc["results"][0]["lens"] == "imd_quintile", "analysis filtered by metric and lens")
    counts = []
    for r in doc["results"]:
        for g in r["groups"] + [r["overall"]]:
            counts += [g.get("n"), g.get("numerator")]
    for l in doc["lenses"]:
        counts += [g.get("n") for g in l["groups"]]
    shown = [c for c in counts if isinstance(c, int)]
    ok(shown and all(c == 0 or (c > 7 and c % 5 == 0) for c in shown), f"counts suppressed/rounded: {shown}")
    ok(any(c is None for c in counts) or all(c >= 8 or c == 0 for c in shown), "small counts never shown")
    st, _, body = req(srv, "GET", f"/api/v1/datasets/{dsid}/quality", headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 200 and "disclosure" in json.loads(body), "quality API carries the policy")
    st, _, body = req(srv, "GET", f"/explore?dataset={dsid}&lens=ethnic_group", cookie=admin)
    ok(st == 200 and b'id="result-table"' in body and b"<svg" in body, "explorer page: table and chart")
    st, _, body = req(srv, "GET", f"/explore?dataset={dsid}&lens=%3Cscript%3Ealert(1)%3C/script%3E", cookie=admin)
    ok(st == 200 and b"<script>alert(1)" not in body, "explorer escapes its parameters")
    st, h, body = req(srv, "GET", f"/api/v1/datasets/{dsid}/pack.html", headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 200 and b"Disclosure control" in body and "attachment" in header(h, "Content-Disposition")[0], "pack HTML")
    st, h, body = req(srv, "GET", f"/pack/{dsid}.xlsx", cookie=admin)
    ok(st == 200 and body[:2] == b"PK", "pack XLSX")
    st, _, _ = req(srv, "GET", f"/api/v1/datasets/{dsid}/pack.html", headers={"Authorization": f"Bearer {vic_token}"})
    ok(st == 403, "viewer may not export the pack")
    st, _, body = req(srv, "GET", f"/api/v1/datasets/{dsid}/analysis?metric=dna_rate&lens=sex",
                      headers={"Authorization": f"Bearer {vic_token}"})
    ok(st == 200, "viewer may read aggregates")

    # ---- SQL injection and path traversal are harmless
    for path in ("/api/v1/datasets/1%20OR%201=1", "/api/v1/datasets/1;DROP%20TABLE%20el_user",
                 "/imports/1'--", "/api/v1/audit?action=x'%20OR%20'1'='1"):
        st, _, body = req(srv, "GET", path, headers={"Authorization": f"Bearer {ann_token}"})
        ok(st in (403, 404, 200) and b"root:" not in body, f"{path} harmless ({st})")
    st, _, body = req(srv, "GET", "/admin/audit?action=x%27%20OR%20%271%27=%271", cookie=admin)
    ok(st == 200 and b"<td class=\"nhsuk-table__cell\">login</td>" not in body, "audit filter injection finds nothing")
    con = sqlite3.connect(DB)
    ok(con.execute("SELECT count(*) FROM el_user").fetchone()[0] == 3, "user table intact")
    con.close()
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "/assets/images/..%2f..%2f..%2f..%2fpackage.json", "/static/..%2f..%2fMakefile",
                 "/assets/images/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd"):
        st, _, body = req(srv, "GET", path, cookie=admin)
        ok(st in (303, 400, 404) and b"root:" not in body and b"CSTD" not in body, f"traversal {path} ({st})")
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"GET /static/../../../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    raw = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        raw += d
    s.close()
    ok(b"root:" not in raw, "raw traversal harmless")

    # ---- oversized and malformed uploads: rejected cleanly, store unchanged
    n1 = api_count(srv, ann_token)
    big = b"appointment_id\n" + b"A" * (3 << 20)
    auth = {"Authorization": f"Bearer {ann_token}", "Content-Type": "text/csv"}
    st = raw_post(srv, "/api/v1/datasets?kind=appointments", auth, big, expect=True)
    ok(st == 413, f"oversized upload refused before the body is sent ({st})")
    st = raw_post(srv, "/api/v1/datasets?kind=appointments", auth, big)
    ok(st in (0, 413), f"oversized upload sent blindly refused ({st})")
    tok = csrf_of(srv, admin)
    body, hh = multipart([("csrf", tok), ("kind", "appointments")], "big.csv", big)
    hh["Cookie"] = admin
    st = raw_post(srv, "/datasets/upload", hh, body, expect=True)
    ok(st == 413, f"oversized form upload refused ({st})")
    # no Content-Length (chunked): the limit is enforced while reading
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    s.sendall((f"POST /api/v1/datasets?kind=appointments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ann_token}\r\n"
               "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode())
    chunk = b"A" * 65536
    try:
        for _ in range(64):
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    except OSError:
        pass
    s.close()
    body, hh = multipart([("csrf", tok), ("kind", "appointments")], "x.csv", b"a,b\n1,2\n")
    st, _, _ = req(srv, "POST", "/datasets/upload", body[: len(body) // 2] + b"\r\n--garbage",
                   {"Content-Type": "multipart/form-data; boundary=notthere"}, cookie=admin)
    ok(st in (400, 403), f"malformed multipart refused ({st})")
    st, h, body = req(srv, "POST", "/api/v1/datasets?kind=appointments", b"\x00\x01\xff\xfe binary junk\n\x00",
                      {"Authorization": f"Bearer {ann_token}", "Content-Type": "text/csv"})
    ok(st == 202, "binary upload accepted for import")
    j = wait_job(srv, ann_token, header(h, "Location")[0])
    ok(j["state"] == "failed", "binary junk import fails: " + j["message"])
    st, h, body = req(srv, "POST", "/api/v1/datasets?kind=appointments", b"",
                      {"Authorization": f"Bearer {ann_token}", "Content-Type": "text/csv"})
    ok(st == 400, f"empty upload refused ({st})")
    st, h, body = req(srv, "POST", "/api/v1/datasets?kind=nonsense", b"a\n1\n",
                      {"Authorization": f"Bearer {ann_token}", "Content-Type": "text/csv"})
    ok(st == 400, f"unknown kind refused ({st})")
    ok(api_count(srv, ann_token) == n1, "store unchanged after bad uploads")

    # ---- a client that disconnects mid-upload
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall((f"POST /api/v1/datasets?kind=appointments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ann_token}\r\n"
               f"Content-Type: text/csv\r\nContent-Length: 1500000\r\n\r\n").encode())
    s.sendall(open(os.path.join(T, "good.csv"), "rb").read() * 3)
    time.sleep(0.3)
    s.close()
    time.sleep(0.5)
    st, _, body = req(srv, "GET", "/healthz")
    ok(st == 200, "server alive after a client disconnected mid-upload")
    ok(api_count(srv, ann_token) == n1, "store unchanged after the disconnect")
    for _ in range(50):
        if not spool_files():
            break
        time.sleep(0.1)
    ok(not spool_files(), "partial upload's spool file removed")

    # ---- hostile and malformed requests (seeded, bounded): the server stays up
    import random
    rnd = random.Random(20261122)
    junk = [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
            b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"el_sid=" + b"z" * 9000 + b"\r\n\r\n",
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            b"POST /datasets/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\nContent-Length: 10\r\n\r\n0123456789",
            b"DELETE /api/v1/datasets/1 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/v1/datasets/99999999999999999999 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer elt_\r\n\r\n",
            b"GET /%00/%ff/%2e%2e HTTP/1.1\r\nHost: x\r\n\r\n"]
    for _ in range(60):
        junk.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))))
        m = rnd.choice([b"GET", b"POST", b"HEAD", b"PUT"])
        path = b"/" + bytes(rnd.choice(b"abcz/.%09?&=;'\"<>") for _ in range(rnd.randrange(0, 40)))
        junk.append(m + b" " + path + b" HTTP/1.1\r\nHost: x\r\nCookie: el_sid=" + admin.split("=")[1].encode()
                    + b"\r\nContent-Length: 5\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ncsrf=")
    for j in junk:
        try:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(j)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        except OSError:
            pass
        finally:
            s.close()
    st, _, _ = req(srv, "GET", "/healthz")
    ok(st == 200, f"server alive after {len(junk)} hostile requests")
    st, _, _ = req(srv, "GET", "/datasets", cookie=admin)
    ok(st == 200, "session still valid after hostile requests")

    # ---- roles
    st, viewer, _ = login(srv, "vic", "viewer password 1")
    ok(st == 303 and viewer, "viewer logs in")
    st, _, body = req(srv, "GET", "/datasets", cookie=viewer)
    ok(st == 200 and b'id="upload-form"' not in body, "viewer sees no upload form")
    vt = csrf_of(srv, viewer)
    body, hh = multipart([("csrf", vt), ("kind", "appointments")], "good.csv", b"a\n1\n")
    st, _, _ = req(srv, "POST", "/datasets/upload", body, hh, cookie=viewer)
    ok(st == 403, f"viewer may not upload ({st})")
    st, _, _ = req(srv, "GET", "/admin/audit", cookie=viewer)
    ok(st == 403, "viewer may not read the audit trail")
    st, _, _ = req(srv, "GET", "/imports/1", cookie=viewer)
    ok(st == 403, "viewer may not see import details")
    st, _, _ = req(srv, "GET", "/api/v1/audit", headers={"Authorization": f"Bearer {vic_token}"})
    ok(st == 403, "viewer token may not read the audit trail")
    st, _, _ = req(srv, "POST", "/api/v1/datasets?kind=appointments", b"a\n1\n",
                   {"Authorization": f"Bearer {vic_token}", "Content-Type": "text/csv"})
    ok(st == 403, "viewer token may not upload")
    st, _, body = req(srv, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {vic_token}"})
    ok(st == 200 and json.loads(body)["role"] == "viewer", "token identifies the viewer")

    # ---- logout ends the session
    tok = csrf_of(srv, viewer)
    b, hh = form({"csrf": tok})
    st, _, _ = req(srv, "POST", "/logout", b, hh, cookie=viewer)
    ok(st == 303, "logout with token")
    st, _, _ = req(srv, "GET", "/datasets", cookie=viewer)
    ok(st == 303, "session gone after logout")

    # ---- login throttling: after 5 failures even the right password is refused
    for i in range(5):
        st, c, _ = login(srv, "vic", f"wrong {i} password")
        ok(st == 401, "failed login")
    st, c, _ = login(srv, "vic", "viewer password 1")
    ok(st == 429 and c is None, f"throttled after repeated failures ({st})")

    # ---- disable: sessions and tokens stop working
    r = run("user", "disable", "vic", "--db", DB)
    ok(r.returncode == 0, "disable viewer")
    st, _, _ = req(srv, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {vic_token}"})
    ok(st == 401, "disabled user's token refused")

    # ---- audit trail: recorded, viewable by admins, append-only
    st, _, body = req(srv, "GET", "/api/v1/audit?limit=1000", headers={"Authorization": f"Bearer {ann_token}"})
    ok(st == 403, "analyst may not read the audit trail")
    st, _, body = req(srv, "GET", "/admin/audit", cookie=admin)
    ok(st == 200 and b'id="audit"' in body, "admin audit page")
    con = sqlite3.connect(DB)
    acts = [r[0] for r in con.execute("SELECT action FROM el_audit")]
    for a in ("login", "login_failed", "login_throttled", "import", "import_done", "import_failed",
              "view_patient_level", "user_add", "token_failed", "export"):
        ok(a in acts, f"audit has {a}")
    row = con.execute("SELECT user, remote, time FROM el_audit WHERE action='import'").fetchone()
    ok(row[0] == "alice" and row[1] == "127.0.0.1" and re.match(r"\d{4}-\d\d-\d\dT", row[2]), "who/where/when")
    for sql in ("UPDATE el_audit SET user='mallory'", "DELETE FROM el_audit"):
        try:
            con.execute(sql)
            con.commit()
            ok(False, f"audit refused: {sql}")
        except sqlite3.DatabaseError as e:
            ok("append-only" in str(e), f"audit append-only: {sql}")
    con.close()

    # ---- graceful shutdown finishes an import in progress
    n2 = api_count(srv, ann_token)
    big_ok = open(os.path.join(T, "big.csv"), "rb").read()
    st, h, body = req(srv, "POST", "/api/v1/datasets?kind=appointments&name=big.csv", big_ok,
                      {"Authorization": f"Bearer {ann_token}", "Content-Type": "text/csv"})
    ok(st == 202, "big upload accepted")
    rc, out = srv.stop()
    ok(rc == 0, f"server exits 0 on SIGTERM ({rc}): {out}")
    con = sqlite3.connect(DB)
    con.close()
    log = [json.loads(l) for l in open(LOG) if l.strip()]
    ok(any(e.get("event") == "stopped" for e in log), "clean shutdown logged")
    reqs = [e for e in log if "status" in e]
    ok(reqs and all(set(["time", "remote", "user", "method", "path", "status", "bytes", "ms"]) <= set(e) for e in reqs),
       "access log lines have every field")
    ok(not any("?" in e["path"] and "token" in e["path"] for e in reqs), "no query strings in the log")
    con = sqlite3.connect(DB)
    acts = [r for r in con.execute("SELECT action, object, detail FROM el_audit WHERE object='big.csv'")]
    con.close()
    ok(any(a[0] == "import_done" for a in acts), f"import in progress finished at shutdown: {acts}")
    srv2 = Server()
    ok(api_count(srv2, ann_token) == n2 + 1, "the finished import is in the store")
    rc, out = srv2.stop()
    ok(rc == 0, "second server stops")
    ok(not spool_files(), "no spool files left")

    # ---- TLS: HTTPS with Secure cookies and HSTS (when openssl is there to make a certificate)
    import shutil
    import ssl
    if shutil.which("openssl"):
        cert, key = os.path.join(T, "cert.pem"), os.path.join(T, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost"], capture_output=True, check=True)
        srv3 = Server("--tls-cert", cert, "--tls-key", key)
        c = http.client.HTTPSConnection("127.0.0.1", srv3.port, timeout=30, context=ssl._create_unverified_context())
        c.request("GET", "/login")
        r = c.getresponse()
        r.read()
        cookies = " ".join(v for k, v in r.getheaders() if k.lower() == "set-cookie")
        ok(r.status == 200 and "Secure" in cookies and "HttpOnly" in cookies, "TLS login page sets Secure cookies")
        ok(r.getheader("Strict-Transport-Security"), "HSTS under TLS")
        c.close()
        rc, out = srv3.stop()
        ok(rc == 0, "TLS server stops")
    print(f"web http: {checks} checks passed")


if __name__ == "__main__":
    main()
