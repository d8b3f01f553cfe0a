/* cmd_datasets.c — `equitylens datasets`: list the dataset versions in the store. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/cli.h"
#include "equitylens/csv.h"
#include "equitylens/parse.h"
#include "equitylens/store.h"

static void help(FILE *f)
{
    fputs(
"usage: equitylens datasets [options]\n"
"\n"
"List every imported dataset version, oldest first: id, kind, rows read /\n"
"accepted / rejected, import time (UTC), mapping, IMD edition, census date,\n"
"source file and the first 12 hex digits of its SHA-256.\n"
"\n"
"Options:\n"
"  --db PATH          store (default: $EQUITYLENS_DB or ./equitylens.db); opened\n"
"                     read-only: it must exist (equitylens import creates it)\n"
"  --format F         text (default), csv or json\n"
"  -h, --help         this help\n"
"\n"
"Exit status: 0 ok, 1 store error (no store at PATH, not an equitylens store,\n"
"unreadable, or the list could not be written), 2 usage.\n", f);
}

int cmd_datasets(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"format", required_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *db = NULL, *fmt = "text";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'F': fmt = optarg; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind != argc || (strcmp(fmt, "text") && strcmp(fmt, "csv") && strcmp(fmt, "json"))) {
        help(stderr);
        return EL_EXIT_USAGE;
    }
    if (!db) db = el_store_default_location();
    el_error err;
    el_error_clear(&err);
    el_store *s = el_store_open_readonly(db, &err);
    if (!s) { el_cli_print_error("datasets", &err); return el_cli_exit_code(err.status); }
    el_dataset_meta *all = NULL;
    size_t n = 0;
    el_status st = el_store_list(s, &all, &n, &err);
    el_store_close(s);
    if (st != EL_OK) { el_cli_print_error("datasets", &err); return el_cli_exit_code(st); }
    if (!strcmp(fmt, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const el_dataset_meta *m = &all[i];
            char cd[16] = "";
            if (m->census_date != EL_NA) el_format_date(m->census_date, cd);
            json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:s,s:s,s:s}",
                "id", (json_int_t)m->id, "source", m->source, "kind", el_kind_name(m->kind),
                "rows_read", (json_int_t)m->rows_read, "rows_accepted", (json_int_t)m->rows_accepted,
                "rows_rejected", (json_int_t)m->rows_rejected, "bytes", (json_int_t)m->bytes,
                "sha256", m->sha256, "imported_at", m->imported_at, "mapping", m->mapping);
            json_object_set_new(o, "imd_edition", m->imd_edition ? json_integer(m->imd_edition) : json_null());
            json_object_set_new(o, "census_date", *cd ? json_string(cd) : json_null());
            json_array_append_new(arr, o);
        }
        json_t *root = json_pack("{s:o}", "datasets", arr);
        char *txt = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
        if (txt) { puts(txt); free(txt); }
        json_decref(root);
    } else if (!strcmp(fmt, "csv")) {
        puts("id,kind,rows_read,rows_accepted,rows_rejected,imported_at,mapping,imd_edition,census_date,source,sha256");
        for (size_t i = 0; i < n; i++) {
            const el_dataset_meta *m = &all[i];
            char cd[16] = "", ed[16] = "";
            if (m->census_date != EL_NA) el_format_date(m->census_date, cd);
            if (m->imd_edition) snprintf(ed, sizeof ed, "%d", m->imd_edition);
            printf("%lld,%s,%llu,%llu,%llu,%s,", (long long)m->id, el_kind_name(m->kind),
                   (unsigned long long)m->rows_read, (unsigned long long)m->rows_accepted,
                   (unsigned long long)m->rows_rejected, m->imported_at);
            el_csv_write_field(stdout, m->mapping);
            printf(",%s,%s,", ed, cd);
            el_csv_write_field(stdout, m->source);
            printf(",%s\n", m->sha256);
        }
    } else {
        if (!n) printf("no datasets in %s\n", db);
        else printf("%4s  %-15s %10s %10s %9s  %-20s  %-24s %4s  %-10s  %-12s  %s\n", "id", "kind", "read",
                    "accepted", "rejected", "imported (UTC)", "mapping", "imd", "census", "sha256", "source");
        for (size_t i = 0; i < n; i++) {
            const el_dataset_meta *m = &all[i];
            char cd[16] = "-", ed[16] = "-";
            if (m->census_date != EL_NA) el_format_date(m->census_date, cd);
            if (m->imd_edition) snprintf(ed, sizeof ed, "%d", m->imd_edition);
            printf("%4lld  %-15s %10llu %10llu %9llu  %-20s  %-24s %4s  %-10s  %.12s  %s\n", (long long)m->id,
                   el_kind_name(m->kind), (unsigned long long)m->rows_read, (unsigned long long)m->rows_accepted,
                   (unsigned long long)m->rows_rejected, m->imported_at, m->mapping, ed, cd, m->sha256, m->source);
        }
    }
    free(all);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "equitylens datasets: error: cannot write the list: %s\n", strerror(errno));
        return EL_EXIT_FAIL;
    }
    return EL_EXIT_OK;
}
