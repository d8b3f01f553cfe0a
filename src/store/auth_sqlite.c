/* auth_sqlite.c — accounts, sessions, API tokens and audit trail in the
 * store's SQLite file (owner: web). See include/equitylens/auth.h. */
#include "equitylens/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct el_auth {
    sqlite3 *db;
    pthread_mutex_t mu;
    char dummy_hash[crypto_pwhash_STRBYTES];   /* for unknown names: same cost */
    int have_dummy;
};

static const char *const role_names[EL_ROLE__COUNT] = {
    "admin", "analyst", "manager", "clinician", "navigator", "viewer"};

const char *el_role_name(el_role r)
{
    return (r >= 0 && r < EL_ROLE__COUNT) ? role_names[r] : "unknown";
}

int el_role_by_name(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < EL_ROLE__COUNT; i++)
        if (!strcmp(name, role_names[i])) return i;
    return -1;
}

unsigned el_role_perms(el_role r)
{
    switch (r) {
    case EL_ROLE_ADMIN:
        return EL_PERM_VIEW | EL_PERM_IMPORT | EL_PERM_EXPORT | EL_PERM_PATIENT | EL_PERM_PLANS | EL_PERM_ADMIN;
    case EL_ROLE_ANALYST: return EL_PERM_VIEW | EL_PERM_IMPORT | EL_PERM_EXPORT | EL_PERM_PATIENT;
    case EL_ROLE_MANAGER: return EL_PERM_VIEW | EL_PERM_EXPORT | EL_PERM_PLANS;
    case EL_ROLE_CLINICIAN: return EL_PERM_VIEW | EL_PERM_PATIENT;
    case EL_ROLE_NAVIGATOR: return EL_PERM_VIEW | EL_PERM_PATIENT;
    case EL_ROLE_VIEWER: return EL_PERM_VIEW;
    default: return 0;
    }
}

void el_perms_format(unsigned perms, char *buf, size_t cap)
{
    static const char *const names[] = {"view", "import", "export", "patient", "plans", "admin"};
    size_t n = 0;
    if (cap) buf[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(perms & (1u << i))) continue;
        int k = snprintf(buf + n, cap > n ? cap - n : 0, "%s%s", n ? "," : "", names[i]);
        if (k > 0) n += (size_t)k;
        if (n >= cap) break;
    }
}

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS el_user("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
    " pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, last_login INTEGER);"
    "CREATE TABLE IF NOT EXISTS el_session("
    " id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES el_user(id),"
    " csrf TEXT NOT NULL, remote TEXT, created INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS el_token("
    " id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES el_user(id),"
    " token_hash TEXT NOT NULL UNIQUE, label TEXT, created INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS el_audit("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, time TEXT NOT NULL,"
    " user TEXT, remote TEXT, action TEXT NOT NULL, object TEXT, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS el_audit_action_ts ON el_audit(action, ts);"
    "CREATE INDEX IF NOT EXISTS el_audit_action_user ON el_audit(action, user);"
    "CREATE INDEX IF NOT EXISTS el_audit_action_remote ON el_audit(action, remote);"
    "CREATE TRIGGER IF NOT EXISTS el_audit_no_update BEFORE UPDATE ON el_audit"
    " BEGIN SELECT RAISE(ABORT, 'el_audit is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS el_audit_no_delete BEFORE DELETE ON el_audit"
    " BEGIN SELECT RAISE(ABORT, 'el_audit is append-only'); END;";

static el_status db_err(el_auth *a, el_error *err, const char *what)
{
    return el_error_set(err, EL_ERR_DB, "%s: %s", what, a && a->db ? sqlite3_errmsg(a->db) : "no database");
}

el_auth *el_auth_open(const char *path, el_error *err)
{
    if (sodium_init() < 0) {
        el_error_set(err, EL_ERR_INTERNAL, "libsodium failed to initialise");
        return NULL;
    }
    el_auth *a = calloc(1, sizeof *a);
    if (!a) { el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    pthread_mutex_init(&a->mu, NULL);
    if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        el_error_set(err, EL_ERR_DB, "%s: cannot open database: %s", path,
                     a->db ? sqlite3_errmsg(a->db) : "out of memory");
        el_auth_close(a);
        return NULL;
    }
    sqlite3_busy_timeout(a->db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(a->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        el_error_set(err, EL_ERR_DB, "%s: cannot create account tables: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        el_auth_close(a);
        return NULL;
    }
    return a;
}

void el_auth_close(el_auth *a)
{
    if (!a) return;
    if (a->db) sqlite3_close_v2(a->db);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

int el_auth_valid_name(const char *name)
{
    if (!name) return 0;
    size_t n = strlen(name);
    if (n == 0 || n > EL_AUTH_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return 0;
    }
    return 1;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, in, n);
}

static void random_hex(char *out /* EL_AUTH_ID_LEN + 1 */)
{
    unsigned char b[EL_AUTH_ID_LEN / 2];
    randombytes_buf(b, sizeof b);
    hex(b, sizeof b, out);
}

/* BLAKE2b-256 of a secret → 64 hex chars: what is stored instead of the secret. */
static void secret_hash(const char *secret, char *out /* 65 */)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    hex(h, sizeof h, out);
}

static void iso_time(time_t t, char *buf, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static el_status check_password(const char *pw, el_error *err)
{
    if (!pw || strlen(pw) < EL_AUTH_PASSWORD_MIN)
        return el_error_set(err, EL_ERR_INVALID, "password must be at least %d characters", EL_AUTH_PASSWORD_MIN);
    if (strlen(pw) > 1024) return el_error_set(err, EL_ERR_INVALID, "password longer than 1024 characters");
    return EL_OK;
}

static el_status hash_password(const char *pw, char *out, el_error *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return el_error_set(err, EL_ERR_NOMEM, "password hashing ran out of memory");
    return EL_OK;
}

/* Audit insert; caller holds the mutex. */
static el_status audit_locked(el_auth *a, const char *who, const char *remote, const char *action,
                              const char *object, const char *detail)
{
    sqlite3_stmt *st = NULL;
    time_t now = time(NULL);
    char iso[32];
    iso_time(now, iso, sizeof iso);
    if (sqlite3_prepare_v2(a->db,
                           "INSERT INTO el_audit(ts,time,user,remote,action,object,detail) VALUES(?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return EL_ERR_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
    sqlite3_bind_text(st, 2, iso, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, who ? who : "-", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, remote ? remote : "-", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, action, -1, SQLITE_TRANSIENT);
    if (object) sqlite3_bind_text(st, 6, object, -1, SQLITE_TRANSIENT);
    if (detail) sqlite3_bind_text(st, 7, detail, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? EL_OK : EL_ERR_DB;
}

el_status el_auth_audit(el_auth *a, const char *who, const char *remote, const char *action,
                        const char *object, const char *detail)
{
    if (!a || !action) return EL_ERR_INVALID;
    pthread_mutex_lock(&a->mu);
    el_status s = audit_locked(a, who, remote, action, object, detail);
    pthread_mutex_unlock(&a->mu);
    return s;
}

el_status el_auth_user_add(el_auth *a, const char *name, el_role role, const char *password, el_error *err)
{
    if (!el_auth_valid_name(name))
        return el_error_set(err, EL_ERR_INVALID, "user name must be 1-%d of A-Z a-z 0-9 . _ @ -", EL_AUTH_NAME_MAX);
    if (role < 0 || role >= EL_ROLE__COUNT) return el_error_set(err, EL_ERR_INVALID, "unknown role");
    el_status s = check_password(password, err);
    if (s != EL_OK) return s;
    char h[crypto_pwhash_STRBYTES];
    if ((s = hash_password(password, h, err)) != EL_OK) return s;
    pthread_mutex_lock(&a->mu);
    sqlite3_stmt *st = NULL;
    s = EL_OK;
    if (sqlite3_prepare_v2(a->db, "INSERT INTO el_user(name,role,pwhash,created) VALUES(?,?,?,?)", -1, &st,
                           NULL) != SQLITE_OK) {
        s = db_err(a, err, "add user");
    } else {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, el_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        int rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT) s = el_error_set(err, EL_ERR_EXISTS, "user '%s' already exists", name);
        else if (rc != SQLITE_DONE) s = db_err(a, err, "add user");
    }
    sqlite3_finalize(st);
    if (s == EL_OK) audit_locked(a, "cli", "local", "user_add", name, el_role_name(role));
    pthread_mutex_unlock(&a->mu);
    sodium_memzero(h, sizeof h);
    return s;
}

long el_auth_user_count(el_auth *a)
{
    long n = -1;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db, "SELECT count(*) FROM el_user", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return n;
}

json_t *el_auth_user_list(el_auth *a, el_error *err)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db, "SELECT name, role, disabled, created, last_login FROM el_user ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        db_err(a, err, "list users");
        json_decref(arr);
        arr = NULL;
    } else {
        while (sqlite3_step(st) == SQLITE_ROW) {
            char c[32] = "", l[32] = "";
            iso_time((time_t)sqlite3_column_int64(st, 3), c, sizeof c);
            if (sqlite3_column_type(st, 4) != SQLITE_NULL) iso_time((time_t)sqlite3_column_int64(st, 4), l, sizeof l);
            json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s, s:s?}",
                                                 "name", (const char *)sqlite3_column_text(st, 0),
                                                 "role", (const char *)sqlite3_column_text(st, 1),
                                                 "disabled", sqlite3_column_int(st, 2),
                                                 "created", c, "last_login", l[0] ? l : NULL));
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return arr;
}

/* Fill a user from a row "id, name, role, disabled" starting at column c0. */
static void user_from_row(sqlite3_stmt *st, int c0, el_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, c0);
    const char *n = (const char *)sqlite3_column_text(st, c0 + 1);
    snprintf(u->name, sizeof u->name, "%s", n ? n : "");
    int r = el_role_by_name((const char *)sqlite3_column_text(st, c0 + 2));
    u->role = r < 0 ? EL_ROLE_VIEWER : (el_role)r;
    u->disabled = sqlite3_column_int(st, c0 + 3);
}

el_status el_auth_user_get(el_auth *a, const char *name, el_user *out, el_error *err)
{
    sqlite3_stmt *st = NULL;
    el_status s;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db, "SELECT id, name, role, disabled FROM el_user WHERE name=?", -1, &st, NULL) !=
        SQLITE_OK) {
        s = db_err(a, err, "find user");
    } else {
        sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) { user_from_row(st, 0, out); s = EL_OK; }
        else s = el_error_set(err, EL_ERR_NOTFOUND, "no user '%s'", name ? name : "");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return s;
}

/* Run a statement with one text and optionally one int parameter; returns changes or -1. */
static int exec1(el_auth *a, const char *sql, const char *t1, const char *t2)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    if (t1) sqlite3_bind_text(st, 1, t1, -1, SQLITE_TRANSIENT);
    if (t2) sqlite3_bind_text(st, 2, t2, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_changes(a->db) : -1;
}

el_status el_auth_user_set_disabled(el_auth *a, const char *name, int disabled, el_error *err)
{
    el_status s = EL_OK;
    pthread_mutex_lock(&a->mu);
    int n = exec1(a, disabled ? "UPDATE el_user SET disabled=1 WHERE name=?" : "UPDATE el_user SET disabled=0 WHERE name=?",
                  name, NULL);
    if (n < 0) s = db_err(a, err, "update user");
    else if (n == 0) s = el_error_set(err, EL_ERR_NOTFOUND, "no user '%s'", name);
    else if (disabled) {
        exec1(a, "DELETE FROM el_session WHERE user_id=(SELECT id FROM el_user WHERE name=?)", name, NULL);
        exec1(a, "UPDATE el_token SET revoked=1 WHERE user_id=(SELECT id FROM el_user WHERE name=?)", name, NULL);
    }
    if (s == EL_OK) audit_locked(a, "cli", "local", disabled ? "user_disable" : "user_enable", name, NULL);
    pthread_mutex_unlock(&a->mu);
    return s;
}

el_status el_auth_user_reset(el_auth *a, const char *name, const char *password, el_error *err)
{
    el_status s = check_password(password, err);
    if (s != EL_OK) return s;
    char h[crypto_pwhash_STRBYTES];
    if ((s = hash_password(password, h, err)) != EL_OK) return s;
    pthread_mutex_lock(&a->mu);
    int n = exec1(a, "UPDATE el_user SET pwhash=?2 WHERE name=?1", name, h);
    if (n < 0) s = db_err(a, err, "reset password");
    else if (n == 0) s = el_error_set(err, EL_ERR_NOTFOUND, "no user '%s'", name);
    else {
        exec1(a, "DELETE FROM el_session WHERE user_id=(SELECT id FROM el_user WHERE name=?)", name, NULL);
        audit_locked(a, "cli", "local", "user_reset", name, NULL);
    }
    pthread_mutex_unlock(&a->mu);
    sodium_memzero(h, sizeof h);
    return s;
}

static long count_failures(el_auth *a, const char *col, const char *val, time_t since)
{
    char sql[256];
    /* col is one of two fixed column names, never user input */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM el_audit WHERE action='login_failed' AND ts>?1 AND %s=?2"
             " AND id>coalesce((SELECT max(id) FROM el_audit WHERE action='login' AND %s=?2),0)",
             col, col);
    sqlite3_stmt *st = NULL;
    long n = 0;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
        sqlite3_bind_text(st, 2, val, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) n = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

el_status el_auth_login(el_auth *a, const char *name, const char *password, const char *remote,
                        const el_throttle *t, el_user *out, el_login_result *result, el_error *err)
{
    el_throttle def = {5, 900};
    if (!t) t = &def;
    if (!name) name = "";
    if (!password) password = "";
    if (!remote) remote = "-";
    char safe_name[EL_AUTH_NAME_MAX + 1];
    /* only a well-formed name is recorded as such in the audit trail */
    snprintf(safe_name, sizeof safe_name, "%s", el_auth_valid_name(name) ? name : "(invalid name)");
    *result = EL_LOGIN_BAD;
    time_t now = time(NULL);
    char stored[crypto_pwhash_STRBYTES] = "";
    el_user u;
    int found = 0;

    pthread_mutex_lock(&a->mu);
    long fn = count_failures(a, "user", safe_name, now - (time_t)t->window);
    long fr = count_failures(a, "remote", remote, now - (time_t)t->window);
    if (fn >= (long)t->max_fail || fr >= 4L * (long)t->max_fail) {
        *result = EL_LOGIN_THROTTLED;
        audit_locked(a, safe_name, remote, "login_throttled", NULL, NULL);
        pthread_mutex_unlock(&a->mu);
        return EL_OK;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, "SELECT id, name, role, disabled, pwhash FROM el_user WHERE name=?", -1, &st,
                           NULL) != SQLITE_OK) {
        el_status s = db_err(a, err, "login");
        pthread_mutex_unlock(&a->mu);
        return s;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_from_row(st, 0, &u);
        snprintf(stored, sizeof stored, "%s", (const char *)sqlite3_column_text(st, 4));
        found = 1;
    }
    sqlite3_finalize(st);
    if (!found && !a->have_dummy) {
        if (crypto_pwhash_str(a->dummy_hash, "not a password, equalises timing", 32,
                              crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
            a->have_dummy = 1;
    }
    if (!found) snprintf(stored, sizeof stored, "%s", a->dummy_hash);
    pthread_mutex_unlock(&a->mu);

    /* the slow part runs without the lock */
    int ok = stored[0] && crypto_pwhash_str_verify(stored, password, strlen(password)) == 0 && found;
    sodium_memzero(stored, sizeof stored);

    pthread_mutex_lock(&a->mu);
    if (ok && u.disabled) {
        *result = EL_LOGIN_DISABLED;
        audit_locked(a, safe_name, remote, "login_failed", NULL, "account disabled");
    } else if (ok) {
        *result = EL_LOGIN_OK;
        *out = u;
        char idbuf[32];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)u.id);
        exec1(a, "UPDATE el_user SET last_login=strftime('%s','now') WHERE id=?", idbuf, NULL);
        audit_locked(a, safe_name, remote, "login", NULL, el_role_name(u.role));
    } else {
        *result = EL_LOGIN_BAD;
        audit_locked(a, safe_name, remote, "login_failed", NULL, found ? "wrong password" : "unknown user");
    }
    pthread_mutex_unlock(&a->mu);
    return EL_OK;
}

el_status el_auth_session_new(el_auth *a, int64_t user_id, const char *remote, char *sid, char *csrf,
                              el_error *err)
{
    char h[65];
    random_hex(sid);
    random_hex(csrf);
    secret_hash(sid, h);
    time_t now = time(NULL);
    sqlite3_stmt *st = NULL;
    el_status s = EL_OK;
    pthread_mutex_lock(&a->mu);
    /* housekeeping: sessions unused for a day are gone */
    sqlite3_exec(a->db, "DELETE FROM el_session WHERE last_seen < strftime('%s','now') - 86400", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(a->db,
                           "INSERT INTO el_session(id_hash,user_id,csrf,remote,created,last_seen) VALUES(?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        s = db_err(a, err, "new session");
    } else {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, remote ? remote : "-", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
        if (sqlite3_step(st) != SQLITE_DONE) s = db_err(a, err, "new session");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return s;
}

static int is_hex_id(const char *s, size_t want)
{
    if (!s || strlen(s) != want) return 0;
    for (size_t i = 0; i < want; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

el_status el_auth_session_get(el_auth *a, const char *sid, unsigned idle, unsigned max_age, el_user *user,
                              char *csrf, el_error *err)
{
    if (!is_hex_id(sid, EL_AUTH_ID_LEN)) return el_error_set(err, EL_ERR_NOTFOUND, "no session");
    char h[65];
    secret_hash(sid, h);
    time_t now = time(NULL);
    sqlite3_stmt *st = NULL;
    el_status s = EL_ERR_NOTFOUND;
    int expired = 0;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db,
                           "SELECT u.id, u.name, u.role, u.disabled, s.csrf, s.created, s.last_seen"
                           " FROM el_session s JOIN el_user u ON u.id = s.user_id WHERE s.id_hash=?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            user_from_row(st, 0, user);
            snprintf(csrf, EL_AUTH_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 4));
            time_t created = (time_t)sqlite3_column_int64(st, 5), seen = (time_t)sqlite3_column_int64(st, 6);
            if (user->disabled || now - seen > (time_t)idle || now - created > (time_t)max_age) expired = 1;
            else s = EL_OK;
        }
    }
    sqlite3_finalize(st);
    if (expired) exec1(a, "DELETE FROM el_session WHERE id_hash=?", h, NULL);
    else if (s == EL_OK) exec1(a, "UPDATE el_session SET last_seen=strftime('%s','now') WHERE id_hash=?", h, NULL);
    pthread_mutex_unlock(&a->mu);
    if (s != EL_OK) el_error_set(err, EL_ERR_NOTFOUND, expired ? "session expired" : "no session");
    return s;
}

void el_auth_session_end(el_auth *a, const char *sid)
{
    if (!is_hex_id(sid, EL_AUTH_ID_LEN)) return;
    char h[65];
    secret_hash(sid, h);
    pthread_mutex_lock(&a->mu);
    exec1(a, "DELETE FROM el_session WHERE id_hash=?", h, NULL);
    pthread_mutex_unlock(&a->mu);
}

el_status el_auth_token_new(el_auth *a, const char *name, const char *label, char *token, el_error *err)
{
    el_user u;
    el_status s = el_auth_user_get(a, name, &u, err);
    if (s != EL_OK) return s;
    if (u.disabled) return el_error_set(err, EL_ERR_PERM, "user '%s' is disabled", name);
    char r[EL_AUTH_ID_LEN + 1], h[65];
    random_hex(r);
    snprintf(token, EL_AUTH_TOKEN_LEN + 1, "elt_%s", r);
    secret_hash(token, h);
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db, "INSERT INTO el_token(user_id,token_hash,label,created) VALUES(?,?,?,?)", -1, &st,
                           NULL) != SQLITE_OK) {
        s = db_err(a, err, "new token");
    } else {
        sqlite3_bind_int64(st, 1, u.id);
        sqlite3_bind_text(st, 2, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, label ? label : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE) s = db_err(a, err, "new token");
    }
    sqlite3_finalize(st);
    if (s == EL_OK) audit_locked(a, "cli", "local", "token_new", name, label);
    pthread_mutex_unlock(&a->mu);
    return s;
}

el_status el_auth_token_check(el_auth *a, const char *token, el_user *user, el_error *err)
{
    if (!token || strncmp(token, "elt_", 4) || !is_hex_id(token + 4, EL_AUTH_ID_LEN))
        return el_error_set(err, EL_ERR_NOTFOUND, "bad token");
    char h[65];
    secret_hash(token, h);
    sqlite3_stmt *st = NULL;
    el_status s = EL_ERR_NOTFOUND;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db,
                           "SELECT u.id, u.name, u.role, u.disabled FROM el_token t JOIN el_user u ON u.id=t.user_id"
                           " WHERE t.token_hash=? AND t.revoked=0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            user_from_row(st, 0, user);
            if (!user->disabled) s = EL_OK;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    if (s != EL_OK) el_error_set(err, EL_ERR_NOTFOUND, "unknown or revoked token");
    return s;
}

el_status el_auth_token_revoke_all(el_auth *a, const char *name, el_error *err)
{
    el_status s = EL_OK;
    pthread_mutex_lock(&a->mu);
    int n = exec1(a, "UPDATE el_token SET revoked=1 WHERE user_id=(SELECT id FROM el_user WHERE name=?)", name, NULL);
    if (n < 0) s = db_err(a, err, "revoke tokens");
    else audit_locked(a, "cli", "local", "token_revoke", name, NULL);
    pthread_mutex_unlock(&a->mu);
    return s;
}

json_t *el_auth_audit_list(el_auth *a, int64_t before, size_t limit, const char *action, el_error *err)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = NULL;
    if (limit == 0 || limit > 1000) limit = 1000;
    pthread_mutex_lock(&a->mu);
    if (sqlite3_prepare_v2(a->db,
                           "SELECT id, time, user, remote, action, object, detail FROM el_audit"
                           " WHERE (?1 = 0 OR id < ?1) AND (?2 IS NULL OR action = ?2) ORDER BY id DESC LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        db_err(a, err, "read audit");
        json_decref(arr);
        arr = NULL;
    } else {
        sqlite3_bind_int64(st, 1, before);
        if (action && *action) sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
            static const char *const k[] = {"time", "user", "remote", "action", "object", "detail"};
            for (int i = 0; i < 6; i++) {
                const char *v = (const char *)sqlite3_column_text(st, i + 1);
                json_object_set_new(o, k[i], v ? json_string(v) : json_null());
            }
            json_array_append_new(arr, o);
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&a->mu);
    return arr;
}
