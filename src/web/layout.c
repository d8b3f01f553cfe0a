/* layout.c — the page frame in the NHS.UK frontend style: header with the
 * service name and navigation, account links, main wrapper, footer with the
 * disclosure-control policy (owner: web). Server-rendered; no JavaScript needed. */
#include "web_internal.h"

#include <string.h>

static const char nhs_logo[] =
    "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" height=\"40\" "
    "width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"NHS\"><title>NHS</title><path fill=\"currentcolor\" "
    "d=\"M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 "
    "6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 "
    "0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 "
    "45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z\"/></svg>";

typedef struct { const char *key, *href, *text; unsigned perm; } nav_item;
static const nav_item nav[] = {
    {"datasets", "/datasets", "Datasets", EL_PERM_VIEW},
    {"quality", "/quality", "Data quality", EL_PERM_VIEW},
    {"explore", "/explore", "Explorer", EL_PERM_VIEW},
    {"trends", "/trends", "Trends", EL_PERM_VIEW},
    {"missing", "/missing", "Who is missing", EL_PERM_VIEW},
    {"pack", "/pack", "Board pack", EL_PERM_EXPORT},
    {"audit", "/admin/audit", "Audit", EL_PERM_ADMIN},
};

void el_page_csrf(el_strbuf *b, const el_req *r)
{
    el_strbuf_put(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    el_strbuf_esc(b, r->csrf);
    el_strbuf_put(b, "\">");
}

void el_page_begin(el_strbuf *b, const el_req *r, const char *title, const char *current)
{
    el_strbuf_put(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    el_strbuf_esc(b, title);
    el_strbuf_put(b, " – equitylens</title>\n<link rel=\"icon\" href=\"data:,\">\n");
    if (el_static_have_nhsuk())
        el_strbuf_put(b, "<link rel=\"stylesheet\" href=\"/static/nhsuk-frontend.min.css\">\n");
    el_strbuf_put(b, "<link rel=\"stylesheet\" href=\"/static/app.css\">\n</head>\n");
    el_strbuf_printf(b, "<body%s>\n<a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\n",
                     el_static_have_nhsuk() ? "" : " class=\"el-fallback\"");
    el_strbuf_put(b, "<header class=\"nhsuk-header\" role=\"banner\">\n"
                     "<div class=\"nhsuk-header__container nhsuk-width-container\">\n"
                     "<div class=\"nhsuk-header__service\">\n"
                     "<a class=\"nhsuk-header__service-logo\" href=\"/\" aria-label=\"NHS equitylens homepage\">");
    el_strbuf_put(b, nhs_logo);
    el_strbuf_put(b, "<span class=\"nhsuk-header__service-name\">equitylens</span></a>\n</div>\n");
    if (r && r->authed) {
        el_strbuf_put(b, "<nav class=\"nhsuk-header__account\" aria-label=\"Account\">"
                         "<ul class=\"nhsuk-header__account-list\">"
                         "<li class=\"nhsuk-header__account-item\"><span class=\"el-user\" id=\"el-user\">");
        el_strbuf_esc(b, r->user.name);
        el_strbuf_put(b, " (");
        el_strbuf_put(b, el_role_name(r->user.role));
        el_strbuf_put(b, ")</span></li><li class=\"nhsuk-header__account-item\">"
                         "<form class=\"nhsuk-header__account-form\" action=\"/logout\" method=\"post\">");
        el_page_csrf(b, r);
        el_strbuf_put(b, "<button class=\"nhsuk-header__account-button\" type=\"submit\">Log out</button>"
                         "</form></li></ul></nav>\n");
    }
    el_strbuf_put(b, "</div>\n");
    if (r && r->authed) {
        unsigned perms = el_role_perms(r->user.role);
        el_strbuf_put(b, "<nav class=\"nhsuk-header__navigation\" aria-label=\"Menu\">"
                         "<div class=\"nhsuk-header__navigation-container nhsuk-width-container\">"
                         "<ul class=\"nhsuk-header__navigation-list\">");
        for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
            if (!(perms & nav[i].perm)) continue;
            int cur = current && !strcmp(current, nav[i].key);
            el_strbuf_printf(b,
                             "<li class=\"nhsuk-header__navigation-item%s\"><a class=\"nhsuk-header__navigation-link\" "
                             "href=\"%s\"%s>%s%s%s</a></li>",
                             cur ? " nhsuk-header__navigation-item--current" : "", nav[i].href,
                             cur ? " aria-current=\"page\"" : "",
                             cur ? "<strong class=\"nhsuk-header__navigation-item-current-fallback\">" : "",
                             nav[i].text, cur ? "</strong>" : "");
        }
        el_strbuf_put(b, "</ul></div></nav>\n");
    }
    el_strbuf_put(b, "</header>\n<div class=\"nhsuk-width-container\">\n"
                     "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\n");
}

void el_page_end(el_strbuf *b, const el_req *r)
{
    char pol[400] = "";
    if (r && r->web) el_disclosure_policy_describe(el_web_policy(r->web), pol, sizeof pol);
    el_strbuf_put(b, "</main>\n</div>\n<footer role=\"contentinfo\"><div class=\"nhsuk-footer\">"
                     "<div class=\"nhsuk-width-container\"><p class=\"nhsuk-body-s el-policy\" id=\"el-policy\">");
    el_strbuf_esc(b, pol);
    el_strbuf_put(b, "</p><p class=\"nhsuk-body-s\">equitylens · GPL-3.0-or-later · "
                     "<a href=\"/api/v1\">JSON API</a></p></div></div></footer>\n</body>\n</html>\n");
}

el_resp *el_page_error(const el_req *r, unsigned status, const char *title, const char *msg)
{
    el_strbuf b;
    el_strbuf_init(&b);
    const char *heading = status == 401 ? "You need to log in"
                        : status == 403 ? "You do not have access to this page"
                        : status == 404 ? "Page not found"
                        : status == 413 ? "The upload is too large"
                        : status >= 500 ? "Sorry, there is a problem with the service"
                                        : "There is a problem";
    el_page_begin(&b, r, heading, NULL);
    el_strbuf_printf(&b, "<h1>%s</h1>\n<div class=\"nhsuk-error-summary\" role=\"alert\" tabindex=\"-1\">"
                         "<h2 class=\"nhsuk-error-summary__title\">Error %u", heading, status);
    if (title) { el_strbuf_put(&b, " (");  el_strbuf_esc(&b, title); el_strbuf_put(&b, ")"); }
    el_strbuf_put(&b, "</h2><div class=\"nhsuk-error-summary__body\"><p id=\"el-error\">");
    el_strbuf_esc(&b, msg);
    el_strbuf_put(&b, "</p></div></div>\n");
    if (status == 401) el_strbuf_put(&b, "<p><a href=\"/login\">Log in</a></p>\n");
    else el_strbuf_put(&b, "<p><a href=\"/\">Go to the start page</a></p>\n");
    el_page_end(&b, r);
    return el_resp_new(status, "text/html; charset=utf-8", &b);
}
