/* api.c — the JSON API (/api/v1/...): same data and role checks as the
 * pages, for scripts with a token (Authorization: Bearer) or a browser
 * session (owner: web). docs/api.md documents every route. */
#include "web_internal.h"

#include <stdlib.h>
#include <string.h>

#include "equitylens/store.h"

static int has_perm(const el_req *r, unsigned p) { return r->authed && (el_role_perms(r->user.role) & p) == p; }

static el_resp *forbidden(void) { return el_resp_json_error(403, "forbidden", "your role does not allow this"); }

static json_t *meta_json(const el_dataset_meta *m)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)m->id, "source",
                          m->source, "kind", el_kind_name(m->kind), "rows_read", (json_int_t)m->rows_read,
                          "rows_accepted", (json_int_t)m->rows_accepted, "rows_rejected", (json_int_t)m->rows_rejected,
                          "bytes", (json_int_t)m->bytes, "sha256", m->sha256, "imported_at", m->imported_at, "mapping",
                          m->mapping);
    if (o) json_object_set_new(o, "imd_edition", m->imd_edition ? json_integer(m->imd_edition) : json_null());
    return o;
}

static el_resp *api_datasets(el_req *r)
{
    el_error err;
    el_error_clear(&err);
    el_dataset_meta *m;
    size_t n;
    if (el_web_datasets(r, &m, &n, &err) != EL_OK) return el_resp_json_error(500, "store", err.msg);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, meta_json(&m[i]));
    free(m);
    return el_resp_json(200, json_pack("{s:o}", "datasets", a));
}

static el_resp *api_dataset(el_req *r, int64_t id)
{
    el_error err;
    el_error_clear(&err);
    el_store *s = el_store_open(r->cfg->db_path, &err);
    if (!s) return el_resp_json_error(500, "store", err.msg);
    el_dataset_meta m;
    el_status st = el_store_get_meta(s, id, &m, &err);
    el_store_close(s);
    if (st != EL_OK) return el_resp_json_error(el_http_status(st), el_status_str(st), err.msg);
    return el_resp_json(200, meta_json(&m));
}

static el_resp *api_upload(el_req *r)
{
    if (!has_perm(r, EL_PERM_IMPORT)) return forbidden();
    if (!r->upload_path[0] || r->upload_bytes == 0) return el_resp_json_error(400, "no_file", "the upload was empty");
    const char *kind = el_req_arg(r, "kind");
    if (!kind) kind = el_req_form(r, "kind");
    const char *mapping = el_req_arg(r, "mapping");
    if (!mapping) mapping = el_req_form(r, "mapping");
    if (kind && *kind && el_kind_by_name(kind) < 0) return el_resp_json_error(400, "kind", "unknown kind");
    el_job_spec sp = {r->upload_path, r->upload_name, kind, mapping, r->user.name, r->remote};
    el_error err;
    el_error_clear(&err);
    char detail[200];
    snprintf(detail, sizeof detail, "%llu bytes via API; kind %s; mapping %s", (unsigned long long)r->upload_bytes,
             kind && *kind ? kind : "-", mapping && *mapping ? mapping : "canonical");
    int64_t id = el_jobs_submit(el_web_jobs(r->web), &sp, &err);
    r->upload_path[0] = 0;
    if (!id) return el_resp_json_error(503, "import", err.msg);
    el_req_audit(r, "import", r->upload_name, detail);
    json_t *j = el_jobs_get(el_web_jobs(r->web), id);
    el_resp *resp = el_resp_json(202, j);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/imports/%lld", (long long)id);
    el_resp_header(resp, "Location", loc);
    return resp;
}

static el_resp *api_import(el_req *r, int64_t id)
{
    if (!has_perm(r, EL_PERM_IMPORT)) return forbidden();
    json_t *j = el_jobs_get(el_web_jobs(r->web), id);
    if (!j) return el_resp_json_error(404, "not_found", "no such import (kept while the server runs)");
    json_t *res = json_object_get(j, "result");
    json_t *ing = json_object_get(res, "ingest");
    if (ing && json_object_get(ing, "first_rejections")) {
        if (has_perm(r, EL_PERM_PATIENT)) {
            char obj[48];
            snprintf(obj, sizeof obj, "import %lld rejections", (long long)id);
            el_req_audit(r, "view_patient_level", obj, "first rejections via API");
        } else {
            json_object_del(ing, "first_rejections");
        }
    }
    return el_resp_json(200, j);
}

static el_resp *api_audit(el_req *r)
{
    if (!has_perm(r, EL_PERM_ADMIN)) return forbidden();
    const char *b = el_req_arg(r, "before"), *l = el_req_arg(r, "limit"), *a = el_req_arg(r, "action");
    long long before = b ? atoll(b) : 0, limit = l ? atoll(l) : 100;
    if (before < 0) before = 0;
    if (limit < 1 || limit > 1000) limit = 100;
    el_error err;
    el_error_clear(&err);
    json_t *ev = el_auth_audit_list(r->auth, (int64_t)before, (size_t)limit, a && *a ? a : NULL, &err);
    if (!ev) return el_resp_json_error(500, "audit", err.msg);
    return el_resp_json(200, json_pack("{s:o}", "events", ev));
}

static el_resp *api_me(el_req *r)
{
    char perms[128];
    el_perms_format(el_role_perms(r->user.role), perms, sizeof perms);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "user", r->user.name, "role", el_role_name(r->user.role),
                          "permissions", perms, "auth", r->via_token ? "token" : "session");
    if (!r->via_token) json_object_set_new(o, "csrf", json_string(r->csrf));
    return el_resp_json(200, o);
}

static el_resp *api_index(void)
{
    return el_resp_json(200, json_pack("{s:s, s:s, s:[s,s,s,s,s,s,s,s,s,s,s,s,s]}", "api", "equitylens/1", "docs",
                                       "docs/api.md", "routes", "GET /api/v1/me", "GET /api/v1/datasets",
                                       "GET /api/v1/datasets/{id}", "POST /api/v1/datasets?kind=&mapping=&name=",
                                       "GET /api/v1/imports/{id}", "GET /api/v1/imports/{id}/rejects.csv", "GET /api/v1/datasets/{id}/quality",
                                       "GET /api/v1/datasets/{id}/analysis?metric=&lens=&stratum=",
                                       "GET /api/v1/datasets/{id}/trends?metric=&lens=",
                                       "GET /api/v1/datasets/{id}/missing",
                                       "GET /api/v1/datasets/{id}/pack.{html,xlsx,pdf}", "GET /api/v1/audit", "GET /api/v1/users"));
}

el_resp *el_api_route(el_req *r)
{
    const char *p = r->path;
    int get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    int post = !strcmp(r->method, "POST");
    if (!strcmp(p, "/api/v1") || !strcmp(p, "/api/v1/")) return api_index();
    if (!strcmp(p, "/api/v1/me") && get) return api_me(r);
    if (!strcmp(p, "/api/v1/datasets")) {
        if (get) return has_perm(r, EL_PERM_VIEW) ? api_datasets(r) : forbidden();
        if (post) return api_upload(r);
    }
    if (!strcmp(p, "/api/v1/audit") && get) return api_audit(r);
    if (!strcmp(p, "/api/v1/users") && get) {
        if (!has_perm(r, EL_PERM_ADMIN)) return forbidden();
        el_error err;
        el_error_clear(&err);
        json_t *u = el_auth_user_list(r->auth, &err);
        if (!u) return el_resp_json_error(500, "users", err.msg);
        return el_resp_json(200, json_pack("{s:o}", "users", u));
    }
    const char *rest = NULL;
    int64_t id = el_path_id(p, "/api/v1/imports/", &rest);
    if (id > 0 && get && !*rest) return api_import(r, id);
    if (id > 0 && get && !strcmp(rest, "/rejects.csv")) {
        if (!has_perm(r, EL_PERM_PATIENT) || !has_perm(r, EL_PERM_IMPORT)) return forbidden();
        return el_rejects_download(r, id);
    }
    id = el_path_id(p, "/api/v1/datasets/", &rest);
    if (id > 0 && get) {
        if (!has_perm(r, EL_PERM_VIEW)) return forbidden();
        if (!*rest) return api_dataset(r, id);
        el_resp *x = el_api_analysis_route(r, id, rest);
        if (x) return x;
    }
    if (get || post) return el_resp_json_error(404, "not_found", "no such API route (see GET /api/v1)");
    return el_resp_json_error(405, "method_not_allowed", "method not allowed");
}
