/* server.c — libmicrohttpd glue: start/stop, per-request state, upload
 * streaming to a spool file, authentication, CSRF, limits, access log,
 * security headers, graceful shutdown (owner: web). */
#include "web_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jobs_internal.h"

struct el_web {
    el_web_config cfg;
    el_auth *auth;
    struct MHD_Daemon *d;
    FILE *log;
    int own_log;
    pthread_mutex_t log_mu;
    el_disclosure_policy dc;
    el_jobs *jobs;
    el_webcache *cache;
    char *tls_cert, *tls_key;
};

el_webcache *el_web_cache(el_web *w) { return w->cache; }

el_auth *el_web_auth(el_web *w) { return w->auth; }
const el_web_config *el_web_cfg(el_web *w) { return &w->cfg; }
const el_disclosure_policy *el_web_policy(el_web *w) { return &w->dc; }
el_jobs *el_web_jobs(el_web *w) { return w->jobs; }

void el_web_config_default(el_web_config *c)
{
    memset(c, 0, sizeof *c);
    c->address = "127.0.0.1";
    c->port = 8080;
    c->db_path = EL_WEB_DEFAULT_DB;
    c->threads = 4;
    c->max_connections = 256;
    c->conn_timeout = 60;
    c->max_upload = 256ull << 20;
    c->max_body = 64u << 10;
    c->session_idle = 1800;
    c->session_max = 43200;
    c->login_max_fail = 5;
    c->login_window = 900;
    c->shutdown_grace = 120;
}

/* ---------------------------------------------------------------- helpers */

void el_sb_url(el_strbuf *b, const char *s)
{
    static const char hexd[] = "0123456789ABCDEF";
    if (!s) return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            el_strbuf_putn(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hexd[c >> 4], hexd[c & 15]};
            el_strbuf_putn(b, e, 3);
        }
    }
}

unsigned el_http_status(el_status s)
{
    switch (s) {
    case EL_OK: return 200;
    case EL_ERR_INVALID: case EL_ERR_PARSE: case EL_ERR_RANGE: return 400;
    case EL_ERR_NOTFOUND: return 404;
    case EL_ERR_EXISTS: return 409;
    case EL_ERR_PERM: return 403;
    case EL_ERR_NOMEM: return 503;
    case EL_ERR_IO: case EL_ERR_DB: case EL_ERR_INTERNAL: return 500;
    }
    return 500;
}

el_resp *el_resp_new(unsigned status, const char *ctype, el_strbuf *body)
{
    el_resp *r = calloc(1, sizeof *r);
    if (!r) { el_strbuf_release(body); return NULL; }
    r->status = status;
    r->ctype = ctype;
    if (body) {
        if (!el_strbuf_ok(body)) { el_strbuf_release(body); free(r); return NULL; }
        r->len = body->len;
        r->body = el_strbuf_take(body);
        if (!r->body) { r->body = strdup(""); r->len = 0; }
    } else {
        r->body = strdup("");
    }
    return r;
}

el_resp *el_resp_static(unsigned status, const char *ctype, const void *data, size_t len)
{
    el_resp *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->status = status;
    r->ctype = ctype;
    r->body = (char *)data;
    r->len = len;
    r->body_static = 1;
    return r;
}

el_resp *el_resp_redirect(const char *location)
{
    el_strbuf b;
    el_strbuf_init(&b);
    el_strbuf_put(&b, "<!doctype html><title>Redirect</title><a href=\"");
    el_strbuf_esc(&b, location);
    el_strbuf_put(&b, "\">Continue</a>\n");
    el_resp *r = el_resp_new(303, "text/html; charset=utf-8", &b);
    if (r) el_resp_header(r, "Location", location);
    return r;
}

el_resp *el_resp_json(unsigned status, json_t *j)
{
    el_resp *r = NULL;
    char *t = j ? json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(j);
    if (!t) return NULL;
    r = calloc(1, sizeof *r);
    if (!r) { free(t); return NULL; }
    r->status = status;
    r->ctype = "application/json";
    size_t n = strlen(t);
    char *t2 = realloc(t, n + 2);
    if (t2) { t = t2; t[n] = '\n'; t[n + 1] = 0; n++; }
    r->body = t;
    r->len = n;
    return r;
}

el_resp *el_resp_json_error(unsigned status, const char *code, const char *msg)
{
    return el_resp_json(status, json_pack("{s:{s:s, s:s, s:i}}", "error", "code", code, "message", msg ? msg : "",
                                          "status", (int)status));
}

void el_resp_header(el_resp *r, const char *name, const char *val)
{
    if (!r || r->nhdr >= sizeof r->hdr_name / sizeof r->hdr_name[0]) return;
    r->hdr_name[r->nhdr] = strdup(name);
    r->hdr_val[r->nhdr] = strdup(val);
    r->nhdr++;
}

void el_resp_free(el_resp *r)
{
    if (!r) return;
    if (!r->body_static) free(r->body);
    for (size_t i = 0; i < r->nhdr; i++) { free(r->hdr_name[i]); free(r->hdr_val[i]); }
    free(r);
}

const char *el_req_arg(const el_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *el_req_form(const el_req *r, const char *key)
{
    for (size_t i = 0; i < r->nform; i++)
        if (!strcmp(r->form[i].key, key)) return r->form[i].val;
    return NULL;
}

void el_req_audit(el_req *r, const char *action, const char *object, const char *detail)
{
    el_auth_audit(r->auth, r->authed ? r->user.name : "-", r->remote, action, object, detail);
}

/* ------------------------------------------------------ per-request state */

typedef struct conn_ctx {
    el_req req;
    struct MHD_PostProcessor *pp;
    int upload_route;        /* route streams a file */
    int raw_body;            /* API upload: the body itself is the file */
    int fd;                  /* spool file or -1 */
    unsigned fail;           /* HTTP status of a failure found while reading the body */
    char fail_msg[200];
    uint64_t body_bytes;
    uint64_t limit;
    struct timespec t0;
    unsigned status;
    uint64_t sent;
    int responded;
    char log_path[256];
} conn_ctx;

static void ctx_fail(conn_ctx *c, unsigned status, const char *msg)
{
    if (c->fail) return;
    c->fail = status;
    snprintf(c->fail_msg, sizeof c->fail_msg, "%s", msg);
}

static void drop_spool(conn_ctx *c)
{
    if (c->fd >= 0) { close(c->fd); c->fd = -1; }
    if (c->req.upload_path[0]) { unlink(c->req.upload_path); c->req.upload_path[0] = 0; }
}

static int spool_open(conn_ctx *c)
{
    const char *dir = c->req.cfg->spool_dir;
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(c->req.upload_path, sizeof c->req.upload_path, "%s/equitylens-upload-XXXXXX", dir);
    c->fd = mkstemp(c->req.upload_path);
    if (c->fd < 0) {
        c->req.upload_path[0] = 0;
        ctx_fail(c, 503, "cannot create a spool file for the upload");
        return -1;
    }
    return 0;
}

static int spool_write(conn_ctx *c, const char *data, size_t n)
{
    if (c->fail) return -1;
    if (c->fd < 0 && spool_open(c) < 0) return -1;
    if (c->req.upload_bytes + n > c->req.cfg->max_upload) {
        ctx_fail(c, 413, "the upload is larger than the server's limit");
        drop_spool(c);
        return -1;
    }
    while (n) {
        ssize_t k = write(c->fd, data, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            ctx_fail(c, 507, "cannot write the upload to disk");
            drop_spool(c);
            return -1;
        }
        data += k;
        n -= (size_t)k;
        c->req.upload_bytes += (uint64_t)k;
    }
    return 0;
}

static int csrf_matches(const char *want, const char *got)
{
    return want && got && want[0] && strlen(want) == strlen(got) &&
           sodium_memcmp(want, got, strlen(want)) == 0;
}

static int add_form(conn_ctx *c, const char *key, const char *data, size_t off, size_t size)
{
    el_req *r = &c->req;
    el_kv *kv = NULL;
    if (off > 0) {
        for (size_t i = r->nform; i-- > 0;)
            if (!strcmp(r->form[i].key, key)) { kv = &r->form[i]; break; }
    }
    if (!kv) {
        if (r->nform >= EL_FORM_MAX) { ctx_fail(c, 413, "too many form fields"); return -1; }
        kv = &r->form[r->nform];
        kv->key = strdup(key);
        kv->val = strdup("");
        if (!kv->key || !kv->val) { free(kv->key); free(kv->val); kv->key = kv->val = NULL; ctx_fail(c, 503, "out of memory"); return -1; }
        r->nform++;
    }
    size_t old = strlen(kv->val);
    if (old + size > 8192) { ctx_fail(c, 413, "form field too long"); return -1; }
    char *v = realloc(kv->val, old + size + 1);
    if (!v) { ctx_fail(c, 503, "out of memory"); return -1; }
    memcpy(v + old, data, size);
    v[old + size] = 0;
    /* a NUL inside a field would hide the rest of it: refuse */
    if (memchr(data, 0, size)) { kv->val = v; ctx_fail(c, 400, "NUL byte in a form field"); return -1; }
    kv->val = v;
    return 0;
}

static void sanitise_filename(const char *in, char *out, size_t cap)
{
    const char *base = in;
    for (const char *p = in; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = 0;
    for (const char *p = base; *p && n + 1 < cap; p++) {
        unsigned char ch = (unsigned char)*p;
        out[n++] = (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '<' && ch != '>' && ch != '&') ? (char)ch : '_';
    }
    out[n] = 0;
    if (!n) snprintf(out, cap, "upload.csv");
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                 const char *content_type, const char *transfer_encoding, const char *data,
                                 uint64_t off, size_t size)
{
    (void)kind; (void)content_type; (void)transfer_encoding;
    conn_ctx *c = cls;
    if (c->fail || !key) return c->fail ? MHD_NO : MHD_YES;
    if (filename && c->upload_route && !strcmp(key, "file")) {
        /* the CSRF token must precede the file in the form (it does in ours) */
        if (!c->req.via_token && !c->req.csrf_ok) {
            if (!csrf_matches(c->req.csrf, el_req_form(&c->req, "csrf"))) {
                ctx_fail(c, 403, "missing or wrong CSRF token");
                return MHD_NO;
            }
            c->req.csrf_ok = 1;
        }
        if (!c->req.upload_name[0]) sanitise_filename(filename, c->req.upload_name, sizeof c->req.upload_name);
        if (size && spool_write(c, data, size) < 0) return MHD_NO;
        if (!size && c->fd < 0 && spool_open(c) < 0) return MHD_NO;
        return MHD_YES;
    }
    if (filename) { ctx_fail(c, 400, "unexpected file field"); return MHD_NO; }
    return add_form(c, key, data, (size_t)off, size) == 0 ? MHD_YES : MHD_NO;
}

/* ------------------------------------------------------------ access log */

static void access_log(el_web *w, conn_ctx *c, const char *error)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - c->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - c->t0.tv_nsec) / 1e6;
    time_t now = time(NULL);
    struct tm tm;
    char iso[32];
    gmtime_r(&now, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:f}", "time", iso, "remote", c->req.remote, "user",
                          c->req.authed ? c->req.user.name : "-", "method", c->req.method ? c->req.method : "?",
                          "path", c->log_path, "status", (int)c->status, "bytes", (json_int_t)c->sent, "ms",
                          (double)((long long)(ms * 1000.0 + 0.5)) / 1000.0);
    if (!o) return;
    if (error) json_object_set_new(o, "error", json_string(error));
    char *line = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    json_decref(o);
    if (!line) return;
    pthread_mutex_lock(&w->log_mu);
    fprintf(w->log, "%s\n", line);
    fflush(w->log);
    pthread_mutex_unlock(&w->log_mu);
    free(line);
}

/* Path for the log: printable ASCII only, at most 200 bytes, no query. */
static void log_path_of(const char *url, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = url; *p && *p != '?' && n + 1 < cap && n < 200; p++) {
        unsigned char ch = (unsigned char)*p;
        out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    out[n] = 0;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    el_web *w = cls;
    conn_ctx *c = *con_cls;
    if (!c) return;
    const char *err = NULL;
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: break;
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: err = "client closed the connection"; break;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: err = "timeout"; break;
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: err = "server shutting down"; break;
    case MHD_REQUEST_TERMINATED_READ_ERROR: err = "read error"; break;
    default: err = "connection error"; break;
    }
    if (!c->responded && !c->status) c->status = 0;
    access_log(w, c, err);
    if (c->pp) MHD_destroy_post_processor(c->pp);
    drop_spool(c);   /* an upload not handed to an import job is discarded */
    for (size_t i = 0; i < c->req.nform; i++) { free(c->req.form[i].key); free(c->req.form[i].val); }
    free(c);
    *con_cls = NULL;
}

/* ------------------------------------------------------------- responses */

static enum MHD_Result send_resp(el_web *w, conn_ctx *c, el_resp *r)
{
    if (!r) r = el_resp_json_error(500, "internal", "out of memory");
    if (!r) return MHD_NO;
    struct MHD_Response *m;
    if (r->body_static)
        m = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_PERSISTENT);
    else {
        m = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (m) r->body = NULL;   /* MHD frees it */
    }
    if (!m) { el_resp_free(r); return MHD_NO; }
    MHD_add_response_header(m, "Content-Type", r->ctype ? r->ctype : "text/plain; charset=utf-8");
    MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(m, "X-Frame-Options", "DENY");
    MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(m, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                            "script-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'");
    if (w->cfg.tls_cert) MHD_add_response_header(m, "Strict-Transport-Security", "max-age=31536000");
    int has_cache = 0;
    for (size_t i = 0; i < r->nhdr; i++) {
        MHD_add_response_header(m, r->hdr_name[i], r->hdr_val[i]);
        if (!strcasecmp(r->hdr_name[i], "Cache-Control")) has_cache = 1;
    }
    if (!has_cache) MHD_add_response_header(m, "Cache-Control", "no-store");
    c->status = r->status;
    c->sent = r->len;
    c->responded = 1;
    enum MHD_Result ret = MHD_queue_response(c->req.conn, r->status, m);
    MHD_destroy_response(m);
    el_resp_free(r);
    return ret;
}

static int is_api(const char *path) { return !strncmp(path, "/api/", 5); }

static el_resp *error_for(conn_ctx *c, unsigned status, const char *code, const char *msg)
{
    if (is_api(c->req.path)) return el_resp_json_error(status, code, msg);
    return el_page_error(&c->req, status, code, msg);
}

/* Routes reachable without logging in. */
static int public_route(const char *method, const char *path)
{
    if (!strcmp(path, "/login")) return 1;
    if (!strncmp(path, "/static/", 8) || !strncmp(path, "/assets/", 8)) return 1;
    if (!strcmp(path, "/healthz") || !strcmp(path, "/favicon.ico")) return 1;
    (void)method;
    return 0;
}

static void authenticate(el_web *w, conn_ctx *c)
{
    el_req *r = &c->req;
    const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    if (authz && !strncasecmp(authz, "Bearer ", 7)) {
        if (el_auth_token_check(w->auth, authz + 7, &r->user, NULL) == EL_OK) {
            r->authed = 1;
            r->via_token = 1;
        } else {
            el_auth_audit(w->auth, "-", r->remote, "token_failed", r->path, NULL);
            ctx_fail(c, 401, "unknown or revoked API token");
        }
        return;
    }
    const char *sid = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "el_sid");
    if (sid && el_auth_session_get(w->auth, sid, w->cfg.session_idle, w->cfg.session_max, &r->user, r->csrf,
                                   NULL) == EL_OK) {
        r->authed = 1;
        snprintf(r->sid, sizeof r->sid, "%s", sid);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    el_web *w = cls;
    conn_ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        *con_cls = c;
        c->fd = -1;
        clock_gettime(CLOCK_MONOTONIC, &c->t0);
        el_req *r = &c->req;
        r->web = w;
        r->cfg = &w->cfg;
        r->auth = w->auth;
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->tls = w->cfg.tls_cert != NULL;
        log_path_of(url, c->log_path, sizeof c->log_path);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(r->remote, sizeof r->remote, "?");
        if (ci && ci->client_addr) {
            if (ci->client_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, r->remote,
                          sizeof r->remote);
            else if (ci->client_addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
                          r->remote, sizeof r->remote);
        }
        if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST"))
            return send_resp(w, c, error_for(c, 405, "method_not_allowed", "only GET and POST are served"));
        authenticate(w, c);
        if (c->fail) return send_resp(w, c, error_for(c, c->fail, "unauthorised", c->fail_msg));
        int is_post = !strcmp(method, "POST");
        c->upload_route = is_post && el_route_is_upload(method, url);
        c->limit = c->upload_route ? w->cfg.max_upload + 65536 : w->cfg.max_body;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > c->limit)
                return send_resp(w, c, error_for(c, 413, "too_large",
                                                 c->upload_route ? "the upload is larger than the server's limit"
                                                                 : "request body too large"));
        }
        if (is_post && !public_route(method, url)) {
            if (!r->authed) return send_resp(w, c, error_for(c, 401, "unauthorised", "log in first"));
            if (c->upload_route) {
                unsigned need = el_route_upload_perm(url);
                if ((el_role_perms(r->user.role) & need) != need) {
                    r->csrf_ok = 0;
                    return send_resp(w, c, error_for(c, 403, "forbidden", "your role may not import data"));
                }
            }
        }
        if (is_post) {
            const char *hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
            if (r->authed && !r->via_token && csrf_matches(r->csrf, hdr)) r->csrf_ok = 1;
            const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
            int form = ct && (!strncasecmp(ct, "multipart/form-data", 19) ||
                              !strncasecmp(ct, "application/x-www-form-urlencoded", 33));
            if (form) {
                c->pp = MHD_create_post_processor(conn, 65536, post_iter, c);
                if (!c->pp) return send_resp(w, c, error_for(c, 400, "bad_request", "malformed form encoding"));
            } else if (c->upload_route && is_api(url)) {
                c->raw_body = 1;
                snprintf(r->upload_name, sizeof r->upload_name, "%s",
                         el_req_arg(r, "name") ? el_req_arg(r, "name") : "upload.csv");
                char tmp[256];
                sanitise_filename(r->upload_name, tmp, sizeof tmp);
                snprintf(r->upload_name, sizeof r->upload_name, "%s", tmp);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        c->body_bytes += n;
        if (c->body_bytes > c->limit) {
            /* no Content-Length (chunked) and over the limit: stop reading */
            ctx_fail(c, 413, "request body too large");
            drop_spool(c);
            return MHD_NO;
        }
        if (c->fail) return MHD_YES;   /* discard the rest, answer at the end */
        if (c->pp) {
            if (MHD_post_process(c->pp, upload_data, n) != MHD_YES) {
                ctx_fail(c, 400, "malformed form data");
                drop_spool(c);
            }
        } else if (c->raw_body) {
            spool_write(c, upload_data, n);
        }
        return MHD_YES;
    }
    if (c->responded) return MHD_YES;
    /* request complete */
    if (c->pp) {
        MHD_destroy_post_processor(c->pp);
        c->pp = NULL;
    }
    if (c->fd >= 0) {
        if (close(c->fd) != 0) ctx_fail(c, 507, "cannot write the upload to disk");
        c->fd = -1;
    }
    if (c->raw_body && !c->fail && !c->req.upload_path[0] && spool_open(c) == 0) {
        close(c->fd);   /* an empty body: an empty file the import will reject */
        c->fd = -1;
    }
    if (c->fail) {
        drop_spool(c);
        return send_resp(w, c, error_for(c, c->fail, c->fail == 403 ? "csrf" : "bad_request", c->fail_msg));
    }
    el_req *r = &c->req;
    /* CSRF: every state-changing request from a browser session carries the token */
    if (!strcmp(method, "POST") && !r->via_token && strcmp(url, "/login")) {
        if (!r->csrf_ok && !csrf_matches(r->csrf, el_req_form(r, "csrf")))
            return send_resp(w, c, error_for(c, 403, "csrf", "missing or wrong CSRF token: reload the page and try again"));
        r->csrf_ok = 1;
    }
    el_resp *resp = el_static_route(r);
    if (!resp && !public_route(method, url) && !r->authed) {
        if (is_api(url)) resp = el_resp_json_error(401, "unauthorised", "log in or send an API token");
        else {
            el_strbuf b;
            el_strbuf_init(&b);
            el_strbuf_put(&b, "/login?next=");
            el_sb_url(&b, url);
            resp = el_resp_redirect(el_strbuf_str(&b));
            el_strbuf_release(&b);
        }
    }
    if (!resp && is_api(url)) resp = el_api_route(r);
    if (!resp && !is_api(url)) resp = el_pages_route(r);
    if (!resp) resp = error_for(c, 404, "not_found", "no such page");
    return send_resp(w, c, resp);
}

/* ----------------------------------------------------------- start / stop */

static void server_event(el_web *w, const char *event, const char *detail)
{
    json_t *o = json_pack("{s:s, s:s}", "event", event, "message", detail ? detail : "");
    char *line = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (!line) return;
    pthread_mutex_lock(&w->log_mu);
    fprintf(w->log, "%s\n", line);
    fflush(w->log);
    pthread_mutex_unlock(&w->log_mu);
    free(line);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    el_web *w = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\r\n")] = 0;
    server_event(w, "server", msg);
}

static char *slurp(const char *path, el_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) { el_error_set(err, EL_ERR_IO, "%s: %s", path, strerror(errno)); return NULL; }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, 4096, f);
        len += k;
        if (k < 4096) break;
        if (len > (1u << 20)) break;
    }
    fclose(f);
    buf[len] = 0;
    return buf;
}

el_status el_web_serve(const el_web_config *cfg, el_error *err)
{
    el_web *w = calloc(1, sizeof *w);
    if (!w) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    el_status s = EL_OK;
    w->cfg = *cfg;
    pthread_mutex_init(&w->log_mu, NULL);
    w->log = stderr;
    el_disclosure_policy_default(&w->dc);
    if (cfg->disclosure && (s = el_disclosure_policy_parse(&w->dc, cfg->disclosure, err)) != EL_OK) goto out;
    if (cfg->access_log && strcmp(cfg->access_log, "-")) {
        w->log = fopen(cfg->access_log, "a");
        if (!w->log) {
            w->log = stderr;
            s = el_error_set(err, EL_ERR_IO, "%s: cannot open access log: %s", cfg->access_log, strerror(errno));
            goto out;
        }
        w->own_log = 1;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        s = el_error_set(err, EL_ERR_INVALID, "--tls-cert and --tls-key go together");
        goto out;
    }
    if (cfg->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            s = el_error_set(err, EL_ERR_INVALID, "this libmicrohttpd was built without TLS");
            goto out;
        }
        if (!(w->tls_cert = slurp(cfg->tls_cert, err)) || !(w->tls_key = slurp(cfg->tls_key, err))) {
            s = err ? err->status : EL_ERR_IO;
            goto out;
        }
    }
    w->auth = el_auth_open(cfg->db_path, err);
    if (!w->auth) { s = err ? err->status : EL_ERR_DB; goto out; }
    if ((s = el_static_init(cfg, err)) != EL_OK) goto out;
    w->cache = el_webcache_new();
    if (!w->cache) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    w->jobs = el_jobs_new(w, err);
    if (!w->jobs) { s = err ? err->status : EL_ERR_INTERNAL; goto out; }

    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, cfg->address, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)cfg->port);
        sa = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, cfg->address, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)cfg->port);
        sa = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        s = el_error_set(err, EL_ERR_INVALID, "--address '%s' is not an IPv4 or IPv6 address", cfg->address);
        goto out;
    }
    if (cfg->tls_cert) flags |= MHD_USE_TLS;
#ifdef MHD_USE_EPOLL
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES) flags |= MHD_USE_EPOLL;
#endif

    /* SIGTERM/SIGINT are taken by sigwait() below; every thread started from
     * here on inherits the blocked mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    el_jobs_start_worker(w->jobs);

    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_key},
        {MHD_OPTION_END, 0, NULL}};
    w->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
                            MHD_OPTION_SOCK_ADDR, sa,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(cfg->threads ? cfg->threads : 1),
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->conn_timeout,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, w,
                            MHD_OPTION_ARRAY, cfg->tls_cert ? tls_opts : &tls_opts[2],
                            MHD_OPTION_END);
    if (!w->d) {
        s = el_error_set(err, EL_ERR_IO, "cannot listen on %s port %u (in use, or not allowed)", cfg->address,
                         cfg->port);
        el_jobs_stop(w->jobs, 0);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : cfg->port;
    char msg[300];
    snprintf(msg, sizeof msg, "listening on %s://%s%s%s:%u/ (store %s)", cfg->tls_cert ? "https" : "http",
             strchr(cfg->address, ':') ? "[" : "", cfg->address, strchr(cfg->address, ':') ? "]" : "", port,
             cfg->db_path);
    server_event(w, "start", msg);
    if (w->own_log) fprintf(stderr, "equitylens serve: %s\n", msg);
    if (el_auth_user_count(w->auth) == 0)
        server_event(w, "warning", "no accounts yet: create the first admin with 'equitylens user add NAME --role admin'");
    if (cfg->port_file) {
        FILE *pf = fopen(cfg->port_file, "w");
        if (pf) { fprintf(pf, "%u\n", port); fclose(pf); }
    }

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0) {}
    snprintf(msg, sizeof msg, "signal %d: no new connections; waiting for %zu import job(s)", sig,
             el_jobs_active(w->jobs));
    server_event(w, "shutdown", msg);
    MHD_socket ls = MHD_quiesce_daemon(w->d);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    el_jobs_stop(w->jobs, cfg->shutdown_grace);
    MHD_stop_daemon(w->d);
    w->d = NULL;
    server_event(w, "stopped", "clean shutdown");
out:
    el_jobs_free(w->jobs);
    el_webcache_free(w->cache);
    el_static_free();
    el_auth_close(w->auth);
    if (w->own_log) fclose(w->log);
    pthread_mutex_destroy(&w->log_mu);
    free(w->tls_cert);
    free(w->tls_key);
    free(w);
    return s;
}
