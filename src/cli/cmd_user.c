/* cmd_user.c — equitylens user: manage web accounts (owner: web).
 * Passwords are read from standard input (first line) or, on a terminal,
 * prompted for twice with echo off; never taken from the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>
#include <jansson.h>
#include "equitylens/auth.h"
#include "equitylens/cli.h"
#include "equitylens/web.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: equitylens user <action> [NAME] [options]\n\n"
        "Manage the accounts of the web application (equitylens serve).\n\n"
        "actions:\n"
        "  add NAME --role ROLE   create an account (the first admin is made this way)\n"
        "  list                   list accounts: name, role, disabled, created, last login\n"
        "  disable NAME           disable an account (ends its sessions, revokes its tokens)\n"
        "  enable NAME            enable a disabled account\n"
        "  reset NAME             set a new password (ends the account's sessions)\n"
        "  token NAME             create an API token for scripts (printed once; only its hash is kept)\n"
        "  revoke-tokens NAME     revoke every API token of the account\n"
        "  audit                  print the audit trail, newest first\n\n"
        "options:\n"
        "  --db PATH       the store's SQLite file (default: $EQUITYLENS_DB, else %s)\n"
        "  --role ROLE     for add: admin, analyst, manager, clinician, navigator or viewer\n"
        "  --label TEXT    for token: what the token is for (shown in the audit trail)\n"
        "  --json          for list and audit: JSON output\n"
        "  --limit N       for audit: at most N events (default 50)\n"
        "  -h, --help      this help\n\n"
        "Passwords (add, reset) are read from standard input, first line, or prompted for\n"
        "twice with echo off when standard input is a terminal; at least %d characters.\n"
        "Roles and what they may do: docs/web.md.\n",
        EL_WEB_DEFAULT_DB, EL_AUTH_PASSWORD_MIN);
}

/* Read a password: prompt twice with echo off on a terminal, else the first line of stdin. */
static el_status read_password(char *buf, size_t cap, el_error *err)
{
    int tty = isatty(STDIN_FILENO);
    for (int attempt = 0; attempt < (tty ? 2 : 1); attempt++) {
        char *dst = attempt == 0 ? buf : NULL;
        char again[1100];
        if (attempt == 1) dst = again;
        struct termios old, noecho;
        if (tty) {
            fprintf(stderr, attempt == 0 ? "password: " : "password (again): ");
            fflush(stderr);
            tcgetattr(STDIN_FILENO, &old);
            noecho = old;
            noecho.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
        }
        char *got = fgets(dst, (int)(attempt == 0 ? cap : sizeof again), stdin);
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fputc('\n', stderr);
        }
        if (!got) return el_error_set(err, EL_ERR_INVALID, "no password given on standard input");
        if (!strchr(dst, '\n') && !feof(stdin))
            return el_error_set(err, EL_ERR_INVALID, "password too long");
        dst[strcspn(dst, "\r\n")] = 0;
        if (attempt == 1) {
            int same = !strcmp(buf, again);
            sodium_memzero(again, sizeof again);
            if (!same) return el_error_set(err, EL_ERR_INVALID, "the two passwords differ");
        }
    }
    return EL_OK;
}

int cmd_user(int argc, char **argv)
{
    const char *db = getenv("EQUITYLENS_DB");
    if (!db || !*db) db = EL_WEB_DEFAULT_DB;
    const char *role = NULL, *label = NULL;
    int json = 0;
    long limit = 50;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"role", required_argument, 0, 'r'},
        {"label", required_argument, 0, 'l'}, {"json", no_argument, 0, 'j'},
        {"limit", required_argument, 0, 'n'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': role = optarg; break;
        case 'l': label = optarg; break;
        case 'j': json = 1; break;
        case 'n': {
            char *end;
            errno = 0;
            limit = strtol(optarg, &end, 10);
            if (errno || *end || limit < 1 || limit > 1000) {
                fprintf(stderr, "equitylens user: --limit must be 1..1000\n");
                return EL_EXIT_USAGE;
            }
            break;
        }
        case 'h': usage(stdout); return EL_EXIT_OK;
        default: usage(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind >= argc) { usage(stderr); return EL_EXIT_USAGE; }
    const char *action = argv[optind];
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    int needs_name = strcmp(action, "list") && strcmp(action, "audit");
    if (needs_name && !name) {
        fprintf(stderr, "equitylens user %s: NAME is required\n", action);
        return EL_EXIT_USAGE;
    }
    if (optind + (needs_name ? 2 : 1) < argc) {
        fprintf(stderr, "equitylens user %s: unexpected argument '%s' (passwords are read from standard input)\n",
                action, argv[optind + (needs_name ? 2 : 1)]);
        return EL_EXIT_USAGE;
    }
    int rl = -1;
    if (!strcmp(action, "add")) {
        rl = el_role_by_name(role);
        if (rl < 0) {
            fprintf(stderr, "equitylens user add: --role must be admin, analyst, manager, clinician, navigator or viewer\n");
            return EL_EXIT_USAGE;
        }
    } else if (strcmp(action, "list") && strcmp(action, "disable") && strcmp(action, "enable") &&
               strcmp(action, "reset") && strcmp(action, "token") && strcmp(action, "revoke-tokens") &&
               strcmp(action, "audit")) {
        fprintf(stderr, "equitylens user: unknown action '%s'\n", action);
        usage(stderr);
        return EL_EXIT_USAGE;
    }

    el_error err;
    el_error_clear(&err);
    el_auth *a = el_auth_open(db, &err);
    if (!a) { el_cli_print_error("user", &err); return EL_EXIT_FAIL; }
    el_status s = EL_OK;
    if (!strcmp(action, "add") || !strcmp(action, "reset")) {
        char pw[1100];
        s = read_password(pw, sizeof pw, &err);
        if (s == EL_OK)
            s = !strcmp(action, "add") ? el_auth_user_add(a, name, (el_role)rl, pw, &err)
                                       : el_auth_user_reset(a, name, pw, &err);
        sodium_memzero(pw, sizeof pw);
        if (s == EL_OK) printf("%s %s\n", !strcmp(action, "add") ? "added" : "password reset for", name);
    } else if (!strcmp(action, "list") || !strcmp(action, "audit")) {
        json_t *j = !strcmp(action, "list") ? el_auth_user_list(a, &err)
                                            : el_auth_audit_list(a, 0, (size_t)limit, NULL, &err);
        if (!j) s = err.status ? err.status : EL_ERR_DB;
        else if (json) {
            char *t = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
            if (t) { puts(t); free(t); }
        } else if (!strcmp(action, "list")) {
            printf("%-24s %-10s %-8s %-20s %s\n", "name", "role", "status", "created", "last login");
            size_t i;
            json_t *u;
            json_array_foreach(j, i, u) {
                const char *ll = json_string_value(json_object_get(u, "last_login"));
                printf("%-24s %-10s %-8s %-20s %s\n", json_string_value(json_object_get(u, "name")),
                       json_string_value(json_object_get(u, "role")),
                       json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active",
                       json_string_value(json_object_get(u, "created")), ll ? ll : "-");
            }
        } else {
            size_t i;
            json_t *e;
            json_array_foreach(j, i, e) {
                const char *k[] = {"time", "user", "remote", "action", "object", "detail"};
                printf("%lld", (long long)json_integer_value(json_object_get(e, "id")));
                for (int q = 0; q < 6; q++) {
                    const char *v = json_string_value(json_object_get(e, k[q]));
                    printf("\t%s", v ? v : "-");
                }
                putchar('\n');
            }
        }
        json_decref(j);
    } else if (!strcmp(action, "disable") || !strcmp(action, "enable")) {
        s = el_auth_user_set_disabled(a, name, !strcmp(action, "disable"), &err);
        if (s == EL_OK) printf("%s %s\n", !strcmp(action, "disable") ? "disabled" : "enabled", name);
    } else if (!strcmp(action, "token")) {
        char tok[EL_AUTH_TOKEN_LEN + 1];
        s = el_auth_token_new(a, name, label, tok, &err);
        if (s == EL_OK) {
            printf("%s\n", tok);
            fprintf(stderr, "API token for %s (shown once): send it as 'Authorization: Bearer <token>'\n", name);
        }
        sodium_memzero(tok, sizeof tok);
    } else if (!strcmp(action, "revoke-tokens")) {
        s = el_auth_token_revoke_all(a, name, &err);
        if (s == EL_OK) printf("revoked every token of %s\n", name);
    }
    el_auth_close(a);
    if (s != EL_OK) {
        if (!err.status) el_error_set(&err, s, "%s", el_status_str(s));
        el_cli_print_error("user", &err);
        return el_cli_exit_code(s);
    }
    return EL_EXIT_OK;
}
