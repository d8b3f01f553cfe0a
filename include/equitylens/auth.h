/* auth.h — web accounts, roles, sessions, API tokens and the audit trail
 * (owner: web). Implemented by src/store/auth_sqlite.c on the store's SQLite
 * file: it creates its own tables (el_user, el_session, el_token, el_audit)
 * beside the store's and never touches the store's tables.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, the
 * "interactive" limits). Session ids, CSRF tokens and API tokens are 256-bit
 * random values; only a BLAKE2b hash of a session id or API token is kept in
 * the database, so a copy of the database does not let anyone in.
 * The audit table is append-only: SQLite triggers abort any UPDATE or DELETE.
 *
 * Thread safety: one el_auth may be shared by many threads (every call takes
 * an internal mutex).
 * Ownership: el_auth_open()/el_auth_close() (NULL-safe). el_auth_user_list()
 * and el_auth_audit_list() return new jansson references the caller
 * json_decref()s. el_user is a plain value. */
#ifndef EQUITYLENS_AUTH_H
#define EQUITYLENS_AUTH_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "equitylens/error.h"

typedef enum {
    EL_ROLE_ADMIN = 0,   /* everything, users, audit */
    EL_ROLE_ANALYST,     /* import, analyse, export, patient-level import detail */
    EL_ROLE_MANAGER,     /* view aggregates, board pack, plans */
    EL_ROLE_CLINICIAN,   /* view aggregates; patient-level worklists */
    EL_ROLE_NAVIGATOR,   /* view aggregates; patient-level worklists */
    EL_ROLE_VIEWER,      /* aggregates only */
    EL_ROLE__COUNT
} el_role;

/* Permissions (bit set). */
enum {
    EL_PERM_VIEW    = 1u << 0,  /* aggregate pages and API: datasets, quality, explorer, trends, missing */
    EL_PERM_IMPORT  = 1u << 1,  /* upload / import extracts */
    EL_PERM_EXPORT  = 1u << 2,  /* download board packs */
    EL_PERM_PATIENT = 1u << 3,  /* patient-level data (import rejections with row values); audited */
    EL_PERM_PLANS   = 1u << 4,  /* action plans */
    EL_PERM_ADMIN   = 1u << 5   /* audit trail, users */
};

const char *el_role_name(el_role r);          /* "admin" ... never NULL */
int el_role_by_name(const char *name);         /* role or -1 */
unsigned el_role_perms(el_role r);             /* EL_PERM_* bits */
/* Comma-separated list of the perms' names ("view,import") into buf. */
void el_perms_format(unsigned perms, char *buf, size_t cap);

#define EL_AUTH_ID_LEN 64      /* hex characters of a session id / CSRF token */
#define EL_AUTH_TOKEN_LEN 68   /* "elt_" + 64 hex */
#define EL_AUTH_NAME_MAX 64
#define EL_AUTH_PASSWORD_MIN 10

typedef struct el_user {
    int64_t id;
    char name[EL_AUTH_NAME_MAX + 1];
    el_role role;
    int disabled;
} el_user;

typedef struct el_auth el_auth;

/* Open (creating the tables if needed) the database at path. */
el_auth *el_auth_open(const char *path, el_error *err);
void el_auth_close(el_auth *a);

/* Names: 1-64 of [A-Za-z0-9._@-]. Passwords: at least EL_AUTH_PASSWORD_MIN bytes. */
int el_auth_valid_name(const char *name);
el_status el_auth_user_add(el_auth *a, const char *name, el_role role,
                           const char *password, el_error *err);
/* Array of {"name","role","disabled","created","last_login"} sorted by name. */
json_t *el_auth_user_list(el_auth *a, el_error *err);
/* Disable (1) or enable (0); disabling ends the user's sessions and revokes tokens. */
el_status el_auth_user_set_disabled(el_auth *a, const char *name, int disabled, el_error *err);
/* New password; ends the user's sessions. */
el_status el_auth_user_reset(el_auth *a, const char *name, const char *password, el_error *err);
el_status el_auth_user_get(el_auth *a, const char *name, el_user *out, el_error *err);
/* Number of users (to tell "no users yet" at start-up). */
long el_auth_user_count(el_auth *a);

/* Login with throttling: after max_fail failures for the name, or for the
 * remote address, within window seconds, further attempts are refused with
 * EL_LOGIN_THROTTLED until the window has passed (the password is not even
 * checked). Every outcome is written to the audit trail. */
typedef enum { EL_LOGIN_OK = 0, EL_LOGIN_BAD, EL_LOGIN_THROTTLED, EL_LOGIN_DISABLED } el_login_result;
typedef struct { unsigned max_fail; unsigned window; } el_throttle;
el_status el_auth_login(el_auth *a, const char *name, const char *password,
                        const char *remote, const el_throttle *t,
                        el_user *out, el_login_result *result, el_error *err);

/* Sessions. sid/csrf receive EL_AUTH_ID_LEN hex chars + NUL. */
el_status el_auth_session_new(el_auth *a, int64_t user_id, const char *remote,
                              char *sid, char *csrf, el_error *err);
/* Valid session: fills user and csrf and refreshes last-seen. A session idle
 * for more than idle seconds, older than max_age seconds, or whose user is
 * disabled is removed and EL_ERR_NOTFOUND returned. */
el_status el_auth_session_get(el_auth *a, const char *sid, unsigned idle, unsigned max_age,
                              el_user *user, char *csrf, el_error *err);
void el_auth_session_end(el_auth *a, const char *sid);

/* API tokens (Authorization: Bearer <token>). token receives
 * EL_AUTH_TOKEN_LEN chars + NUL; it is shown once and only its hash kept. */
el_status el_auth_token_new(el_auth *a, const char *name, const char *label,
                            char *token, el_error *err);
el_status el_auth_token_check(el_auth *a, const char *token, el_user *user, el_error *err);
/* Revoke every token of the user. */
el_status el_auth_token_revoke_all(el_auth *a, const char *name, el_error *err);

/* Audit: append one event. who/remote/object/detail may be NULL. */
el_status el_auth_audit(el_auth *a, const char *who, const char *remote,
                        const char *action, const char *object, const char *detail);
/* Newest first: events with id < before (0 = from the newest), at most limit,
 * optionally only one action. Array of {"id","time","user","remote","action","object","detail"}. */
json_t *el_auth_audit_list(el_auth *a, int64_t before, size_t limit, const char *action, el_error *err);

#endif
