/* web_internal.h — shared by the files in src/web only (owner: web).
 *
 * Pages and the API write into an el_strbuf (strbuf.h); the server hands
 * the text to libmicrohttpd.
 * el_req: one HTTP request as a handler sees it; fields are borrowed from the
 * server and valid for the duration of the handler call.
 * el_resp: what a handler returns; the server owns and frees it. */
#ifndef EQUITYLENS_WEB_INTERNAL_H
#define EQUITYLENS_WEB_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <pthread.h>
#include <jansson.h>
#include "equitylens/auth.h"
#include "equitylens/web.h"
#include "equitylens/strbuf.h"
#include "equitylens/disclosure.h"
#include "equitylens/store.h"

/* Percent-encode s for a URL query value into b. */
void el_sb_url(el_strbuf *b, const char *s);

/* ---- requests and responses ---- */
#define EL_FORM_MAX 32
typedef struct el_kv { char *key; char *val; } el_kv;

typedef struct el_web el_web;   /* the running server (server.c) */

typedef struct el_req {
    el_web *web;
    const el_web_config *cfg;
    el_auth *auth;
    struct MHD_Connection *conn;
    const char *method;      /* "GET", "POST" */
    const char *path;        /* URL path, no query */
    char remote[64];         /* client address */
    int authed;              /* 1 when user is valid */
    int via_token;           /* 1 = bearer token, 0 = session cookie */
    el_user user;
    char sid[EL_AUTH_ID_LEN + 1];   /* session id (cookie), "" if none */
    char csrf[EL_AUTH_ID_LEN + 1];  /* the session's CSRF token */
    int csrf_ok;             /* 1 when a POST carried the right token */
    el_kv form[EL_FORM_MAX]; /* urlencoded / multipart text fields */
    size_t nform;
    /* upload (multipart file field or raw API body), spooled to disk */
    char upload_path[512];   /* "" if none */
    char upload_name[256];   /* client file name (sanitised) */
    uint64_t upload_bytes;
    int tls;
} el_req;

typedef struct el_resp {
    unsigned status;
    const char *ctype;       /* static string */
    char *body; size_t len;  /* owned (malloc) unless body_static */
    int body_static;
    char *hdr_name[8]; char *hdr_val[8]; size_t nhdr;  /* owned */
} el_resp;

el_resp *el_resp_new(unsigned status, const char *ctype, el_strbuf *body); /* takes the text */
el_resp *el_resp_static(unsigned status, const char *ctype, const void *data, size_t len);
el_resp *el_resp_redirect(const char *location);
el_resp *el_resp_json(unsigned status, json_t *j);          /* steals j */
el_resp *el_resp_json_error(unsigned status, const char *code, const char *msg);
void el_resp_header(el_resp *r, const char *name, const char *val);
void el_resp_free(el_resp *r);

/* Query (GET) argument or NULL. */
const char *el_req_arg(const el_req *r, const char *key);
/* Form field or NULL. */
const char *el_req_form(const el_req *r, const char *key);
/* Map a library status to an HTTP status (only src/web does this). */
unsigned el_http_status(el_status s);

/* Record an audit event for this request (who = the user or "-"). */
void el_req_audit(el_req *r, const char *action, const char *object, const char *detail);

/* ---- pages (pages.c) and API (api.c): return NULL for "no such route" ---- */
el_resp *el_pages_route(el_req *r);
el_resp *el_api_route(el_req *r);
/* Routes that take an upload body; 1 if (method, path) is one (server streams it). */
int el_route_is_upload(const char *method, const char *path);
/* Permission needed before a body is read for (method, path); 0 = none. */
unsigned el_route_upload_perm(const char *path);

/* Static files (static.c): NULL if unknown. */
el_resp *el_static_route(el_req *r);
el_status el_static_init(const el_web_config *cfg, el_error *err);
int el_static_have_nhsuk(void);   /* 1 when the nhsuk-frontend CSS was found */
void el_static_free(void);

/* Pages helpers (pages.c). */
el_resp *el_page_forbidden(const el_req *r);
void el_page_fmt_count(el_strbuf *b, uint64_t n);
el_resp *el_rejects_download(el_req *r, int64_t id);
/* The imported datasets of the store at r's db_path, oldest first: *m a new array
 * (free()) of *n entries; on failure *m = NULL, *n = 0 and err says why. */
el_status el_web_datasets(const el_req *r, el_dataset_meta **m, size_t *n, el_error *err);
/* "/imports/12/x" with prefix "/imports/" → 12, *rest = "/x"; 0 if no number. */
int64_t el_path_id(const char *path, const char *prefix, const char **rest);
/* Analysis, quality, trends, missing, board pack pages (pages_analysis.c). */
el_resp *el_pages_analysis_route(el_req *r);
/* API routes under /api/v1/datasets/{id}{rest}; NULL if none. */
el_resp *el_api_analysis_route(el_req *r, int64_t id, const char *rest);

/* Page layout (layout.c). */
void el_page_begin(el_strbuf *b, const el_req *r, const char *title, const char *nav);
void el_page_end(el_strbuf *b, const el_req *r);
/* hidden CSRF input for forms */
void el_page_csrf(el_strbuf *b, const el_req *r);
el_resp *el_page_error(const el_req *r, unsigned status, const char *title, const char *msg);

#include "jobs_internal.h"

/* ---- disclosed results and reference data (cache.c) ---- */
typedef struct el_webcache el_webcache;
typedef struct el_refdata el_refdata;
el_webcache *el_webcache_new(void);
void el_webcache_free(el_webcache *c);
/* Shared read-only reference data (every table), loaded on first use; NULL + err if missing. */
const el_refdata *el_webcache_ref(el_webcache *c, el_error *err);
/* Disclosed analysis result model / data-quality report of a dataset version
 * (new references), or NULL with err set. */
json_t *el_web_analysis(el_web *w, int64_t id, el_error *err);
json_t *el_web_quality(el_web *w, int64_t id, el_error *err);
el_webcache *el_web_cache(el_web *w);

/* Accessors on the server object. */
el_auth *el_web_auth(el_web *w);
const el_disclosure_policy *el_web_policy(el_web *w);
const el_web_config *el_web_cfg(el_web *w);

#endif
