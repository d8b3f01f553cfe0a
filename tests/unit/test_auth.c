/* test_auth.c — unit tests for accounts, sessions, tokens, throttling and
 * the append-only audit trail (src/store/auth_sqlite.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "equitylens/auth.h"

static char dbpath[64];

static int setup(void **st)
{
    (void)st;
    snprintf(dbpath, sizeof dbpath, "/tmp/el-test-auth-%d.db", (int)getpid());
    unlink(dbpath);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static void test_roles_and_perms(void **st)
{
    (void)st;
    assert_int_equal(el_role_by_name("analyst"), EL_ROLE_ANALYST);
    assert_int_equal(el_role_by_name("root"), -1);
    assert_int_equal(el_role_by_name(NULL), -1);
    assert_string_equal(el_role_name(EL_ROLE_VIEWER), "viewer");
    assert_true(el_role_perms(EL_ROLE_ADMIN) & EL_PERM_ADMIN);
    assert_true(el_role_perms(EL_ROLE_ANALYST) & EL_PERM_IMPORT);
    assert_false(el_role_perms(EL_ROLE_ANALYST) & EL_PERM_ADMIN);
    assert_int_equal(el_role_perms(EL_ROLE_VIEWER), EL_PERM_VIEW);
    assert_false(el_role_perms(EL_ROLE_MANAGER) & EL_PERM_IMPORT);
    assert_true(el_role_perms(EL_ROLE_CLINICIAN) & EL_PERM_PATIENT);
    char buf[64];
    el_perms_format(EL_PERM_VIEW | EL_PERM_EXPORT, buf, sizeof buf);
    assert_string_equal(buf, "view,export");
    assert_true(el_auth_valid_name("a.b-c_d@nhs.net"));
    assert_false(el_auth_valid_name("a b"));
    assert_false(el_auth_valid_name("x'--"));
    assert_false(el_auth_valid_name(""));
}

static void test_users_login_sessions_tokens(void **st)
{
    (void)st;
    el_error err;
    el_auth *a = el_auth_open(dbpath, &err);
    assert_non_null(a);
    assert_int_equal(el_auth_user_count(a), 0);
    assert_int_equal(el_auth_user_add(a, "ann", EL_ROLE_ANALYST, "short", &err), EL_ERR_INVALID);
    assert_int_equal(el_auth_user_add(a, "bad name", EL_ROLE_ANALYST, "long enough pw", &err), EL_ERR_INVALID);
    assert_int_equal(el_auth_user_add(a, "ann", EL_ROLE_ANALYST, "analyst password", &err), EL_OK);
    assert_int_equal(el_auth_user_add(a, "ann", EL_ROLE_VIEWER, "analyst password", &err), EL_ERR_EXISTS);
    assert_int_equal(el_auth_user_count(a), 1);

    el_throttle t = {3, 900};
    el_user u;
    el_login_result res;
    assert_int_equal(el_auth_login(a, "ann", "analyst password", "10.0.0.1", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_OK);
    assert_string_equal(u.name, "ann");
    assert_int_equal(u.role, EL_ROLE_ANALYST);
    assert_int_equal(el_auth_login(a, "ann", "wrong", "10.0.0.1", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_BAD);
    assert_int_equal(el_auth_login(a, "nobody", "wrong", "10.0.0.1", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_BAD);

    char sid[EL_AUTH_ID_LEN + 1], csrf[EL_AUTH_ID_LEN + 1], csrf2[EL_AUTH_ID_LEN + 1];
    assert_int_equal(el_auth_session_new(a, u.id, "10.0.0.1", sid, csrf, &err), EL_OK);
    assert_int_equal(strlen(sid), EL_AUTH_ID_LEN);
    assert_string_not_equal(sid, csrf);
    el_user s;
    assert_int_equal(el_auth_session_get(a, sid, 60, 3600, &s, csrf2, &err), EL_OK);
    assert_string_equal(s.name, "ann");
    assert_string_equal(csrf, csrf2);
    assert_int_equal(el_auth_session_get(a, "zz", 60, 3600, &s, csrf2, &err), EL_ERR_NOTFOUND);
    char forged[EL_AUTH_ID_LEN + 1];
    memset(forged, 'a', EL_AUTH_ID_LEN);
    forged[EL_AUTH_ID_LEN] = 0;
    assert_int_equal(el_auth_session_get(a, forged, 60, 3600, &s, csrf2, &err), EL_ERR_NOTFOUND);
    /* the database holds only a hash of the session id */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM el_session WHERE id_hash=?", -1, &q, NULL);
    sqlite3_bind_text(q, 1, sid, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);

    /* idle timeout: a session unused for longer than idle seconds is gone */
    char sid2[EL_AUTH_ID_LEN + 1], csrf3[EL_AUTH_ID_LEN + 1];
    assert_int_equal(el_auth_session_new(a, u.id, "10.0.0.1", sid2, csrf3, &err), EL_OK);
    sleep(2);
    assert_int_equal(el_auth_session_get(a, sid2, 1, 3600, &s, csrf2, &err), EL_ERR_NOTFOUND);
    assert_int_equal(el_auth_session_get(a, sid2, 3600, 3600, &s, csrf2, &err), EL_ERR_NOTFOUND);  /* removed */
    /* absolute lifetime */
    assert_int_equal(el_auth_session_get(a, sid, 3600, 1, &s, csrf2, &err), EL_ERR_NOTFOUND);

    char tok[EL_AUTH_TOKEN_LEN + 1];
    assert_int_equal(el_auth_token_new(a, "ann", "test", tok, &err), EL_OK);
    assert_int_equal(strncmp(tok, "elt_", 4), 0);
    assert_int_equal(el_auth_token_check(a, tok, &s, &err), EL_OK);
    assert_string_equal(s.name, "ann");
    assert_int_equal(el_auth_token_check(a, "elt_nothex", &s, &err), EL_ERR_NOTFOUND);

    /* disabling ends sessions and revokes tokens; logins refused */
    assert_int_equal(el_auth_session_new(a, u.id, "10.0.0.1", sid, csrf, &err), EL_OK);
    assert_int_equal(el_auth_user_set_disabled(a, "ann", 1, &err), EL_OK);
    assert_int_equal(el_auth_session_get(a, sid, 60, 3600, &s, csrf2, &err), EL_ERR_NOTFOUND);
    assert_int_equal(el_auth_token_check(a, tok, &s, &err), EL_ERR_NOTFOUND);
    assert_int_equal(el_auth_login(a, "ann", "analyst password", "10.0.0.2", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_DISABLED);
    assert_int_equal(el_auth_user_set_disabled(a, "ann", 0, &err), EL_OK);
    assert_int_equal(el_auth_user_set_disabled(a, "ghost", 1, &err), EL_ERR_NOTFOUND);

    /* reset: the new password works, the old does not */
    assert_int_equal(el_auth_user_reset(a, "ann", "a new password", &err), EL_OK);
    assert_int_equal(el_auth_login(a, "ann", "a new password", "10.0.0.3", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_OK);

    /* throttling: 3 failures for the name → refused even with the right password */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(el_auth_login(a, "ann", "nope nope", "10.0.0.4", &t, &u, &res, &err), EL_OK);
        assert_int_equal(res, EL_LOGIN_BAD);
    }
    assert_int_equal(el_auth_login(a, "ann", "a new password", "10.0.0.5", &t, &u, &res, &err), EL_OK);
    assert_int_equal(res, EL_LOGIN_THROTTLED);

    /* audit: recorded, newest first, filterable, append-only */
    json_t *ev = el_auth_audit_list(a, 0, 1000, "login_throttled", &err);
    assert_non_null(ev);
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "remote")), "10.0.0.5");
    json_decref(ev);
    ev = el_auth_audit_list(a, 0, 2, NULL, &err);
    assert_int_equal(json_array_size(ev), 2);
    assert_true(json_integer_value(json_object_get(json_array_get(ev, 0), "id")) >
                json_integer_value(json_object_get(json_array_get(ev, 1), "id")));
    json_decref(ev);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE el_audit SET user='mallory'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM el_audit", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    json_t *users = el_auth_user_list(a, &err);
    assert_int_equal(json_array_size(users), 1);
    json_decref(users);
    el_auth_close(a);
    el_auth_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_perms),
        cmocka_unit_test_setup_teardown(test_users_login_sessions_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
