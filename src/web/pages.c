/* pages.c — server-rendered pages: log in/out, datasets and upload, import
 * results with rejections, admin audit trail and accounts; routes the
 * analysis and report pages (pages_analysis.c) (owner: web). */
#include "web_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <microhttpd.h>

#include "equitylens/store.h"

#define HTML "text/html; charset=utf-8"

static int has_perm(const el_req *r, unsigned p) { return r->authed && (el_role_perms(r->user.role) & p) == p; }

el_resp *el_page_forbidden(const el_req *r)
{
    return el_page_error(r, 403, "forbidden",
                         "Your role does not allow this page. Ask an administrator if you need access.");
}

/* ------------------------------------------------------------------ login */

static int safe_next(const char *n)
{
    /* local absolute path only: no scheme, no "//host", no backslashes */
    return n && n[0] == '/' && n[1] != '/' && n[1] != '\\' && !strchr(n, '\\') && strlen(n) < 512;
}

static el_resp *login_form(el_req *r, unsigned status, const char *error, const char *next)
{
    /* the pre-session token (double-submit cookie): reuse the browser's one
     * so that two tabs, or a stray request that lands here, do not break the form */
    char pre[EL_AUTH_ID_LEN + 1];
    const char *have = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "el_pre");
    int reuse = have && strlen(have) == EL_AUTH_ID_LEN;
    for (size_t i = 0; reuse && i < EL_AUTH_ID_LEN; i++)
        if (!((have[i] >= '0' && have[i] <= '9') || (have[i] >= 'a' && have[i] <= 'f'))) reuse = 0;
    if (reuse) {
        snprintf(pre, sizeof pre, "%s", have);
    } else {
        unsigned char rnd[EL_AUTH_ID_LEN / 2];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(pre, sizeof pre, rnd, sizeof rnd);
    }
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Log in", NULL);
    el_strbuf_put(&b, "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n");
    if (error) {
        el_strbuf_put(&b, "<div class=\"nhsuk-error-summary\" role=\"alert\" tabindex=\"-1\">"
                          "<h2 class=\"nhsuk-error-summary__title\">There is a problem</h2>"
                          "<div class=\"nhsuk-error-summary__body\"><p id=\"el-error\">");
        el_strbuf_esc(&b, error);
        el_strbuf_put(&b, "</p></div></div>\n");
    }
    el_strbuf_put(&b, "<h1>Log in to equitylens</h1>\n<form method=\"post\" action=\"/login\" novalidate>\n"
                      "<input type=\"hidden\" name=\"csrf\" value=\"");
    el_strbuf_put(&b, pre);
    el_strbuf_put(&b, "\">\n<input type=\"hidden\" name=\"next\" value=\"");
    el_strbuf_esc(&b, safe_next(next) ? next : "/");
    el_strbuf_put(&b, "\">\n<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"username\">User name</label>"
                      "<input class=\"nhsuk-input nhsuk-u-width-two-thirds\" id=\"username\" name=\"username\" type=\"text\" "
                      "autocomplete=\"username\" spellcheck=\"false\"></div>\n"
                      "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"password\">Password</label>"
                      "<input class=\"nhsuk-input nhsuk-u-width-two-thirds\" id=\"password\" name=\"password\" "
                      "type=\"password\" autocomplete=\"current-password\"></div>\n"
                      "<button class=\"nhsuk-button\" type=\"submit\" id=\"login\">Log in</button>\n</form>\n"
                      "<p class=\"nhsuk-body-s\">Accounts are made by an administrator with "
                      "<code>equitylens user add</code>. Sessions end after a period of inactivity.</p>\n"
                      "</div></div>\n");
    el_page_end(&b, r);
    el_resp *resp = el_resp_new(status, HTML, &b);
    char cookie[200];
    snprintf(cookie, sizeof cookie, "el_pre=%s; Path=/login; HttpOnly; SameSite=Strict%s", pre,
             r->tls ? "; Secure" : "");
    el_resp_header(resp, "Set-Cookie", cookie);
    return resp;
}

static el_resp *login_post(el_req *r)
{
    const char *pre = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "el_pre");
    const char *tok = el_req_form(r, "csrf");
    const char *next = el_req_form(r, "next");
    if (!pre || !tok || strlen(pre) != EL_AUTH_ID_LEN || strlen(tok) != EL_AUTH_ID_LEN ||
        sodium_memcmp(pre, tok, EL_AUTH_ID_LEN) != 0)
        return login_form(r, 403, "Your session on this page expired or the form was not ours: try again.", next);
    el_throttle t = {r->cfg->login_max_fail, r->cfg->login_window};
    el_user u;
    el_login_result res;
    el_error err;
    el_error_clear(&err);
    if (el_auth_login(r->auth, el_req_form(r, "username"), el_req_form(r, "password"), r->remote, &t, &u, &res,
                      &err) != EL_OK)
        return el_page_error(r, 500, "login", err.msg);
    if (res == EL_LOGIN_THROTTLED)
        return login_form(r, 429, "Too many failed attempts. Wait 15 minutes and try again, or ask an administrator.", next);
    if (res != EL_LOGIN_OK)
        return login_form(r, 401, "The user name or password is not right (or the account is disabled).", next);
    char sid[EL_AUTH_ID_LEN + 1], csrf[EL_AUTH_ID_LEN + 1];
    if (el_auth_session_new(r->auth, u.id, r->remote, sid, csrf, &err) != EL_OK)
        return el_page_error(r, 500, "session", err.msg);
    el_resp *resp = el_resp_redirect(safe_next(next) && strcmp(next, "/login") ? next : "/");
    char cookie[240];
    snprintf(cookie, sizeof cookie, "el_sid=%s; Path=/; HttpOnly; SameSite=Strict%s", sid, r->tls ? "; Secure" : "");
    el_resp_header(resp, "Set-Cookie", cookie);
    el_resp_header(resp, "Set-Cookie", "el_pre=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
    sodium_memzero(sid, sizeof sid);
    return resp;
}

static el_resp *logout_post(el_req *r)
{
    if (r->sid[0]) el_auth_session_end(r->auth, r->sid);
    el_req_audit(r, "logout", NULL, NULL);
    el_resp *resp = el_resp_redirect("/login");
    el_resp_header(resp, "Set-Cookie", "el_sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    return resp;
}

/* --------------------------------------------------------------- datasets */

void el_page_fmt_count(el_strbuf *b, uint64_t n)
{
    char d[32], o[48];
    snprintf(d, sizeof d, "%llu", (unsigned long long)n);
    size_t len = strlen(d), k = 0;
    for (size_t i = 0; i < len; i++) {
        o[k++] = d[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len) o[k++] = ',';
    }
    o[k] = 0;
    el_strbuf_put(b, o);
}

/* Names of mappings in the usual directories (for the upload form). */
static void mapping_options(el_strbuf *b)
{
    const char *dirs[3] = {getenv("EQUITYLENS_MAPPINGS"), "mappings", NULL};
    char exe[900], exedir[1000];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *s = strrchr(exe, '/');
        if (s) { *s = 0; snprintf(exedir, sizeof exedir, "%s/../mappings", exe); dirs[2] = exedir; }
    }
    char seen[64][64];
    size_t nseen = 0;
    el_strbuf_put(b, "<option value=\"canonical\" selected>canonical (columns named as the canonical fields)</option>");
    for (int i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i]) continue;
        DIR *d = opendir(dirs[i]);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d)) && nseen < 64) {
            size_t n = strlen(e->d_name);
            if (n < 5 || n > 60 || strcmp(e->d_name + n - 4, ".map") || e->d_name[0] == '.') continue;
            if (!strncmp(e->d_name, "canonical-", 10)) continue;
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
            int dup = 0;
            for (size_t q = 0; q < nseen; q++) if (!strcmp(seen[q], name)) dup = 1;
            if (dup) continue;
            snprintf(seen[nseen++], sizeof seen[0], "%s", name);
        }
        closedir(d);
    }
    for (size_t q = 0; q < nseen; q++) {
        el_strbuf_put(b, "<option value=\"");
        el_strbuf_esc(b, seen[q]);
        el_strbuf_put(b, "\">");
        el_strbuf_esc(b, seen[q]);
        el_strbuf_put(b, "</option>");
    }
}

el_status el_web_datasets(const el_req *r, el_dataset_meta **m, size_t *n, el_error *err)
{
    *m = NULL;
    *n = 0;
    el_store *s = el_store_open(r->cfg->db_path, err);
    if (!s) return err && err->status != EL_OK ? err->status : EL_ERR_IO;
    el_status st = el_store_list(s, m, n, err);
    el_store_close(s);
    return st;
}

static el_resp *datasets_page(el_req *r)
{
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Datasets", "datasets");
    el_strbuf_put(&b, "<h1>Datasets</h1>\n");
    el_error err;
    el_error_clear(&err);
    el_dataset_meta *m;
    size_t n;
    if (el_web_datasets(r, &m, &n, &err) != EL_OK) {
        el_strbuf_put(&b, "<div class=\"nhsuk-warning-callout\"><h3 class=\"nhsuk-warning-callout__label\">"
                          "The store could not be read</h3><p>");
        el_strbuf_esc(&b, err.msg);
        el_strbuf_put(&b, "</p></div>\n");
    } else if (n == 0) {
        el_strbuf_put(&b, "<p id=\"no-datasets\">No extracts have been imported yet.</p>\n");
    } else {
        el_strbuf_put(&b, "<table class=\"nhsuk-table\" id=\"datasets\"><caption class=\"nhsuk-table__caption\">"
                          "Imported dataset versions, newest first</caption><thead class=\"nhsuk-table__head\"><tr>"
                          "<th scope=\"col\">ID</th><th scope=\"col\">Source</th><th scope=\"col\">Kind</th>"
                          "<th scope=\"col\">Imported (UTC)</th><th scope=\"col\" class=\"el-num\">Rows accepted</th>"
                          "<th scope=\"col\" class=\"el-num\">Rows rejected</th><th scope=\"col\">Look at</th>"
                          "</tr></thead><tbody class=\"nhsuk-table__body\">\n");
        for (size_t i = n; i-- > 0;) {
            el_strbuf_printf(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%lld</td>"
                                 "<td class=\"nhsuk-table__cell\">", (long long)m[i].id);
            el_strbuf_esc(&b, m[i].source);
            el_strbuf_printf(&b, "</td><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">",
                             el_kind_name(m[i].kind));
            el_strbuf_esc(&b, m[i].imported_at);
            /* counts of rows of a whole extract are not an aggregate about people
             * in a group, but round them like any other count leaving the system */
            el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
            el_page_fmt_count(&b, m[i].rows_accepted);
            el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
            el_page_fmt_count(&b, m[i].rows_rejected);
            el_strbuf_printf(&b, "</td><td class=\"nhsuk-table__cell\"><a href=\"/quality?dataset=%lld\">quality</a> · "
                                 "<a href=\"/explore?dataset=%lld\">explore</a></td></tr>\n",
                             (long long)m[i].id, (long long)m[i].id);
        }
        el_strbuf_put(&b, "</tbody></table>\n");
    }
    free(m);

    if (has_perm(r, EL_PERM_IMPORT)) {
        el_strbuf_put(&b, "<h2 id=\"upload\">Upload an extract</h2>\n"
                          "<p>A CSV extract (RFC 4180, UTF-8). Rows that cannot be read are rejected with a reason, "
                          "never dropped; NHS numbers are replaced by a keyed hash at import.</p>\n"
                          "<form id=\"upload-form\" method=\"post\" action=\"/datasets/upload\" enctype=\"multipart/form-data\">\n");
        el_page_csrf(&b, r);
        el_strbuf_put(&b, "\n<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"kind\">Kind of extract</label>"
                          "<select class=\"nhsuk-select\" id=\"kind\" name=\"kind\">"
                          "<option value=\"appointments\">Outpatient appointments</option>"
                          "<option value=\"waiting_list\">Waiting list</option>"
                          "<option value=\"cancer_pathways\">Cancer pathways</option></select></div>\n"
                          "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"mapping\">Layout (mapping)</label>"
                          "<div class=\"nhsuk-hint\" id=\"mapping-hint\">How the extract's columns and codes map to the "
                          "canonical fields (docs/data-formats.md)</div><select class=\"nhsuk-select\" id=\"mapping\" "
                          "name=\"mapping\" aria-describedby=\"mapping-hint\">");
        mapping_options(&b);
        el_strbuf_put(&b, "</select></div>\n<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"file\">"
                          "Extract file</label>");
        el_strbuf_printf(&b, "<div class=\"nhsuk-hint\" id=\"file-hint\">At most %llu MiB</div>",
                         (unsigned long long)(r->cfg->max_upload >> 20));
        el_strbuf_put(&b, "<input class=\"nhsuk-file-upload\" id=\"file\" name=\"file\" type=\"file\" accept=\".csv,text/csv\" "
                          "aria-describedby=\"file-hint\"></div>\n"
                          "<progress id=\"upload-progress\" value=\"0\" max=\"100\" hidden></progress>"
                          "<p id=\"upload-progress-text\" aria-live=\"polite\"></p>\n"
                          "<button class=\"nhsuk-button\" type=\"submit\" id=\"upload-button\">Upload and import</button>\n"
                          "</form>\n<script src=\"/static/upload.js\"></script>\n");
        json_t *jobs = el_jobs_list(el_web_jobs(r->web));
        if (json_array_size(jobs)) {
            el_strbuf_put(&b, "<h2>Recent imports (since the server started)</h2><table class=\"nhsuk-table\" id=\"jobs\">"
                              "<thead class=\"nhsuk-table__head\"><tr><th scope=\"col\">Import</th><th scope=\"col\">File</th>"
                              "<th scope=\"col\">By</th><th scope=\"col\">State</th><th scope=\"col\">Message</th></tr></thead>"
                              "<tbody class=\"nhsuk-table__body\">\n");
            size_t i;
            json_t *j;
            json_array_foreach(jobs, i, j) {
                long long id = (long long)json_integer_value(json_object_get(j, "id"));
                el_strbuf_printf(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a href=\"/imports/%lld\">%lld</a></td>"
                                     "<td class=\"nhsuk-table__cell\">", id, id);
                el_strbuf_esc(&b, json_string_value(json_object_get(j, "name")));
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, json_string_value(json_object_get(j, "user")));
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, json_string_value(json_object_get(j, "state")));
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, json_string_value(json_object_get(j, "message")));
                el_strbuf_put(&b, "</td></tr>\n");
            }
            el_strbuf_put(&b, "</tbody></table>\n");
        }
        json_decref(jobs);
    }
    el_page_end(&b, r);
    return el_resp_new(200, HTML, &b);
}

static el_resp *upload_post(el_req *r)
{
    if (!has_perm(r, EL_PERM_IMPORT)) return el_page_forbidden(r);
    if (!r->upload_path[0] || r->upload_bytes == 0)
        return el_page_error(r, 400, "no_file", "Choose a CSV file to upload: the upload was empty.");
    const char *kind = el_req_form(r, "kind");
    const char *mapping = el_req_form(r, "mapping");
    if (kind && *kind && el_kind_by_name(kind) < 0) return el_page_error(r, 400, "kind", "Unknown kind of extract.");
    el_job_spec sp = {r->upload_path, r->upload_name, kind, mapping, r->user.name, r->remote};
    char detail[200];
    snprintf(detail, sizeof detail, "%llu bytes; kind %s; mapping %s", (unsigned long long)r->upload_bytes,
             kind && *kind ? kind : "-", mapping && *mapping ? mapping : "canonical");
    el_error err;
    el_error_clear(&err);
    int64_t id = el_jobs_submit(el_web_jobs(r->web), &sp, &err);
    r->upload_path[0] = 0;   /* the job owns (or has deleted) the file */
    if (!id) return el_page_error(r, 503, "import", err.msg);
    el_req_audit(r, "import", r->upload_name, detail);
    char loc[64];
    snprintf(loc, sizeof loc, "/imports/%lld", (long long)id);
    return el_resp_redirect(loc);
}

static void summary_row(el_strbuf *b, const char *key, const char *id, const char *val)
{
    el_strbuf_put(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    el_strbuf_esc(b, key);
    el_strbuf_printf(b, "</dt><dd class=\"nhsuk-summary-list__value\" id=\"%s\">", id);
    el_strbuf_esc(b, val);
    el_strbuf_put(b, "</dd></div>\n");
}

static void summary_count(el_strbuf *b, const char *key, const char *id, json_t *v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    summary_row(b, key, id, json_is_integer(v) ? buf : "–");
}

static el_resp *import_page(el_req *r, int64_t id)
{
    if (!has_perm(r, EL_PERM_IMPORT)) return el_page_forbidden(r);
    json_t *j = el_jobs_get(el_web_jobs(r->web), id);
    if (!j) return el_page_error(r, 404, "not_found", "No such import (import results are kept while the server runs).");
    const char *state = json_string_value(json_object_get(j, "state"));
    int running = !strcmp(state, "queued") || !strcmp(state, "running");
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Import result", "datasets");
    if (running) {
        /* progress without JavaScript: the page refreshes itself */
        el_strbuf_put(&b, "<meta http-equiv=\"refresh\" content=\"1\">\n");
    }
    el_strbuf_printf(&b, "<span class=\"nhsuk-caption-l\">Import %lld</span><h1>", (long long)id);
    el_strbuf_esc(&b, json_string_value(json_object_get(j, "name")));
    el_strbuf_put(&b, "</h1>\n");
    json_t *res = json_object_get(j, "result");
    json_t *ing = json_object_get(res, "ingest");
    if (running) {
        json_int_t done = json_integer_value(json_object_get(j, "bytes_done"));
        json_int_t total = json_integer_value(json_object_get(j, "bytes_total"));
        el_strbuf_printf(&b, "<p id=\"import-state\">%s…</p><progress max=\"%lld\" value=\"%lld\"></progress>"
                             "<p>%lld rows read so far. This page refreshes itself.</p>\n",
                         !strcmp(state, "queued") ? "Waiting to start" : "Importing", (long long)(total ? total : 1),
                         (long long)done, (long long)json_integer_value(json_object_get(j, "rows_read")));
    } else {
        int ok = !strcmp(state, "done");
        el_strbuf_printf(&b, "<div class=\"%s\" id=\"import-state\" data-state=\"%s\"><h2 class=\"%s\">%s</h2><p id=\"import-message\">",
                         ok ? "nhsuk-inset-text" : "nhsuk-error-summary", state,
                         ok ? "nhsuk-heading-m" : "nhsuk-error-summary__title", ok ? "Import finished" : "Import failed");
        el_strbuf_esc(&b, json_string_value(json_object_get(j, "message")));
        el_strbuf_put(&b, "</p></div>\n");
        el_strbuf_put(&b, "<dl class=\"nhsuk-summary-list\">\n");
        json_t *dsid = json_object_get(res, "dataset_id");
        if (json_is_integer(dsid)) {
            char v[32];
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(dsid));
            summary_row(&b, "Dataset", "dataset-id", v);
        }
        summary_row(&b, "Kind", "import-kind", json_string_value(json_object_get(res, "kind")) ? json_string_value(json_object_get(res, "kind")) : "–");
        summary_row(&b, "Mapping", "import-mapping", json_string_value(json_object_get(res, "mapping")) ? json_string_value(json_object_get(res, "mapping")) : "–");
        summary_count(&b, "Rows read", "rows-read", json_object_get(ing, "rows_read"));
        summary_count(&b, "Rows accepted", "rows-accepted", json_object_get(ing, "rows_accepted"));
        summary_count(&b, "Rows rejected", "rows-rejected", json_object_get(ing, "rows_rejected"));
        summary_count(&b, "NHS numbers pseudonymised", "nhs-hashed", json_object_get(ing, "nhs_numbers_hashed"));
        summary_count(&b, "NHS numbers invalid (blanked)", "nhs-invalid", json_object_get(ing, "nhs_numbers_invalid"));
        json_t *en = json_object_get(res, "enrichment");
        if (en) {
            summary_count(&b, "Rows given an IMD decile", "imd-matched", json_object_get(en, "imd_matched"));
            summary_count(&b, "IMD edition", "imd-edition", json_object_get(en, "imd_edition"));
        }
        el_strbuf_put(&b, "</dl>\n");
        if (json_is_integer(dsid))
            el_strbuf_printf(&b, "<p><a class=\"nhsuk-button\" href=\"/explore?dataset=%lld\" id=\"open-explorer\">"
                                 "Open in the explorer</a> <a href=\"/quality?dataset=%lld\">Data quality</a></p>\n",
                             (long long)json_integer_value(dsid), (long long)json_integer_value(dsid));
        json_t *byf = json_object_get(ing, "rejected_by_field");
        if (json_object_size(byf)) {
            el_strbuf_put(&b, "<h2>Rejected rows by field</h2><table class=\"nhsuk-table\" id=\"rejected-by-field\">"
                              "<thead class=\"nhsuk-table__head\"><tr><th scope=\"col\">Field</th><th scope=\"col\" class=\"el-num\">Rows</th></tr></thead><tbody>");
            const char *k;
            json_t *v;
            json_object_foreach(byf, k, v) {
                el_strbuf_put(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, k);
                el_strbuf_printf(&b, "</td><td class=\"nhsuk-table__cell el-num\">%lld</td></tr>", (long long)json_integer_value(v));
            }
            el_strbuf_put(&b, "</tbody></table>\n");
        }
        json_t *first = json_object_get(ing, "first_rejections");
        if (json_array_size(first) && has_perm(r, EL_PERM_PATIENT)) {
            /* reasons may quote a value from a patient's row: patient-level, audited */
            char obj[48];
            snprintf(obj, sizeof obj, "import %lld rejections", (long long)id);
            el_req_audit(r, "view_patient_level", obj, "first rejections on the import page");
            el_strbuf_put(&b, "<h2>First rejections</h2><table class=\"nhsuk-table\" id=\"rejections\"><thead class=\"nhsuk-table__head\"><tr>"
                              "<th scope=\"col\">Line</th><th scope=\"col\">Column</th><th scope=\"col\">Field</th>"
                              "<th scope=\"col\">Reason</th></tr></thead><tbody>");
            size_t i;
            json_t *e;
            json_array_foreach(first, i, e) {
                el_strbuf_printf(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%lld</td>"
                                     "<td class=\"nhsuk-table__cell\">%lld</td><td class=\"nhsuk-table__cell\">",
                                 (long long)json_integer_value(json_object_get(e, "line")),
                                 (long long)json_integer_value(json_object_get(e, "column")));
                el_strbuf_esc(&b, json_string_value(json_object_get(e, "field")));
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, json_string_value(json_object_get(e, "reason")));
                el_strbuf_put(&b, "</td></tr>\n");
            }
            el_strbuf_put(&b, "</tbody></table>\n");
            if (json_is_true(json_object_get(j, "has_rejects_file")))
                el_strbuf_printf(&b, "<p><a href=\"/imports/%lld/rejects.csv\" id=\"rejects-download\">Download every rejected "
                                     "row with its reason (CSV; patient-level, NHS numbers removed; the download is audited)</a></p>\n",
                                 (long long)id);
        }
    }
    el_strbuf_put(&b, "<p><a href=\"/datasets\">Back to datasets</a></p>\n");
    el_page_end(&b, r);
    json_decref(j);
    return el_resp_new(200, HTML, &b);
}

el_resp *el_rejects_download(el_req *r, int64_t id)
{
    if (!has_perm(r, EL_PERM_PATIENT) || !has_perm(r, EL_PERM_IMPORT)) return el_page_forbidden(r);
    char *p = el_jobs_rejects_path(el_web_jobs(r->web), id);
    if (!p) return el_page_error(r, 404, "not_found", "No rejects file for this import.");
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f) return el_page_error(r, 404, "not_found", "No rejects file for this import.");
    el_strbuf b;
    el_strbuf_init(&b);
    char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) el_strbuf_putn(&b, buf, k);
    fclose(f);
    char obj[48];
    snprintf(obj, sizeof obj, "import %lld rejects.csv", (long long)id);
    el_req_audit(r, "view_patient_level", obj, "download of rejected rows");
    el_req_audit(r, "export", obj, NULL);
    el_resp *resp = el_resp_new(200, "text/csv; charset=utf-8", &b);
    char cd[100];
    snprintf(cd, sizeof cd, "attachment; filename=\"import-%lld-rejects.csv\"", (long long)id);
    el_resp_header(resp, "Content-Disposition", cd);
    return resp;
}

/* ------------------------------------------------------------------ admin */

static el_resp *audit_page(el_req *r)
{
    if (!has_perm(r, EL_PERM_ADMIN)) return el_page_forbidden(r);
    const char *before_s = el_req_arg(r, "before");
    const char *action = el_req_arg(r, "action");
    long long before = before_s ? atoll(before_s) : 0;
    if (before < 0) before = 0;
    if (action && !*action) action = NULL;
    el_error err;
    el_error_clear(&err);
    json_t *ev = el_auth_audit_list(r->auth, (int64_t)before, 100, action, &err);
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Audit trail", "audit");
    el_strbuf_put(&b, "<h1>Audit trail</h1>\n<p>Every login, failed login, import, export and view of patient-level "
                      "data, newest first. The trail is append-only: the database refuses changes and deletions.</p>\n"
                      "<form method=\"get\" action=\"/admin/audit\" class=\"el-filters\"><div class=\"nhsuk-form-group\">"
                      "<label class=\"nhsuk-label\" for=\"action\">Only this action</label><select class=\"nhsuk-select\" id=\"action\" name=\"action\">");
    static const char *const acts[] = {"", "login", "login_failed", "login_throttled", "logout", "import", "import_done",
                                       "import_failed", "import_duplicate", "export", "view_patient_level",
                                       "token_failed", "user_add", "user_disable", "user_enable", "user_reset",
                                       "token_new", "token_revoke"};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        el_strbuf_printf(&b, "<option value=\"%s\"%s>%s</option>", acts[i],
                         action && !strcmp(action, acts[i]) ? " selected" : "", acts[i][0] ? acts[i] : "(all)");
    el_strbuf_put(&b, "</select></div><button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">Show</button></form>\n");
    if (!ev) {
        el_strbuf_put(&b, "<p>The audit trail could not be read: ");
        el_strbuf_esc(&b, err.msg);
        el_strbuf_put(&b, "</p>");
    } else {
        el_strbuf_put(&b, "<table class=\"nhsuk-table\" id=\"audit\"><thead class=\"nhsuk-table__head\"><tr>"
                          "<th scope=\"col\">#</th><th scope=\"col\">When (UTC)</th><th scope=\"col\">Who</th>"
                          "<th scope=\"col\">From</th><th scope=\"col\">What</th><th scope=\"col\">Object</th>"
                          "<th scope=\"col\">Detail</th></tr></thead><tbody>\n");
        size_t i;
        json_t *e;
        long long last = 0;
        json_array_foreach(ev, i, e) {
            last = (long long)json_integer_value(json_object_get(e, "id"));
            el_strbuf_printf(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%lld</td>", last);
            static const char *const k[] = {"time", "user", "remote", "action", "object", "detail"};
            for (int q = 0; q < 6; q++) {
                el_strbuf_put(&b, "<td class=\"nhsuk-table__cell\">");
                const char *v = json_string_value(json_object_get(e, k[q]));
                el_strbuf_esc(&b, v ? v : "–");
                el_strbuf_put(&b, "</td>");
            }
            el_strbuf_put(&b, "</tr>\n");
        }
        el_strbuf_put(&b, "</tbody></table>\n");
        if (json_array_size(ev) == 100) {
            el_strbuf_printf(&b, "<p><a href=\"/admin/audit?before=%lld", last);
            if (action) { el_strbuf_put(&b, "&amp;action="); el_sb_url(&b, action); }
            el_strbuf_put(&b, "\">Older events</a></p>\n");
        }
    }
    json_decref(ev);
    json_t *users = el_auth_user_list(r->auth, NULL);
    el_strbuf_put(&b, "<h2>Accounts</h2><p>Accounts are managed on the server with <code>equitylens user</code> "
                      "(add, disable, enable, reset, token).</p><table class=\"nhsuk-table\" id=\"users\"><thead class=\"nhsuk-table__head\">"
                      "<tr><th scope=\"col\">Name</th><th scope=\"col\">Role</th><th scope=\"col\">Status</th>"
                      "<th scope=\"col\">Last login (UTC)</th></tr></thead><tbody>");
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u) {
        el_strbuf_put(&b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
        el_strbuf_esc(&b, json_string_value(json_object_get(u, "name")));
        el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell\">");
        el_strbuf_esc(&b, json_string_value(json_object_get(u, "role")));
        el_strbuf_printf(&b, "</td><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">",
                         json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active");
        const char *ll = json_string_value(json_object_get(u, "last_login"));
        el_strbuf_esc(&b, ll ? ll : "–");
        el_strbuf_put(&b, "</td></tr>");
    }
    el_strbuf_put(&b, "</tbody></table>\n");
    json_decref(users);
    el_page_end(&b, r);
    return el_resp_new(200, HTML, &b);
}

/* ------------------------------------------------------------------ routes */

int el_route_is_upload(const char *method, const char *path)
{
    return !strcmp(method, "POST") && (!strcmp(path, "/datasets/upload") || !strcmp(path, "/api/v1/datasets"));
}

unsigned el_route_upload_perm(const char *path)
{
    (void)path;
    return EL_PERM_IMPORT;
}

/* "/imports/12" → 12 and *rest = "" or "/rejects.csv"; 0 if not numeric. */
int64_t el_path_id(const char *path, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n)) return 0;
    const char *p = path + n;
    int64_t v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 15) { v = v * 10 + (*p - '0'); p++; digits++; }
    if (!digits) return 0;
    if (rest) *rest = p;
    return v;
}

el_resp *el_pages_route(el_req *r)
{
    const char *p = r->path;
    int get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    int post = !strcmp(r->method, "POST");
    if (!strcmp(p, "/healthz") && get) return el_resp_static(200, "text/plain; charset=utf-8", "ok\n", 3);
    if (!strcmp(p, "/login")) {
        if (post) return login_post(r);
        if (r->authed) return el_resp_redirect("/");
        return login_form(r, 200, NULL, el_req_arg(r, "next"));
    }
    if (!strcmp(p, "/logout") && post) return logout_post(r);
    if (!strcmp(p, "/") && get) return el_resp_redirect("/datasets");
    if (!strcmp(p, "/datasets") && get) return datasets_page(r);
    if (!strcmp(p, "/datasets/upload") && post) return upload_post(r);
    if (!strcmp(p, "/datasets/upload") && get) return has_perm(r, EL_PERM_IMPORT) ? el_resp_redirect("/datasets#upload") : el_page_forbidden(r);
    const char *rest = NULL;
    int64_t id = el_path_id(p, "/imports/", &rest);
    if (id > 0 && get) {
        if (!*rest) return import_page(r, id);
        if (!strcmp(rest, "/rejects.csv")) return el_rejects_download(r, id);
    }
    if (!strcmp(p, "/admin/audit") && get) return audit_page(r);
    if (get) return el_pages_analysis_route(r);
    return NULL;
}
