/* cmd_import.c — `equitylens import`: CSV extract → mapping → validation →
 * enrichment → dataset version in the store (docs/import.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "equitylens/cli.h"
#include "equitylens/enrich.h"
#include "equitylens/import.h"
#include "equitylens/mapping.h"
#include "equitylens/parse.h"
#include "equitylens/store.h"

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) { (void)sig; interrupted = 1; }

static void help(FILE *f)
{
    fputs(
"usage: equitylens import FILE [options]\n"
"\n"
"Read a patient-level CSV extract (FILE, or - for standard input), map its\n"
"columns and codes to the canonical fields (docs/data-formats.md), validate\n"
"every row, and store the accepted rows as a new dataset version.\n"
"Rows read = rows accepted + rows rejected; every rejection names the line,\n"
"column, field and reason. The import is atomic: on any error, or Ctrl-C,\n"
"the store is left as it was. The file is streamed: rows are read, enriched\n"
"and written in chunks inside one store transaction, so memory stays\n"
"bounded (about 95 MiB at the default chunk) whatever the file size.\n"
"\n"
"Options:\n"
"  --kind K            appointments | waiting_list | cancer_pathways (required\n"
"                      with the canonical mapping; otherwise taken from the\n"
"                      mapping file, and must agree with it when given)\n"
"  --mapping M         mapping: a .map file, a NAME looked up as NAME.map in\n"
"                      $EQUITYLENS_MAPPINGS, ./mappings and the installed\n"
"                      mappings, or 'canonical' (default: canonical)\n"
"  --db PATH           store (default: $EQUITYLENS_DB or ./equitylens.db)\n"
"  --rejects FILE      write rejected rows with line, column, field and reason\n"
"                      as CSV (NHS numbers are replaced by [removed]; text\n"
"                      cells starting = + - @ get a leading ' against formulas)\n"
"  --census-date D     census date (YYYY-MM-DD) for every row: waiting_list\n"
"                      extracts without a census_date column need it\n"
"  --key-file PATH     pseudonymisation key for NHS numbers (default:\n"
"                      $EQUITYLENS_KEY_FILE or ~/.config/equitylens/pseudonym.key,\n"
"                      created with mode 0600 on first use). Only read when\n"
"                      the file has an nhs_number column. The store keeps the\n"
"                      key's fingerprint: a different key is refused, and no\n"
"                      new key is made once the store holds pseudonyms.\n"
"  --imd-edition Y     IMD edition for the deprivation fields: 2019 (on LSOA\n"
"                      2011) or 2025 (on LSOA 2021); default 2025 when the\n"
"                      file has an lsoa21 column, else 2019\n"
"  --convert-lsoa      convert an LSOA of the other vintage through the ONS\n"
"                      2011<->2021 lookup (docs/reference-data.md)\n"
"  --data-dir DIR      reference data directory (default: $EQUITYLENS_DATA,\n"
"                      beside the program, or ./data)\n"
"  --force             import even if an identical file was imported before\n"
"  --chunk-rows N      rows per chunk (default 262144; 1..16777216): memory\n"
"                      grows with N, the stored dataset does not depend on it\n"
"  --progress          print progress (rows, MB, MB/s) to standard error at\n"
"                      most once a second (the default when it is a terminal)\n"
"  --max-record BYTES  longest record accepted (default 1048576)\n"
"  --max-rejected-pct P  fail, storing nothing, when more than P% of the rows\n"
"                      are rejected (default 50: a wrong mapping, delimiter or\n"
"                      encoding); 100 stores whatever was accepted\n"
"  -q, --quiet         print only errors (and the dataset id)\n"
"  -h, --help          this help\n"
"\n"
"Exit status: 0 all rows accepted, 3 stored but some rows were rejected,\n"
"1 failed (nothing stored: bad header, read error, identical file, store\n"
"error, interrupted), 2 usage.\n", f);
}

typedef struct { int tty; double t0, last; } progress_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* At most once a second: rows read, MB read (of the total), MB/s. On a
 * terminal one line rewritten in place, otherwise one line each time. */
static void progress(const el_ingest_progress *p, void *ud)
{
    progress_state *ps = ud;
    double t = now_s();
    int done = p->bytes_total && p->bytes_done >= p->bytes_total;
    if (t - ps->last < 1.0 && !done) return;
    if (done && t - ps->t0 < 1.0) return;   /* short imports stay quiet */
    ps->last = t;
    double mb = (double)p->bytes_done / 1e6, el = t - ps->t0;
    char line[160];
    if (p->bytes_total)
        snprintf(line, sizeof line, "  %llu rows read, %.0f of %.0f MB (%.0f%%), %.1f MB/s",
                 (unsigned long long)p->rows_read, mb, (double)p->bytes_total / 1e6,
                 100.0 * (double)p->bytes_done / (double)p->bytes_total, el > 0 ? mb / el : 0.0);
    else
        snprintf(line, sizeof line, "  %llu rows read, %.0f MB, %.1f MB/s", (unsigned long long)p->rows_read, mb,
                 el > 0 ? mb / el : 0.0);
    if (ps->tty) fprintf(stderr, "\r%-70s", line);
    else fprintf(stderr, "%s\n", line);
}

/* A whole-number option in lo..hi into *out; 0, or -1 after the usage message. */
static int parse_size(const char *arg, const char *opt, size_t lo, size_t hi, size_t *out)
{
    int64_t v;
    if (el_parse_i64(arg, 0, &v) || v < (int64_t)lo || v > (int64_t)hi) {
        fprintf(stderr, "equitylens import: %s must be %zu..%zu\n", opt, lo, hi);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, 0, 'k'}, {"mapping", required_argument, 0, 'm'},
        {"db", required_argument, 0, 'd'}, {"rejects", required_argument, 0, 'r'},
        {"census-date", required_argument, 0, 'c'}, {"key-file", required_argument, 0, 'K'},
        {"force", no_argument, 0, 'f'}, {"quiet", no_argument, 0, 'q'},
        {"max-record", required_argument, 0, 'M'}, {"imd-edition", required_argument, 0, 'I'},
        {"convert-lsoa", no_argument, 0, 'C'}, {"chunk-rows", required_argument, 0, 'R'}, {"progress", no_argument, 0, 'p'}, {"max-rejected-pct", required_argument, 0, 'P'}, {"data-dir", required_argument, 0, 'D'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *kind_s = NULL, *map_s = NULL, *db = NULL, *rej_path = NULL, *census = NULL, *key_file = NULL;
    const char *data_dir = NULL;
    int force = 0, quiet = 0, imd_edition = 0, convert = 0, want_progress = 0;
    size_t chunk_rows = 0;
    double max_rej_pct = 50.0;
    size_t max_record = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kind_s = optarg; break;
        case 'm': map_s = optarg; break;
        case 'd': db = optarg; break;
        case 'r': rej_path = optarg; break;
        case 'c': census = optarg; break;
        case 'K': key_file = optarg; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'M':
            if (parse_size(optarg, "--max-record", 1024, (size_t)1 << 30, &max_record)) return EL_EXIT_USAGE;
            break;
        case 'I':
            if (!strcmp(optarg, "2019")) imd_edition = 2019;
            else if (!strcmp(optarg, "2025")) imd_edition = 2025;
            else { fprintf(stderr, "equitylens import: --imd-edition must be 2019 or 2025\n"); return EL_EXIT_USAGE; }
            break;
        case 'C': convert = 1; break;
        case 'R':
            if (parse_size(optarg, "--chunk-rows", 1, (size_t)1 << 24, &chunk_rows)) return EL_EXIT_USAGE;
            break;
        case 'p': want_progress = 1; break;
        case 'P':
            if (el_parse_double(optarg, 0, &max_rej_pct) || !(max_rej_pct >= 0 && max_rej_pct <= 100)) {
                fprintf(stderr, "equitylens import: --max-rejected-pct must be 0..100\n");
                return EL_EXIT_USAGE;
            }
            break;
        case 'D': data_dir = optarg; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "equitylens import: give exactly one FILE (see --help)\n");
        return EL_EXIT_USAGE;
    }
    const char *file = argv[optind];
    int kind = -1;
    if (kind_s && (kind = el_kind_by_name(kind_s)) < 0) {
        fprintf(stderr, "equitylens import: unknown --kind '%s' (appointments, waiting_list, cancer_pathways)\n", kind_s);
        return EL_EXIT_USAGE;
    }
    if ((!map_s || !strcmp(map_s, "canonical")) && kind < 0) {
        fprintf(stderr, "equitylens import: the canonical mapping needs --kind\n");
        return EL_EXIT_USAGE;
    }
    el_error err;
    el_error_clear(&err);
    el_mapping *m = el_mapping_resolve(map_s, kind, &err);
    if (!m) { el_cli_print_error("import", &err); return el_cli_exit_code(err.status); }
    if (census) {
        int32_t dd;
        if (el_parse_date(census, "YYYY-MM-DD", &dd)) {
            fprintf(stderr, "equitylens import: --census-date '%s' is not a date YYYY-MM-DD\n", census);
            el_mapping_free(m);
            return EL_EXIT_USAGE;
        }
        if (el_mapping_set_constant(m, EL_F_CENSUS_DATE, census, &err) != EL_OK) {
            el_cli_print_error("import", &err);
            el_mapping_free(m);
            return EL_EXIT_USAGE;
        }
    }
    if (!db) db = el_store_default_location();
    int store_existed = el_store_exists(db);   /* a refused import leaves no new empty store behind */
    el_store *store = el_store_open(db, &err);
    if (!store) { el_cli_print_error("import", &err); el_mapping_free(m); return el_cli_exit_code(err.status); }

    FILE *rf = NULL;
    if (rej_path) {
        rf = fopen(rej_path, "w");
        if (!rf) {
            fprintf(stderr, "equitylens import: error: %s: cannot write rejects file: %s\n", rej_path, strerror(errno));
            el_store_close(store); el_mapping_free(m);
            if (!store_existed) el_store_discard(db);
            return EL_EXIT_FAIL;
        }
    }
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_sa);
    sigaction(SIGTERM, &sa, NULL);

    el_import_opts io;
    el_import_opts_default(&io);
    io.mapping = m;
    io.store = store;
    io.data_dir = data_dir;
    io.enrich.imd_edition = imd_edition;
    io.enrich.convert = convert;
    io.key_file = key_file;
    io.rejects = rf;
    io.max_record = max_record;
    io.max_rejected_pct = max_rej_pct;
    io.force = force;
    io.cancel = &interrupted;
    io.chunk_rows = chunk_rows;
    progress_state ps = {isatty(fileno(stderr)), now_s(), 0};
    ps.last = ps.t0;
    if (want_progress || (!quiet && ps.tty)) { io.progress = progress; io.progress_ud = &ps; }
    el_import_result *res = calloc(1, sizeof *res);
    if (!res) {
        fprintf(stderr, "equitylens import: out of memory\n");
        el_store_close(store); el_mapping_free(m);
        if (!store_existed) el_store_discard(db);
        return EL_EXIT_FAIL;
    }
    el_status s = el_import_file(file, &io, res, &err);
    if (io.progress && ps.tty && ps.last > ps.t0) fprintf(stderr, "\r%-70s\r", "");
    const el_ingest_stats *stp = &res->ingest;
    const el_enrich_stats *esp = &res->enrich;
    el_dataset_meta meta = res->meta;
    int keep_rejects = res->too_many_rejects;
    int rc = EL_EXIT_OK;
    if (rf) {
        if (fclose(rf) != 0 && s == EL_OK) s = el_error_set(&err, EL_ERR_IO, "cannot write rejects file %s", rej_path);
        if (s != EL_OK && !keep_rejects) remove(rej_path);   /* nothing stored: no partial side files */
    }
    if (s != EL_OK) {
        el_cli_print_error("import", &err);
        if (s == EL_ERR_EXISTS) fprintf(stderr, "equitylens import: the store is unchanged\n");
        else if (store_existed) fprintf(stderr, "equitylens import: nothing was stored; %s is unchanged\n", db);
        else fprintf(stderr, "equitylens import: nothing was stored; no store was created at %s\n", db);
        if (keep_rejects && rej_path) fprintf(stderr, "equitylens import: rejected rows and reasons: %s\n", rej_path);
        rc = el_cli_exit_code(s);
    } else {
        if (quiet) printf("%lld\n", (long long)meta.id);
        else {
            printf("imported %s as dataset %lld (%s, mapping %s)\n", file, (long long)meta.id,
                   el_kind_name(meta.kind), meta.mapping);
            printf("  rows read       %llu\n", (unsigned long long)stp->rows_read);
            printf("  rows accepted   %llu\n", (unsigned long long)stp->rows_accepted);
            printf("  rows rejected   %llu\n", (unsigned long long)stp->rows_rejected);
            if (stp->key_used)
                printf("  NHS numbers     %llu pseudonymised, %llu invalid (blanked)%s%s%s\n",
                       (unsigned long long)stp->nhs_hashed, (unsigned long long)stp->nhs_invalid,
                       stp->key_path[0] ? "; key " : "", stp->key_path,
                       stp->key_created ? " (new key created: keep it safe and outside the database)" : "");
            for (int f = 0; f < EL_F__COUNT; f++)
                if (stp->blanked[f])
                    printf("  blanked         %llu invalid %s values (invalid = blank)\n",
                           (unsigned long long)stp->blanked[f], el_field_get((el_field)f)->name);
            int first = 1;
            int canonical = !strncmp(el_mapping_name(m), "canonical", 9);
            for (int f = 0; f < EL_F__COUNT && !canonical; f++)
                if (stp->missing_optional[f]) {
                    const char *col = f == EL_F_NHS_NUMBER_HASH ? el_mapping_nhs_column(m) : el_mapping_column(m, (el_field)f);
                    printf("%s%s (column %s)", first ? "  not in file     " : ", ",
                           f == EL_F_NHS_NUMBER_HASH ? "nhs_number" : el_field_get((el_field)f)->name, col);
                    first = 0;
                }
            if (!first) printf("\n");
            if (esp->lsoa_vintage) {
                printf("  IMD %d        %zu of %zu rows matched on LSOA %d", esp->imd_edition, esp->imd_matched,
                       esp->rows, esp->lsoa_vintage);
                if (esp->lsoa_converted) printf(" (%zu through the 2011<->2021 lookup)", esp->lsoa_converted);
                printf("\n");
                printf("  LSOA unmatched  %zu blank, %zu malformed, %zu outside England, %zu not found, "
                       "%zu ambiguous, %zu other vintage not converted\n",
                       esp->lsoa_blank, esp->lsoa_malformed, esp->lsoa_outside_england, esp->lsoa_not_found,
                       esp->lsoa_ambiguous, esp->lsoa_not_converted);
                if (esp->n_examples) {
                    printf("  e.g.           ");
                    for (size_t i = 0; i < esp->n_examples; i++) printf(" %s", esp->examples[i][0] ? esp->examples[i] : "\"\"");
                    printf("\n");
                }
            } else printf("  IMD             no LSOA column: no deprivation fields\n");
            printf("  ethnicity       %zu not stated (Z), %zu not known (99/blank), %zu invalid codes\n",
                   esp->ethnic_not_stated, esp->ethnic_not_known, esp->ethnic_invalid);
            printf("  age band        %zu from age, %zu from birth date, %zu missing, %zu invalid\n",
                   esp->age_from_age, esp->age_from_birth_date, esp->age_missing, esp->age_invalid);
            printf("  sha256          %s\n", stp->sha256);
            printf("  store           %s\n", db);
            if (rej_path) printf("  rejects file    %s\n", rej_path);
            if (stp->nfirst) {
                printf("  first rejections:\n");
                for (size_t i = 0; i < stp->nfirst; i++) {
                    const el_reject_info *r = &stp->first[i];
                    printf("    %s:%ld", file, r->line);
                    if (r->column) printf(":%ld", r->column);
                    printf(": %s%s%s\n", r->field, r->field[0] ? ": " : "", r->reason);
                }
                if (stp->rows_rejected > stp->nfirst)
                    printf("    ... and %llu more%s\n", (unsigned long long)(stp->rows_rejected - stp->nfirst),
                           rej_path ? " (see the rejects file)" : " (use --rejects FILE to see them all)");
            }
        }
        if (stp->rows_rejected) rc = EL_EXIT_PARTIAL;
    }
    sigaction(SIGINT, &old_sa, NULL);
    free(res);
    el_store_close(store);
    if (s != EL_OK && !store_existed) el_store_discard(db);
    el_mapping_free(m);
    return rc;
}
