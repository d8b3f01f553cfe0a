/* pages_analysis.c — data quality, explorer, trends, who is missing, board
 * pack (owner: web). */
#include "web_internal.h"

#include <string.h>

static el_resp *unavailable(el_req *r, const char *title, const char *nav)
{
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, title, nav);
    el_strbuf_put(&b, "<h1>");
    el_strbuf_esc(&b, title);
    el_strbuf_put(&b, "</h1>\n<div class=\"nhsuk-inset-text\" id=\"unavailable\"><p>Not available in this build.</p></div>\n");
    el_page_end(&b, r);
    return el_resp_new(200, "text/html; charset=utf-8", &b);
}

el_resp *el_pages_analysis_route(el_req *r)
{
    const char *p = r->path;
    if (!strcmp(p, "/quality")) return unavailable(r, "Data quality", "quality");
    if (!strcmp(p, "/explore")) return unavailable(r, "Explorer", "explore");
    if (!strcmp(p, "/trends")) return unavailable(r, "Trends", "trends");
    if (!strcmp(p, "/missing")) return unavailable(r, "Who is missing", "missing");
    if (!strcmp(p, "/pack")) return unavailable(r, "Board pack", "pack");
    return NULL;
}

el_resp *el_api_analysis_route(el_req *r, int64_t id, const char *rest)
{
    (void)r; (void)id;
    if (!strcmp(rest, "/quality") || !strcmp(rest, "/analysis") || !strcmp(rest, "/trends") ||
        !strcmp(rest, "/missing") || !strncmp(rest, "/pack.", 6))
        return el_resp_json_error(501, "not_available", "not available in this build");
    return NULL;
}
