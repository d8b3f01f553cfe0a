/* web.h — the equitylens web application: HTTP server, pages, JSON API
 * (owner: web). Implemented in the src/web files on libmicrohttpd (thread pool).
 *
 * el_web_serve() runs until SIGTERM or SIGINT: it stops accepting, lets import
 * jobs in progress finish (each import is one store transaction, so an import
 * is either complete or absent), then closes connections; an upload still
 * arriving is discarded with its spool file and the store is unchanged.
 *
 * Ownership: the config and every string it points to are borrowed for the
 * duration of el_web_serve(). */
#ifndef EQUITYLENS_WEB_H
#define EQUITYLENS_WEB_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

#define EL_WEB_DEFAULT_DB "equitylens.db"

typedef struct el_web_config {
    const char *address;         /* listen address (IPv4 or IPv6 literal); default "127.0.0.1" */
    unsigned port;               /* default 8080; 0 = any free port (see port_file) */
    const char *tls_cert;        /* PEM certificate file; with tls_key enables HTTPS */
    const char *tls_key;         /* PEM private key file */
    const char *db_path;         /* the store's SQLite file */
    const char *assets_dir;      /* nhsuk-frontend dist/nhsuk directory; NULL = search */
    const char *spool_dir;       /* where uploads are spooled; default $TMPDIR or /tmp */
    const char *access_log;      /* file for JSON access-log lines; NULL or "-" = stderr */
    const char *port_file;       /* if set, the bound port is written there once listening */
    unsigned threads;            /* thread-pool size; default 4 */
    unsigned max_connections;    /* default 256 */
    unsigned conn_timeout;       /* seconds a connection may idle; default 60 */
    uint64_t max_upload;         /* bytes of an uploaded extract; default 256 MiB */
    uint64_t max_body;           /* bytes of any other request body; default 64 KiB */
    unsigned session_idle;       /* seconds before an idle session ends; default 1800 */
    unsigned session_max;        /* seconds before any session ends; default 43200 */
    unsigned login_max_fail;     /* failures per name within login_window before throttling; default 5 */
    unsigned login_window;       /* seconds; default 900 */
    unsigned shutdown_grace;     /* seconds to wait for imports at shutdown; default 120 */
    const char *disclosure;      /* disclosure policy spec (disclosure.h); NULL = default */
} el_web_config;

void el_web_config_default(el_web_config *c);

/* Serve until SIGTERM/SIGINT. Blocks those signals in every thread it starts
 * (call from the main thread before starting other threads). */
el_status el_web_serve(const el_web_config *c, el_error *err);

#endif
