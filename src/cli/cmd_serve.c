/* cmd_serve.c — equitylens serve: the web application (owner: web). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/cli.h"
#include "equitylens/store.h"
#include "equitylens/web.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: equitylens serve [options]\n\n"
        "Run the web application: dashboard pages, JSON API (/api/v1), accounts and audit trail,\n"
        "on the store's SQLite file. Stops cleanly on SIGTERM or SIGINT: no new connections,\n"
        "imports in progress finish (or roll back), uploads still arriving are discarded.\n"
        "Create the first account with: equitylens user add NAME --role admin\n\n"
        "options:\n"
        "  --address ADDR        listen address, IPv4 or IPv6 (default 127.0.0.1)\n"
        "  --port N              TCP port (default 8080; 0 = any free port, see --port-file)\n"
        "  --tls-cert FILE       PEM certificate: serve HTTPS (needs --tls-key); cookies get Secure\n"
        "  --tls-key FILE        PEM private key\n"
        "  --db PATH             the store (default: $EQUITYLENS_DB, else ./equitylens.db)\n"
        "  --assets DIR          nhsuk-frontend dist/nhsuk directory (default: $EQUITYLENS_ASSETS,\n"
        "                        ./node_modules/nhsuk-frontend/dist/nhsuk, or beside the binary)\n"
        "  --spool DIR           where uploads are written while they arrive (default $TMPDIR or /tmp)\n"
        "  --access-log FILE     JSON access log, one line per request (default: standard error)\n"
        "  --port-file FILE      write the port listened on to FILE once listening\n"
        "  --threads N           thread-pool size (default 4)\n"
        "  --max-connections N   simultaneous connections (default 256)\n"
        "  --timeout SECONDS     idle connection timeout (default 60)\n"
        "  --max-upload SIZE     largest extract upload, e.g. 256M, 2G (default 256M)\n"
        "  --max-body SIZE       largest other request body (default 64K)\n"
        "  --session-idle SECONDS  log out after this much inactivity (default 1800)\n"
        "  --session-max SECONDS   log out after this long in any case (default 43200)\n"
        "  --login-max-fail N    failed logins per user name within --login-window before\n"
        "                        throttling (default 5; per address: 4 times as many)\n"
        "  --login-window SECONDS  (default 900)\n"
        "  --shutdown-grace SECONDS  how long shutdown waits for imports (default 120)\n"
        "  --disclosure SPEC     disclosure-control policy, e.g. suppress=1-9,round=10 (docs/web.md)\n"
        "  -h, --help            this help\n\n"
        "Documentation: docs/web.md (running it, roles, security), docs/api.md (the API).\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return -1;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k') { mul = 1ull << 10; end++; }
    else if (*end == 'M' || *end == 'm') { mul = 1ull << 20; end++; }
    else if (*end == 'G' || *end == 'g') { mul = 1ull << 30; end++; }
    if (*end == 'B' || *end == 'b') end++;
    if (*end || v == 0 || v > (1ull << 44) / mul) return -1;
    *out = v * mul;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    el_web_config c;
    el_web_config_default(&c);
    c.db_path = el_store_default_location();
    enum { O_ADDR = 1000, O_PORT, O_CERT, O_KEY, O_DB, O_ASSETS, O_SPOOL, O_LOG, O_PORTFILE, O_THREADS, O_MAXCONN,
           O_TIMEOUT, O_MAXUP, O_MAXBODY, O_IDLE, O_SMAX, O_LMAX, O_LWIN, O_GRACE, O_DISC };
    static const struct option opts[] = {
        {"address", required_argument, 0, O_ADDR}, {"port", required_argument, 0, O_PORT},
        {"tls-cert", required_argument, 0, O_CERT}, {"tls-key", required_argument, 0, O_KEY},
        {"db", required_argument, 0, O_DB}, {"assets", required_argument, 0, O_ASSETS},
        {"spool", required_argument, 0, O_SPOOL}, {"access-log", required_argument, 0, O_LOG},
        {"port-file", required_argument, 0, O_PORTFILE}, {"threads", required_argument, 0, O_THREADS},
        {"max-connections", required_argument, 0, O_MAXCONN}, {"timeout", required_argument, 0, O_TIMEOUT},
        {"max-upload", required_argument, 0, O_MAXUP}, {"max-body", required_argument, 0, O_MAXBODY},
        {"session-idle", required_argument, 0, O_IDLE}, {"session-max", required_argument, 0, O_SMAX},
        {"login-max-fail", required_argument, 0, O_LMAX}, {"login-window", required_argument, 0, O_LWIN},
        {"shutdown-grace", required_argument, 0, O_GRACE}, {"disclosure", required_argument, 0, O_DISC},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    int o;
    unsigned long long v;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        const char *bad = NULL;
        switch (o) {
        case O_ADDR: c.address = optarg; break;
        case O_PORT: if (parse_uint(optarg, 65535, &v)) bad = "--port must be 0..65535"; else c.port = (unsigned)v; break;
        case O_CERT: c.tls_cert = optarg; break;
        case O_KEY: c.tls_key = optarg; break;
        case O_DB: c.db_path = optarg; break;
        case O_ASSETS: c.assets_dir = optarg; break;
        case O_SPOOL: c.spool_dir = optarg; break;
        case O_LOG: c.access_log = optarg; break;
        case O_PORTFILE: c.port_file = optarg; break;
        case O_THREADS: if (parse_uint(optarg, 256, &v) || !v) bad = "--threads must be 1..256"; else c.threads = (unsigned)v; break;
        case O_MAXCONN: if (parse_uint(optarg, 100000, &v) || !v) bad = "--max-connections must be 1..100000"; else c.max_connections = (unsigned)v; break;
        case O_TIMEOUT: if (parse_uint(optarg, 86400, &v) || !v) bad = "--timeout must be 1..86400"; else c.conn_timeout = (unsigned)v; break;
        case O_MAXUP: if (parse_size(optarg, &v)) bad = "--max-upload must be a size such as 256M"; else c.max_upload = v; break;
        case O_MAXBODY: if (parse_size(optarg, &v)) bad = "--max-body must be a size such as 64K"; else c.max_body = v; break;
        case O_IDLE: if (parse_uint(optarg, 604800, &v) || !v) bad = "--session-idle must be 1..604800"; else c.session_idle = (unsigned)v; break;
        case O_SMAX: if (parse_uint(optarg, 2592000, &v) || !v) bad = "--session-max must be 1..2592000"; else c.session_max = (unsigned)v; break;
        case O_LMAX: if (parse_uint(optarg, 1000, &v) || !v) bad = "--login-max-fail must be 1..1000"; else c.login_max_fail = (unsigned)v; break;
        case O_LWIN: if (parse_uint(optarg, 86400, &v) || !v) bad = "--login-window must be 1..86400"; else c.login_window = (unsigned)v; break;
        case O_GRACE: if (parse_uint(optarg, 86400, &v)) bad = "--shutdown-grace must be 0..86400"; else c.shutdown_grace = (unsigned)v; break;
        case O_DISC: c.disclosure = optarg; break;
        case 'h': usage(stdout); return EL_EXIT_OK;
        default: usage(stderr); return EL_EXIT_USAGE;
        }
        if (bad) { fprintf(stderr, "equitylens serve: %s\n", bad); return EL_EXIT_USAGE; }
    }
    if (optind < argc) {
        fprintf(stderr, "equitylens serve: unexpected argument '%s'\n", argv[optind]);
        return EL_EXIT_USAGE;
    }
    el_error err;
    el_error_clear(&err);
    el_status s = el_web_serve(&c, &err);
    if (s != EL_OK) {
        el_cli_print_error("serve", &err);
        return el_cli_exit_code(s);
    }
    return EL_EXIT_OK;
}
