/* static.c — static files: the NHS.UK frontend stylesheet and icons from the
 * nhsuk-frontend npm package (read into memory at start-up, so requests never
 * touch the file system: path traversal has nothing to reach), plus the
 * application's own small stylesheet and upload-progress script (owner: web). */
#include "web_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char app_css[] =
    "/* equitylens additions to the NHS.UK frontend */\n"
    "body{font-family:Frutiger W01,Arial,Sans-serif;margin:0}\n"
    ".el-fallback .nhsuk-header{background:#005eb8;color:#fff;padding:12px 0}\n"
    ".el-fallback .nhsuk-width-container{max-width:1100px;margin:0 auto;padding:0 16px}\n"
    ".el-fallback table{border-collapse:collapse}.el-fallback td,.el-fallback th{border-bottom:1px solid #d8dde0;padding:6px 12px;text-align:left}\n"
    ".el-num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".el-chart svg{max-width:100%;height:auto}\n"
    ".el-policy{font-size:0.875rem;color:#4c6272}\n"
    ".el-filters{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-end}\n"
    ".el-filters .nhsuk-form-group{margin-bottom:16px}\n"
    ".el-user{color:#fff;font-size:1rem;padding:0 8px}\n"
    "progress{width:100%;height:1.25rem}\n"
    ".el-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:8px 32px}\n"
    ".el-mono{font-family:monospace;font-size:0.875rem;word-break:break-all}\n";

/* Upload with progress: progressive enhancement of the plain form (which works
 * without JavaScript). Sends the same multipart body with XMLHttpRequest and
 * shows bytes sent, then follows the server's redirect to the import result. */
static const char upload_js[] =
    "(function(){\n"
    "  var f=document.getElementById('upload-form'); if(!f||!window.FormData) return;\n"
    "  var bar=document.getElementById('upload-progress'), txt=document.getElementById('upload-progress-text');\n"
    "  f.addEventListener('submit',function(e){\n"
    "    e.preventDefault();\n"
    "    var x=new XMLHttpRequest(); x.open('POST',f.action);\n"
    "    x.setRequestHeader('X-CSRF-Token',f.elements['csrf'].value);\n"
    "    if(bar){bar.hidden=false;} \n"
    "    x.upload.onprogress=function(ev){ if(ev.lengthComputable&&bar){bar.max=ev.total;bar.value=ev.loaded;\n"
    "      if(txt) txt.textContent='Uploaded '+Math.round(100*ev.loaded/ev.total)+'%';}};\n"
    "    x.onload=function(){ if(x.responseURL&&x.status<400){window.location=x.responseURL;}\n"
    "      else{document.open();document.write(x.responseText);document.close();}};\n"
    "    x.onerror=function(){ if(txt) txt.textContent='The upload failed: the connection was lost.';};\n"
    "    x.send(new FormData(f));\n"
    "  });\n"
    "})();\n";

typedef struct { char *url; char *data; size_t len; const char *ctype; int owned; } asset;
static asset *assets;
static size_t nassets;
static int have_nhsuk;

int el_static_have_nhsuk(void) { return have_nhsuk; }

static int add_asset(const char *url, char *data, size_t len, const char *ctype, int owned)
{
    asset *na = realloc(assets, (nassets + 1) * sizeof *na);
    if (!na) { if (owned) free(data); return -1; }
    assets = na;
    assets[nassets].url = strdup(url);
    assets[nassets].data = data;
    assets[nassets].len = len;
    assets[nassets].ctype = ctype;
    assets[nassets].owned = owned;
    nassets++;
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || st.st_size > (16 << 20)) { fclose(f); return NULL; }
    char *b = malloc((size_t)st.st_size + 1);
    if (!b) { fclose(f); return NULL; }
    size_t n = fread(b, 1, (size_t)st.st_size, f);
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

static int dir_ok(const char *d)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/nhsuk-frontend.min.css", d);
    return access(p, R_OK) == 0;
}

el_status el_static_init(const el_web_config *cfg, el_error *err)
{
    (void)err;
    el_static_free();
    add_asset("/static/app.css", (char *)app_css, sizeof app_css - 1, "text/css; charset=utf-8", 0);
    add_asset("/static/upload.js", (char *)upload_js, sizeof upload_js - 1, "text/javascript; charset=utf-8", 0);
    /* where the npm package is: --assets, $EQUITYLENS_ASSETS, ./node_modules, next to the binary */
    char cand[4][1024];
    size_t nc = 0;
    if (cfg->assets_dir) snprintf(cand[nc++], sizeof cand[0], "%s", cfg->assets_dir);
    const char *env = getenv("EQUITYLENS_ASSETS");
    if (env && *env) snprintf(cand[nc++], sizeof cand[0], "%s", env);
    snprintf(cand[nc++], sizeof cand[0], "node_modules/nhsuk-frontend/dist/nhsuk");
    char exe[900];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        snprintf(cand[nc++], sizeof cand[0], "%s/../node_modules/nhsuk-frontend/dist/nhsuk", exe);
    }
    const char *dir = NULL;
    for (size_t i = 0; i < nc && !dir; i++)
        if (dir_ok(cand[i])) dir = cand[i];
    have_nhsuk = 0;
    if (dir) {
        char p[1200];
        size_t len;
        snprintf(p, sizeof p, "%s/nhsuk-frontend.min.css", dir);
        char *css = read_file(p, &len);
        if (css) {
            add_asset("/static/nhsuk-frontend.min.css", css, len, "text/css; charset=utf-8", 1);
            have_nhsuk = 1;
        }
        snprintf(p, sizeof p, "%s/assets/images", dir);
        DIR *dd = opendir(p);
        if (dd) {
            struct dirent *e;
            while ((e = readdir(dd))) {
                const char *n = e->d_name;
                size_t nl = strlen(n);
                int ok = nl > 4 && nl < 100 && n[0] != '.';
                for (size_t i = 0; ok && i < nl; i++)
                    if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '-' || n[i] == '.'))
                        ok = 0;
                const char *ct = NULL;
                if (ok && !strcmp(n + nl - 4, ".svg")) ct = "image/svg+xml";
                else if (ok && !strcmp(n + nl - 4, ".png")) ct = "image/png";
                if (!ct) continue;
                char fp[1400], url[200];
                snprintf(fp, sizeof fp, "%s/%s", p, n);
                snprintf(url, sizeof url, "/assets/images/%s", n);
                char *data = read_file(fp, &len);
                if (data) add_asset(url, data, len, ct, 1);
            }
            closedir(dd);
        }
    }
    return EL_OK;
}

void el_static_free(void)
{
    for (size_t i = 0; i < nassets; i++) {
        free(assets[i].url);
        if (assets[i].owned) free(assets[i].data);
    }
    free(assets);
    assets = NULL;
    nassets = 0;
}

el_resp *el_static_route(el_req *r)
{
    if (strncmp(r->path, "/static/", 8) && strncmp(r->path, "/assets/", 8)) return NULL;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) return NULL;
    for (size_t i = 0; i < nassets; i++) {
        if (strcmp(assets[i].url, r->path)) continue;
        el_resp *resp = el_resp_static(200, assets[i].ctype, assets[i].data, assets[i].len);
        if (resp) el_resp_header(resp, "Cache-Control", "public, max-age=3600");
        return resp;
    }
    el_strbuf b;
    el_strbuf_init(&b);
    el_strbuf_put(&b, "not found\n");
    return el_resp_new(404, "text/plain; charset=utf-8", &b);
}
