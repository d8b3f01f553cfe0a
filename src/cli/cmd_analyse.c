/* cmd_analyse.c — equitylens analyse: equity analysis of an imported dataset
 * or a CSV extract, through every lens, with disclosure control applied
 * before anything is written (owner: analysis helper). docs/analysis.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/analysis.h"
#include "equitylens/analysis_input.h"
#include "equitylens/analysis_output.h"
#include "equitylens/cli.h"
#include "equitylens/distrib.h"
#include "equitylens/enrich.h"
#include "equitylens/ingest.h"
#include "equitylens/mapping.h"
#include "equitylens/parse.h"
#include "equitylens/refdata.h"
#include "equitylens/store.h"

static void help(FILE *f)
{
    fprintf(f,
"usage: equitylens analyse [--db LOCATION] [--dataset ID]\n"
"       equitylens analyse --input FILE --kind KIND [--mapping M]\n"
"                          [options]\n"
"\n"
"Equity analysis: every metric of the dataset's kind through every equity lens,\n"
"with confidence intervals, gaps against a reference group (raw and case-mix\n"
"adjusted), summary measures of inequality, excess events and their cost, the\n"
"longest-waiters profile, who is missing against the catchment population and\n"
"SPC trends. Disclosure control is applied to everything written; the policy is\n"
"printed on every output. Methods: docs/analysis.md; output: docs/result-model.md.\n"
"\n"
"Data (one of):\n"
"  --db LOCATION        store to read (default $EQUITYLENS_DB or ./equitylens.db)\n"
"  --dataset ID         dataset version in the store (default: the latest);\n"
"                       repeat to analyse several versions together (e.g. weekly\n"
"                       waiting-list snapshots: trends then run per census date)\n"
"  --input FILE         read a CSV extract straight from disk (enriched on the fly)\n"
"  --kind KIND          appointments | waiting_list | cancer_pathways (with --input)\n"
"  --mapping M          mapping file or name (default: canonical layout of KIND)\n"
"  --imd-edition Y      2019 or 2025 for --input (default: by the LSOA column present)\n"
"  --data-dir DIR       reference data directory (default: $EQUITYLENS_DATA or data/)\n"
"\n"
"Analysis:\n"
"  --lens L             a lens (repeatable; default: every lens the data supports):\n"
"                       imd_decile imd_quintile core20 ethnic_group ethnic_category\n"
"                       sex age_band learning_disability autism serious_mental_illness\n"
"                       inclusion_health_group interpreter_required\n"
"                       reasonable_adjustment la icb; 'a,b' crosses two lenses\n"
"  --cross A,B          cross two lenses (same as --lens A,B; repeatable)\n"
"  --metric LIST        comma-separated metrics or 'all' (default: all for the kind):\n"
"                       wait_weeks over_18_weeks over_52_weeks over_65_weeks\n"
"                       over_78_weeks dna_rate dna_rate_first dna_rate_follow_up\n"
"                       patient_cancellation_rate provider_cancellation_rate\n"
"                       virtual_share fds_28_days treated_62_days early_stage\n"
"  --reference L=G      reference group of lens L (repeatable). Defaults: IMD\n"
"                       decile 10, quintile 5, core20 Rest, ethnic_group White,\n"
"                       ethnic_category A, flags N; sex, age, LA, ICB: largest group\n"
"  --no-adjust          no case-mix adjusted gaps (default: adjusted for treatment\n"
"                       function x clinical priority; cancer: cancer site)\n"
"  --no-priority-strata waiting-list metrics overall only (default: also within\n"
"                       each clinical priority)\n"
"  --dna-codes LIST     attendance codes counted as DNA (default 3,7)\n"
"  --attended-codes LIST codes counted as attended (default 5,6)\n"
"  --census-date DATE   waiting-list census date YYYY-MM-DD (default: the column)\n"
"  --cost-per-dna GBP   cost of one DNA for the excess cost (default 120)\n"
"  --longest-share F    longest waiters = top share F of waits (default 0.25)\n"
"  --longest-weeks W    longest waiters = waiting more than W weeks instead\n"
"  --period P           trend period: month (default) or week\n"
"  --no-trends          no SPC trends\n"
"  --catchment-la CODE  catchment = these local authorities (ONS code; repeatable;\n"
"                       default: the LSOAs the service's own rows come from)\n"
"  --no-missing         no 'who is missing' (no reference data loaded)\n"
"  --confidence C       confidence level, 0.95 or 95 (default 0.95)\n"
"  --seed N             seed for simulated limits of summary measures (default 123456)\n"
"  --reps N             simulations for those limits (default 1000)\n"
"\n"
"Output:\n"
"  --format F           text (default), json or csv\n"
"  --out PATH           text/json: file (default stdout); csv: directory (required)\n"
"  --disclosure SPEC    disclosure policy, e.g. 'suppress=1-7,round=5,secondary=on,\n"
"                       decimals=1,mask=*' (that is the default)\n"
"  --max-rejected-pct P with --input: fail, writing nothing, when more than P%%\n"
"                       of the rows are rejected (default 50, as import)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 ok; 1 failed (nothing written), also when every row of --input\n"
"is rejected or more than --max-rejected-pct of them; 2 bad command line;\n"
"3 written, but some --input rows were rejected (summary on stderr).\n");
}

enum {
    O_DB = 256, O_DATASET, O_INPUT, O_KIND, O_MAPPING, O_IMD, O_DATADIR, O_LENS, O_CROSS, O_METRIC, O_REF,
    O_NOADJ, O_NOPRIO, O_DNA, O_ATT, O_CENSUS, O_COST, O_LSHARE, O_LWEEKS, O_PERIOD, O_NOTRENDS, O_CATCH,
    O_NOMISSING, O_CONF, O_SEED, O_REPS, O_FORMAT, O_OUT, O_DISC, O_MAXREJ
};

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "equitylens analyse: %s%s%s (see --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return EL_EXIT_USAGE;
}

/* Append every row of src to dst (same kind), re-interning codes; rows
 * without a census date get census (EL_NA = leave). */
static el_status append_rows(el_dataset *dst, const el_dataset *src, int32_t census, el_error *err)
{
    size_t n = el_dataset_rows(src);
    size_t first = el_dataset_add_rows(dst, n);
    if (first == (size_t)-1) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (int f = 0; f < EL_F__COUNT; f++) {
        if (!el_dataset_has(src, (el_field)f)) continue;
        el_dataset_set_has(dst, (el_field)f, 1);
        const int32_t *in = el_dataset_col(src, (el_field)f);
        int32_t *out = el_dataset_col_mut(dst, (el_field)f);
        if (!out) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        el_ftype t = el_field_get((el_field)f)->type;
        size_t nd = (t == EL_T_TEXT || t == EL_T_CODE) ? el_dataset_dict_size(src, (el_field)f) : 0;
        int32_t *map = NULL;
        if (nd) {
            map = malloc(nd * sizeof *map);
            if (!map) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
            for (size_t i = 0; i < nd; i++)
                if (el_dataset_intern(dst, (el_field)f, el_dataset_str(src, (el_field)f, (int32_t)i), &map[i])) {
                    free(map);
                    return el_error_set(err, EL_ERR_NOMEM, "out of memory");
                }
            out = el_dataset_col_mut(dst, (el_field)f);   /* interning may not move columns, but be safe */
        }
        for (size_t r = 0; r < n; r++) {
            int32_t v = in[r];
            out[first + r] = (map && v != EL_NA && v >= 0 && (size_t)v < nd) ? map[v] : v;
        }
        free(map);
    }
    if (census != EL_NA) {
        int32_t *cd = el_dataset_col_mut(dst, EL_F_CENSUS_DATE);
        if (!cd) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        for (size_t r = 0; r < n; r++)
            if (cd[first + r] == EL_NA) cd[first + r] = census;
        el_dataset_set_has(dst, EL_F_CENSUS_DATE, 1);
    }
    return EL_OK;
}

/* Rejection summary of --input on stderr: counts by field, then the first
 * few rejections with line, field and reason. */
static void print_rejects(const el_ingest_stats *st)
{
    fprintf(stderr, "equitylens analyse: %llu of %llu rows rejected; by field:", (unsigned long long)st->rows_rejected,
            (unsigned long long)st->rows_read);
    for (int f = 0; f <= EL_F__COUNT; f++)
        if (st->rejected_by_field[f])
            fprintf(stderr, " %s %llu", f < EL_F__COUNT ? el_field_get((el_field)f)->name : "(whole record)",
                    (unsigned long long)st->rejected_by_field[f]);
    fputc('\n', stderr);
    for (size_t i = 0; i < st->nfirst && i < 5; i++) {
        const el_reject_info *r = &st->first[i];
        fprintf(stderr, "  line %ld%s%s: %s\n", r->line, r->field[0] ? " " : "", r->field, r->reason);
    }
    if (st->rows_rejected > 5)
        fprintf(stderr, "  ... and %llu more (equitylens import --rejects FILE lists them all)\n",
                (unsigned long long)(st->rows_rejected - 5));
}

static int parse_pos_double(const char *s, double *out)
{
    return el_parse_double(s, 0, out) == 0 && *out >= 0;
}

int cmd_analyse(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB}, {"dataset", required_argument, 0, O_DATASET},
        {"input", required_argument, 0, O_INPUT}, {"kind", required_argument, 0, O_KIND},
        {"mapping", required_argument, 0, O_MAPPING}, {"imd-edition", required_argument, 0, O_IMD},
        {"data-dir", required_argument, 0, O_DATADIR}, {"lens", required_argument, 0, O_LENS},
        {"cross", required_argument, 0, O_CROSS}, {"metric", required_argument, 0, O_METRIC},
        {"reference", required_argument, 0, O_REF}, {"no-adjust", no_argument, 0, O_NOADJ},
        {"no-priority-strata", no_argument, 0, O_NOPRIO}, {"dna-codes", required_argument, 0, O_DNA},
        {"attended-codes", required_argument, 0, O_ATT}, {"census-date", required_argument, 0, O_CENSUS},
        {"cost-per-dna", required_argument, 0, O_COST}, {"longest-share", required_argument, 0, O_LSHARE},
        {"longest-weeks", required_argument, 0, O_LWEEKS}, {"period", required_argument, 0, O_PERIOD},
        {"no-trends", no_argument, 0, O_NOTRENDS}, {"catchment-la", required_argument, 0, O_CATCH},
        {"no-missing", no_argument, 0, O_NOMISSING}, {"confidence", required_argument, 0, O_CONF},
        {"seed", required_argument, 0, O_SEED}, {"reps", required_argument, 0, O_REPS},
        {"format", required_argument, 0, O_FORMAT}, {"out", required_argument, 0, O_OUT},
        {"disclosure", required_argument, 0, O_DISC}, {"max-rejected-pct", required_argument, 0, O_MAXREJ},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    el_analysis_opts ao;
    el_analysis_opts_default(&ao);
    el_disclosure_policy pol;
    el_disclosure_policy_default(&pol);
    const char *db = NULL, *input = NULL, *kind_s = NULL, *map_s = NULL, *data_dir = NULL, *format = "text",
               *out = NULL;
    long long dataset_ids[64];
    size_t n_ids = 0;
    int imd_edition = 0;
    double max_rej_pct = 50.0;
    uint64_t rejected = 0;
    el_error err;
    el_error_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double dv;
        int64_t iv;
        switch (c) {
        case 'h': help(stdout); return EL_EXIT_OK;
        case O_DB: db = optarg; break;
        case O_DATASET:
            if (el_parse_i64(optarg, 0, &iv) || iv < 1) return usage_error("bad --dataset", optarg);
            if (n_ids >= 64) return usage_error("too many --dataset", NULL);
            dataset_ids[n_ids++] = iv;
            break;
        case O_INPUT: input = optarg; break;
        case O_KIND: kind_s = optarg; break;
        case O_MAPPING: map_s = optarg; break;
        case O_IMD:
            if (el_parse_i64(optarg, 0, &iv) || (iv != 2019 && iv != 2025)) return usage_error("bad --imd-edition", optarg);
            imd_edition = (int)iv;
            break;
        case O_DATADIR: data_dir = optarg; break;
        case O_LENS: case O_CROSS:
            if (c == O_CROSS && !strchr(optarg, ',')) return usage_error("--cross needs two lenses A,B", optarg);
            if (el_analysis_opts_add_lens(&ao, optarg, &err)) return usage_error(err.msg, NULL);
            break;
        case O_METRIC: if (el_analysis_opts_metrics(&ao, optarg, &err)) return usage_error(err.msg, NULL); break;
        case O_REF: if (el_analysis_opts_reference(&ao, optarg, &err)) return usage_error(err.msg, NULL); break;
        case O_NOADJ: ao.adjust = 0; break;
        case O_NOPRIO: ao.by_priority = 0; break;
        case O_DNA: if (el_analysis_opts_codes(ao.dna_codes, optarg, &err)) return usage_error(err.msg, NULL); break;
        case O_ATT: if (el_analysis_opts_codes(ao.attended_codes, optarg, &err)) return usage_error(err.msg, NULL); break;
        case O_CENSUS: {
            int32_t d;
            if (el_parse_date(optarg, "YYYY-MM-DD", &d)) return usage_error("--census-date is not YYYY-MM-DD", optarg);
            ao.census_date = d;
            break;
        }
        case O_COST: if (!parse_pos_double(optarg, &dv)) return usage_error("bad --cost-per-dna", optarg); ao.cost_per_dna = dv; break;
        case O_LSHARE:
            if (!parse_pos_double(optarg, &dv) || dv <= 0 || dv >= 1) return usage_error("--longest-share must be in (0, 1)", optarg);
            ao.longest_share = dv;
            break;
        case O_LWEEKS:
            if (!parse_pos_double(optarg, &dv) || dv <= 0) return usage_error("bad --longest-weeks", optarg);
            ao.longest_weeks = dv;
            break;
        case O_PERIOD:
            if (!strcmp(optarg, "month")) ao.period = EL_PERIOD_MONTH;
            else if (!strcmp(optarg, "week")) ao.period = EL_PERIOD_WEEK;
            else return usage_error("--period must be month or week", optarg);
            break;
        case O_NOTRENDS: ao.trends = 0; break;
        case O_CATCH:
            if (ao.n_catchment_las >= 64) return usage_error("too many --catchment-la", NULL);
            ao.catchment_las[ao.n_catchment_las++] = optarg;
            break;
        case O_NOMISSING: ao.missing = 0; break;
        case O_CONF: {
            double lvl;
            if (el_parse_double(optarg, 0, &dv) || el_confidence_level(dv, &lvl, NULL)) return usage_error("bad --confidence", optarg);
            ao.confidence = dv;
            break;
        }
        case O_SEED:
            if (el_parse_i64(optarg, 0, &iv) || iv < 0) return usage_error("bad --seed", optarg);
            ao.seed = (uint64_t)iv;
            break;
        case O_REPS:
            if (el_parse_i64(optarg, 0, &iv) || iv < 10 || iv > 1000000) return usage_error("--reps must be 10..1000000", optarg);
            ao.reps = (int)iv;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "csv"))
                return usage_error("--format must be text, json or csv", optarg);
            format = optarg;
            break;
        case O_OUT: out = optarg; break;
        case O_DISC: if (el_disclosure_policy_parse(&pol, optarg, &err)) return usage_error(err.msg, NULL); break;
        case O_MAXREJ:
            if (el_parse_double(optarg, 0, &dv) || !(dv >= 0 && dv <= 100))
                return usage_error("--max-rejected-pct must be 0..100", optarg);
            max_rej_pct = dv;
            break;
        default:
            return usage_error("unknown or incomplete option", argv[optind - 1]);
        }
    }
    if (optind != argc) return usage_error("unexpected argument", argv[optind]);
    if (input && (db || n_ids > 0)) return usage_error("give --input or --db/--dataset, not both", NULL);
    if (!strcmp(format, "csv") && !out) return usage_error("--format csv needs --out DIR", NULL);
    int kind = -1;
    if (kind_s && (kind = el_kind_by_name(kind_s)) < 0) return usage_error("unknown --kind", kind_s);
    if (input && kind < 0 && (!map_s || !strcmp(map_s, "canonical"))) return usage_error("--input needs --kind", NULL);

    el_dataset *d = NULL;
    el_refdata *ref = NULL;
    el_analysis *a = NULL;
    el_status s = EL_OK;
    char source[600];
    int rc = EL_EXIT_OK;
    unsigned what = ao.missing ? EL_REF_ALL : EL_REF_ENRICH;
    if (input) {
        el_mapping *m = el_mapping_resolve(map_s, kind, &err);
        if (!m) { el_cli_print_error("analyse", &err); return el_cli_exit_code(err.status); }
        el_ingest_stats st;
        s = el_analysis_read_input(input, m, &d, &st, &err);
        el_mapping_free(m);
        if (s == EL_OK && st.rows_rejected) {
            print_rejects(&st);
            rejected = st.rows_rejected;
            /* the same rule as import: a file mostly rejected is the wrong
             * mapping, delimiter or encoding, not data to analyse */
            if (st.rows_accepted == 0)
                s = el_error_at(&err, EL_ERR_INVALID, input, 0, 0, NULL, "all %llu rows rejected; nothing to analyse",
                                (unsigned long long)st.rows_read);
            else if (100.0 * (double)st.rows_rejected > max_rej_pct * (double)st.rows_read)
                s = el_error_at(&err, EL_ERR_INVALID, input, 0, 0, NULL,
                                "%llu of %llu rows rejected (more than %g%%): check the mapping, delimiter and "
                                "encoding (--max-rejected-pct 100 analyses the accepted rows anyway)",
                                (unsigned long long)st.rows_rejected, (unsigned long long)st.rows_read, max_rej_pct);
        }
        if (s == EL_OK) s = el_refdata_load(data_dir, what, &ref, &err);
        if (s == EL_OK) {
            el_enrich_opts eo;
            el_enrich_opts_default(&eo);
            eo.imd_edition = imd_edition;
            s = el_enrich_dataset(d, ref, &eo, NULL, &err);
        }
        snprintf(source, sizeof source, "%s", input);
    } else {
        if (!db) db = el_store_default_location();
        el_store *store = el_store_open_readonly(db, &err);
        if (!store) { el_cli_print_error("analyse", &err); return el_cli_exit_code(err.status); }
        if (n_ids == 0) {
            int64_t id;
            s = el_store_latest(store, kind, &id, &err);
            if (s == EL_OK) dataset_ids[n_ids++] = id;
        }
        size_t used = 0;
        snprintf(source, sizeof source, "dataset");
        for (size_t k = 0; k < n_ids && s == EL_OK; k++) {
            el_dataset_meta meta;
            el_dataset *one = NULL;
            s = el_store_load(store, dataset_ids[k], &one, &meta, &err);
            if (s == EL_OK && n_ids == 1) {
                d = one;
                if (ao.census_date == EL_NA && meta.census_date != EL_NA && !el_dataset_has(d, EL_F_CENSUS_DATE))
                    ao.census_date = meta.census_date;
            } else if (s == EL_OK) {
                /* several versions (e.g. weekly waiting-list snapshots): one dataset, each
                 * row keeping its version's census date, so trends run per census date */
                if (!d) d = el_dataset_new(el_dataset_kind(one));
                if (!d) s = el_error_set(&err, EL_ERR_NOMEM, "out of memory");
                else if (el_dataset_kind(one) != el_dataset_kind(d))
                    s = el_error_set(&err, EL_ERR_INVALID, "dataset %lld is %s, not %s", dataset_ids[k],
                                     el_kind_name(el_dataset_kind(one)), el_kind_name(el_dataset_kind(d)));
                else s = append_rows(d, one, meta.census_date, &err);
                el_dataset_free(one);
            }
            if (s == EL_OK) {
                size_t l = strlen(source);
                snprintf(source + l, sizeof source - l, "%s%lld", used++ ? "," : " ", dataset_ids[k]);
            }
        }
        el_store_close(store);
        if (s == EL_OK && ao.missing) {
            s = el_refdata_load(data_dir, EL_REF_ALL, &ref, &err);
            if (s != EL_OK) {   /* who-is-missing is optional; say why it is absent */
                fprintf(stderr, "equitylens analyse: note: reference data not loaded (%s); no 'who is missing'\n", err.msg);
                s = EL_OK;
                el_error_clear(&err);
            }
        }
    }
    if (s == EL_OK) s = el_analysis_run(d, ref, &ao, &a, &err);
    if (s == EL_OK) s = el_analysis_disclose(a, &pol, &err);
    if (s == EL_OK) {
        if (!strcmp(format, "csv")) {
            s = el_analysis_write_csv(a, out, &err);
        } else {
            FILE *f = stdout;
            if (out && !(f = fopen(out, "w"))) s = el_error_set(&err, EL_ERR_IO, "cannot write %s: %s", out, strerror(errno));
            if (s == EL_OK && !strcmp(format, "json")) {
                json_t *j = NULL;
                s = el_analysis_to_json(a, source, &j, &err);
                if (s == EL_OK) {
                    if (json_dumpf(j, f, EL_ANALYSIS_JSON_FLAGS) != 0) s = el_error_set(&err, EL_ERR_IO, "write failed");
                    fputc('\n', f);
                }
                json_decref(j);
            } else if (s == EL_OK) {
                s = el_analysis_write_text(a, f, &err);
            }
            if (f && f != stdout && fclose(f) != 0 && s == EL_OK) s = el_error_set(&err, EL_ERR_IO, "cannot write %s", out);
        }
    }
    if (s != EL_OK) {
        el_cli_print_error("analyse", &err);
        rc = el_cli_exit_code(s);
    } else if (rejected) {
        rc = EL_EXIT_PARTIAL;
    }
    el_analysis_free(a);
    el_refdata_free(ref);
    el_dataset_free(d);
    return rc;
}
