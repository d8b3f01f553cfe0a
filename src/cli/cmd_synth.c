/* cmd_synth.c — `equitylens synth`: write a synthetic extract with known
 * injected inequalities and its truth JSON (docs/synth.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "equitylens/cli.h"
#include "equitylens/parse.h"
#include "equitylens/refdata.h"
#include "equitylens/synth.h"

static void help(FILE *f)
{
    fputs(
"usage: equitylens synth --kind K --rows N [options]\n"
"\n"
"Write a synthetic patient-level extract in the canonical layout of kind K\n"
"(columns named as the canonical fields, docs/data-formats.md) over real\n"
"English LSOA 2011 codes, sampled in proportion to their mid-2020 population,\n"
"with known injected inequalities, and write the truth (model parameters,\n"
"expected rate per group, realised counts, injected data-quality problems)\n"
"as JSON. The models are in docs/synth.md. The same options and seed give\n"
"byte-identical files.\n"
"\n"
"Options:\n"
"  --kind K              appointments | waiting_list | cancer_pathways (required)\n"
"  --rows N              data rows to write (required; header not counted)\n"
"  --seed S              random seed (default 1)\n"
"  --out FILE            extract to write (default: standard output)\n"
"  --truth FILE          truth JSON (default: FILE.truth.json next to --out;\n"
"                        none when writing to standard output); must not be\n"
"                        the --out file. On any failure neither file is left\n"
"  --period-start DATE   first activity date, YYYY-MM-DD (default 2024-04-01)\n"
"  --period-end DATE     last activity date (default 2025-03-31)\n"
"  --census-date DATE    waiting_list snapshot date (default: period end)\n"
"  --clean               inject no data-quality problems (blank or malformed\n"
"                        LSOAs, duplicate ids, dates out of order or in the future)\n"
"  --lsoa21              add an lsoa21 column: the LSOA 2021 of each person's\n"
"                        LSOA 2011 (ONS lookup; for a split LSOA one part, drawn\n"
"                        by census 2021 population). The truth's IMD quintiles\n"
"                        stay IMD 2019 on lsoa11\n"
"  --nhs-numbers         add an nhs_number column: valid (Modulus 11) numbers\n"
"                        from the 999 range reserved for testing, one per patient\n"
"  --data-dir DIR        reference data (default: $EQUITYLENS_DATA, else data/\n"
"                        beside the program, else ./data)\n"
"  -q, --quiet           no summary on standard error\n"
"  -h, --help            this help\n"
"\n"
"Exit status: 0 written, 1 failed (reference data, a file that cannot be\n"
"written, --out and --truth the same file), 2 usage.\n", f);
}

typedef struct { FILE *f; char *buf; size_t n, cap; int err, eno; } sink;

static int flush_sink(sink *s)
{
    if (s->n && fwrite(s->buf, 1, s->n, s->f) != s->n) { s->err = 1; s->eno = errno; }
    s->n = 0;
    return s->err;
}

static int on_row(void *ctx, const char *line, size_t len)
{
    sink *s = ctx;
    if (s->n + len > s->cap && flush_sink(s)) return 1;
    memcpy(s->buf + s->n, line, len);
    s->n += len;
    return 0;
}

static int parse_date_arg(const char *s, int32_t *d)
{
    return el_parse_date(s, "YYYY-MM-DD", d);
}

static el_status write_failed(el_error *err, const char *out, int eno)
{
    return el_error_at(err, EL_ERR_IO, out && strcmp(out, "-") ? out : "-", 0, 0, NULL, "write failed: %s",
                       strerror(eno ? eno : EIO));
}

/* The extract and truth streams. A file is removed on failure only when it
 * is a regular file (never a device such as /dev/full). */
typedef struct { FILE *out, *truth; int out_reg, truth_reg; } outputs;

static int is_named(const char *p) { return p && strcmp(p, "-"); }

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int regular(FILE *f)
{
    struct stat sb;
    return !fstat(fileno(f), &sb) && S_ISREG(sb.st_mode);
}

static void discard_outputs(outputs *op, const char *out, const char *truth_path)
{
    if (op->out && op->out != stdout) fclose(op->out);
    if (op->truth) fclose(op->truth);
    if (op->out_reg && is_named(out)) remove(out);
    if (op->truth_reg && truth_path) remove(truth_path);
    op->out = op->truth = NULL;
}

/* Open the truth file first and then the extract, so that neither is written
 * when the other cannot be created; refuse the two naming the same file (the
 * truth would overwrite the extract), also through a link or another path. */
static el_status open_outputs(outputs *op, const char *out, const char *truth_path, el_error *err)
{
    struct stat so, stt;
    *op = (outputs){0};
    if (truth_path && is_named(out) && !stat(out, &so) && !stat(truth_path, &stt) && S_ISREG(so.st_mode) &&
        same_file(&so, &stt))
        return el_error_at(err, EL_ERR_INVALID, truth_path, 0, 0, NULL,
                           "--truth and --out name the same file; give two different files");
    if (truth_path) {
        if (!(op->truth = fopen(truth_path, "wb")))
            return el_error_at(err, EL_ERR_IO, truth_path, 0, 0, NULL, "cannot create the truth file: %s", strerror(errno));
        op->truth_reg = regular(op->truth);
    }
    if (!is_named(out)) op->out = stdout;
    else if (!(op->out = fopen(out, "wb"))) {
        el_status st = el_error_at(err, EL_ERR_IO, out, 0, 0, NULL, "cannot create the extract file: %s", strerror(errno));
        discard_outputs(op, out, truth_path);
        return st;
    }
    else op->out_reg = regular(op->out);
    if (op->truth_reg && !fstat(fileno(op->out), &so) && !fstat(fileno(op->truth), &stt) && same_file(&so, &stt)) {
        op->out_reg = 0; /* one file: remove it once */
        discard_outputs(op, out, truth_path);
        return el_error_at(err, EL_ERR_INVALID, truth_path, 0, 0, NULL,
                           "--truth and --out name the same file; give two different files");
    }
    return EL_OK;
}

int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, 0, 'k'}, {"rows", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
        {"truth", required_argument, 0, 't'}, {"period-start", required_argument, 0, 'a'},
        {"period-end", required_argument, 0, 'b'}, {"census-date", required_argument, 0, 'c'},
        {"clean", no_argument, 0, 'C'}, {"nhs-numbers", no_argument, 0, 'N'},
        {"lsoa21", no_argument, 0, 'L'}, {"data-dir", required_argument, 0, 'D'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *kind_s = NULL, *out = NULL, *truth_path = NULL, *data_dir = NULL;
    const char *ps = NULL, *pe = NULL, *cd = NULL;
    int64_t rows = -1, seed = 1;
    int clean = 0, quiet = 0, nhs = 0, l21 = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kind_s = optarg; break;
        case 'n':
            if (el_parse_i64(optarg, 0, &rows) || rows < 0) {
                fprintf(stderr, "equitylens synth: --rows must be a whole number >= 0, not '%s'\n", optarg);
                return EL_EXIT_USAGE;
            }
            break;
        case 's':
            if (el_parse_i64(optarg, 0, &seed) || seed < 0 || seed > 4294967295LL) {
                fprintf(stderr, "equitylens synth: --seed must be 0..4294967295, not '%s'\n", optarg);
                return EL_EXIT_USAGE;
            }
            break;
        case 'o': out = optarg; break;
        case 't': truth_path = optarg; break;
        case 'a': ps = optarg; break;
        case 'b': pe = optarg; break;
        case 'c': cd = optarg; break;
        case 'C': clean = 1; break;
        case 'N': nhs = 1; break;
        case 'L': l21 = 1; break;
        case 'D': data_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default:
            fprintf(stderr, "equitylens synth: unknown or incomplete option '%s' (see --help)\n", argv[optind - 1]);
            return EL_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "equitylens synth: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EL_EXIT_USAGE;
    }
    int kind = el_kind_by_name(kind_s);
    if (!kind_s || kind < 0) {
        fprintf(stderr, "equitylens synth: --kind must be appointments, waiting_list or cancer_pathways\n");
        return EL_EXIT_USAGE;
    }
    if (rows < 0) { fprintf(stderr, "equitylens synth: --rows is required\n"); return EL_EXIT_USAGE; }
    el_synth_opts o;
    el_synth_opts_default(&o, (el_kind)kind);
    o.rows = (uint64_t)rows;
    o.seed = (unsigned long)seed;
    o.inject_quality = !clean;
    o.nhs_numbers = nhs;
    o.lsoa21 = l21;
    if ((ps && parse_date_arg(ps, &o.period_start)) || (pe && parse_date_arg(pe, &o.period_end)) ||
        (cd && parse_date_arg(cd, &o.census_date))) {
        fprintf(stderr, "equitylens synth: dates must be valid YYYY-MM-DD\n");
        return EL_EXIT_USAGE;
    }
    if (pe && !cd) o.census_date = o.period_end;

    el_error err = {0};
    el_refdata *ref = NULL;
    el_status st = el_refdata_load(data_dir, EL_REF_IMD2019 | EL_REF_POP20 | (l21 ? EL_REF_LSOA_MAP | EL_REF_POP21 : 0),
                                   &ref, &err);
    if (st) { el_cli_print_error("synth", &err); return el_cli_exit_code(st); }
    size_t nl = el_refdata_lsoa_count(ref, EL_LSOA11), na = 0;
    el_synth_area *areas = malloc((nl ? nl : 1) * sizeof *areas);
    /* LSOA 2021 links, when asked: at most 16 per LSOA 2011 (the most in the lookup is 9) */
    enum { MAXL = 16 };
    const char **links = l21 ? malloc((nl ? nl : 1) * MAXL * sizeof *links) : NULL;
    double *lw = l21 ? malloc((nl ? nl : 1) * MAXL * sizeof *lw) : NULL;
    if (!areas || (l21 && (!links || !lw))) {
        free(areas); free(links); free(lw); el_refdata_free(ref);
        fprintf(stderr, "equitylens synth: out of memory\n");
        return EL_EXIT_FAIL;
    }
    for (size_t i = 0; i < nl; i++) {
        const char *code = el_refdata_lsoa_at(ref, EL_LSOA11, i);
        el_imd m;
        int64_t a5[EL_POP_AGE5Y];
        if (!el_refdata_imd(ref, 2019, code, &m) || !el_refdata_pop20(ref, code, a5)) continue;
        double w = 0;
        for (int k = 0; k < EL_POP_AGE5Y; k++) w += (double)a5[k];
        if (w <= 0) continue;
        el_synth_area *ar = &areas[na];
        *ar = (el_synth_area){.lsoa11 = code, .imd_decile = m.decile, .weight = w};
        if (l21) {
            const char **lk = links + na * MAXL;
            size_t k = el_refdata_lsoa_convert(ref, EL_LSOA11, code, lk, MAXL, NULL);
            if (k > MAXL) k = MAXL;
            for (size_t j = 0; j < k; j++) {
                int64_t a6[EL_POP_AGE6];
                double pw = 0;
                if (el_refdata_pop21(ref, lk[j], a6, NULL, NULL))
                    for (int t = 0; t < EL_POP_AGE6; t++) pw += (double)a6[t];
                lw[na * MAXL + j] = pw > 0 ? pw : 1.0;
            }
            ar->lsoa21 = lk;
            ar->lsoa21_weight = lw + na * MAXL;
            ar->n_lsoa21 = k;
        }
        na++;
    }

    char tpath[4096];
    if (!truth_path && out && strcmp(out, "-")) {
        snprintf(tpath, sizeof tpath, "%s.truth.json", out);
        truth_path = tpath;
    }
    outputs op;
    if (open_outputs(&op, out, truth_path, &err)) {
        el_cli_print_error("synth", &err);
        free(areas); free(links); free(lw); el_refdata_free(ref);
        return EL_EXIT_FAIL;
    }
    FILE *f = op.out;
    sink s = {f, malloc(1 << 20), 0, 1 << 20, 0, 0};
    json_t *truth = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!s.buf) st = el_error_set(&err, EL_ERR_NOMEM, "out of memory");
    else st = el_synth_run(&o, areas, na, on_row, &s, truth_path ? &truth : NULL, &err);
    if (!st && flush_sink(&s)) st = write_failed(&err, out, s.eno);
    if (f != stdout) { if (fclose(f) && !st) st = write_failed(&err, out, errno); }
    else if (fflush(f) && !st) st = write_failed(&err, out, errno);
    op.out = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (s.err && st == EL_ERR_IO) write_failed(&err, out, s.eno);
    if (op.truth) {
        if (!st && (json_dumpf(truth, op.truth, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10)) ||
                    fflush(op.truth) || ferror(op.truth)))
            st = el_error_at(&err, EL_ERR_IO, truth_path, 0, 0, NULL, "cannot write the truth file: %s", strerror(errno));
        if (fclose(op.truth) && !st)
            st = el_error_at(&err, EL_ERR_IO, truth_path, 0, 0, NULL, "cannot write the truth file: %s", strerror(errno));
        op.truth = NULL;
    }
    /* on any failure remove the files made here: no half result is left */
    if (st) discard_outputs(&op, out, truth_path);
    if (!st && truth && !quiet) {
        /* one line on the injected gradient, from the truth just written */
        const char *key = o.kind == EL_KIND_APPOINTMENTS ? "dna_rate" : o.kind == EL_KIND_WAITING_LIST ? "pct_over_18_weeks" : "fds_rate";
        const char *what = o.kind == EL_KIND_APPOINTMENTS ? "DNA rate" : o.kind == EL_KIND_WAITING_LIST ? "waiting over 18 weeks" : "FDS met";
        json_t *q = json_object_get(json_object_get(truth, "expected"), "by_imd_quintile");
        fprintf(stderr, "equitylens synth: injected %s by IMD quintile (1 = most deprived):", what);
        for (int k = 1; k <= 5; k++) {
            char qk[4];
            snprintf(qk, sizeof qk, "%d", k);
            fprintf(stderr, " %.1f%%", 100.0 * json_real_value(json_object_get(json_object_get(q, qk), key)));
        }
        fputc('\n', stderr);
    }
    json_decref(truth);
    free(s.buf);
    free(areas);
    free(links);
    free(lw);
    el_refdata_free(ref);
    if (st) { el_cli_print_error("synth", &err); return el_cli_exit_code(st); }
    if (!quiet) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "equitylens synth: %llu %s rows (seed %lld) over %zu LSOAs -> %s%s%s (%.2f s)\n",
                (unsigned long long)o.rows, el_kind_name(o.kind), (long long)seed, na, out ? out : "stdout",
                truth_path ? ", truth " : "", truth_path ? truth_path : "", secs);
    }
    return EL_EXIT_OK;
}
