/* cmd_quality.c — `equitylens quality`: the data-quality report of a stored
 * dataset or of a CSV extract read directly (docs/quality.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "equitylens/analysis_input.h"
#include "equitylens/cli.h"
#include "equitylens/ingest.h"
#include "equitylens/mapping.h"
#include "equitylens/parse.h"
#include "equitylens/quality.h"
#include "equitylens/store.h"

static void help(FILE *f)
{
    fputs(
"usage: equitylens quality [--db PATH] [--dataset ID] [options]\n"
"       equitylens quality --input FILE [--mapping M] [--kind K] [options]\n"
"\n"
"Data-quality report of one dataset: for every field % valid, % not stated\n"
"(Z), % not known (blank or the field's not-known code, e.g. 99) and % invalid\n"
"code; LSOA match rate to the IMD (blank, malformed, Welsh, not found); date\n"
"checks (appointment before referral, RTT start after census date, diagnosis\n"
"or treatment before referral, birth after the activity date, dates after\n"
"today); rows with a duplicated identifier. Overall, by provider_code and by\n"
"treatment_function_code. Every count and percentage passes disclosure\n"
"control; the policy is printed with the report. docs/quality.md.\n"
"\n"
"Source (one of):\n"
"  --db PATH           store (default: $EQUITYLENS_DB or ./equitylens.db) ...\n"
"  --dataset ID        ... and the dataset version (default: the latest)\n"
"  --input FILE        a CSV extract read directly (nothing is stored)\n"
"  --mapping M         with --input: mapping file or name, or 'canonical'\n"
"                      (default: canonical)\n"
"  --kind K            with --input: appointments | waiting_list |\n"
"                      cancer_pathways (needed by the canonical mapping)\n"
"  --census-date D     with --input: census date YYYY-MM-DD for every row\n"
"  --imd-edition E     with --input: 2019 or 2025 (default: 2025 for lsoa21\n"
"                      columns, else 2019)\n"
"  --convert-lsoa      with --input: convert LSOAs of the other vintage\n"
"                      through the ONS 2011/2021 lookup\n"
"\n"
"Options:\n"
"  --by LIST           groups to report, comma-separated: overall,\n"
"                      provider_code, treatment_function_code (default: all)\n"
"  --format F          text (default), csv or json\n"
"  --out FILE          write the report to FILE (default: standard output)\n"
"  --today DATE        YYYY-MM-DD: dates after it count as in the future\n"
"                      (default: today's date, UTC)\n"
"  --disclosure SPEC   disclosure-control policy, e.g. suppress=1-7,round=5,\n"
"                      secondary=on,decimals=1,mask=* (these are the defaults)\n"
"  --data-dir DIR      reference data (default: $EQUITYLENS_DATA, else data/\n"
"                      beside the program, else ./data)\n"
"  -h, --help          this help\n"
"\n"
"Exit status: 0 report written, 1 failed, 2 usage.\n", f);
}

int cmd_quality(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"dataset", required_argument, 0, 'i'},
        {"input", required_argument, 0, 'f'}, {"mapping", required_argument, 0, 'm'},
        {"kind", required_argument, 0, 'k'}, {"census-date", required_argument, 0, 'c'},
        {"imd-edition", required_argument, 0, 'I'}, {"convert-lsoa", no_argument, 0, 'C'},
        {"format", required_argument, 0, 'F'}, {"out", required_argument, 0, 'o'},
        {"today", required_argument, 0, 't'}, {"disclosure", required_argument, 0, 'P'},
        {"data-dir", required_argument, 0, 'D'}, {"by", required_argument, 0, 'B'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *db = NULL, *input = NULL, *map_s = NULL, *kind_s = NULL, *census = NULL, *fmt = "text";
    const char *out = NULL, *today_s = NULL, *policy_s = NULL, *data_dir = NULL, *by = NULL;
    int64_t dataset_id = 0;
    int imd_edition = 0, convert = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'i':
            if (el_parse_i64(optarg, 0, &dataset_id) || dataset_id < 1) {
                fprintf(stderr, "equitylens quality: --dataset must be a dataset id (see equitylens datasets)\n");
                return EL_EXIT_USAGE;
            }
            break;
        case 'f': input = optarg; break;
        case 'm': map_s = optarg; break;
        case 'k': kind_s = optarg; break;
        case 'c': census = optarg; break;
        case 'I':
            if (!strcmp(optarg, "2019")) imd_edition = 2019;
            else if (!strcmp(optarg, "2025")) imd_edition = 2025;
            else { fprintf(stderr, "equitylens quality: --imd-edition must be 2019 or 2025\n"); return EL_EXIT_USAGE; }
            break;
        case 'C': convert = 1; break;
        case 'F': fmt = optarg; break;
        case 'o': out = optarg; break;
        case 't': today_s = optarg; break;
        case 'P': policy_s = optarg; break;
        case 'D': data_dir = optarg; break;
        case 'B': by = optarg; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default:
            fprintf(stderr, "equitylens quality: unknown or incomplete option '%s' (see --help)\n", argv[optind - 1]);
            return EL_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "equitylens quality: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EL_EXIT_USAGE;
    }
    if (strcmp(fmt, "text") && strcmp(fmt, "csv") && strcmp(fmt, "json")) {
        fprintf(stderr, "equitylens quality: --format must be text, csv or json\n");
        return EL_EXIT_USAGE;
    }
    if (input && (db || dataset_id)) {
        fprintf(stderr, "equitylens quality: give either --input or --db/--dataset, not both\n");
        return EL_EXIT_USAGE;
    }
    if (!input && (map_s || kind_s || census || imd_edition || convert)) {
        fprintf(stderr, "equitylens quality: --mapping, --kind, --census-date, --imd-edition and --convert-lsoa go with --input\n");
        return EL_EXIT_USAGE;
    }
    int want_by[3] = {1, 1, 1};
    static const char *const BY[3] = {"overall", "provider_code", "treatment_function_code"};
    if (by) {
        want_by[0] = want_by[1] = want_by[2] = 0;
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", by);
        for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int k = -1;
            for (int i = 0; i < 3; i++)
                if (!strcmp(t, BY[i])) k = i;
            if (k < 0) {
                fprintf(stderr, "equitylens quality: --by takes overall, provider_code, treatment_function_code, not '%s'\n", t);
                return EL_EXIT_USAGE;
            }
            want_by[k] = 1;
        }
    }
    int kind = -1;
    if (kind_s && (kind = el_kind_by_name(kind_s)) < 0) {
        fprintf(stderr, "equitylens quality: unknown --kind '%s'\n", kind_s);
        return EL_EXIT_USAGE;
    }
    int32_t today;
    if (today_s) {
        if (el_parse_date(today_s, "YYYY-MM-DD", &today)) {
            fprintf(stderr, "equitylens quality: --today '%s' is not a date YYYY-MM-DD\n", today_s);
            return EL_EXIT_USAGE;
        }
    } else {
        time_t now = time(NULL);
        today = (int32_t)(now / 86400);
    }
    el_disclosure_policy pol;
    el_disclosure_policy_default(&pol);
    el_error err;
    el_error_clear(&err);
    if (policy_s && el_disclosure_policy_parse(&pol, policy_s, &err)) {
        el_cli_print_error("quality", &err);
        return EL_EXIT_USAGE;
    }

    el_dataset *d = NULL;
    el_quality_source src = {0, NULL, -1, -1};
    char source_buf[512];
    el_status s = EL_OK;
    el_quality_opts qo;
    el_quality_opts_default(&qo, today);
    qo.enrich.imd_edition = imd_edition;
    qo.enrich.convert = convert;
    if (input) {
        if ((!map_s || !strcmp(map_s, "canonical")) && kind < 0) {
            fprintf(stderr, "equitylens quality: the canonical mapping needs --kind\n");
            return EL_EXIT_USAGE;
        }
        el_mapping *m = el_mapping_resolve(map_s, kind, &err);
        if (!m) { el_cli_print_error("quality", &err); return el_cli_exit_code(err.status); }
        if (census && el_mapping_set_constant(m, EL_F_CENSUS_DATE, census, &err)) {
            el_cli_print_error("quality", &err);
            el_mapping_free(m);
            return EL_EXIT_USAGE;
        }
        /* NHS numbers are hashed with a throw-away key: nothing is stored */
        el_ingest_stats st;
        s = el_analysis_read_input(input, m, &d, &st, &err);
        el_mapping_free(m);
        if (s) { el_cli_print_error("quality", &err); return el_cli_exit_code(s); }
        src.source = input;
        src.rows_read = (int64_t)st.rows_read;
        src.rows_rejected = (int64_t)st.rows_rejected;
    } else {
        if (!db) db = el_store_default_location();
        /* never create an empty store just to report on it */
        const char *path = !strncmp(db, "sqlite:", 7) ? db + 7 : db;
        if (!strstr(db, "://") && access(path, F_OK) != 0) {
            fprintf(stderr, "equitylens quality: error: %s: no store there (equitylens import creates it)\n", path);
            return EL_EXIT_FAIL;
        }
        el_store *store = el_store_open_readonly(db, &err);
        if (!store) { el_cli_print_error("quality", &err); return el_cli_exit_code(err.status); }
        if (!dataset_id && (s = el_store_latest(store, -1, &dataset_id, &err))) {
            el_store_close(store);
            if (s == EL_ERR_NOTFOUND) fprintf(stderr, "equitylens quality: %s holds no dataset yet (equitylens import first)\n", db);
            else el_cli_print_error("quality", &err);
            return el_cli_exit_code(s);
        }
        el_dataset_meta meta;
        s = el_store_load(store, dataset_id, &d, &meta, &err);
        el_store_close(store);
        if (s) { el_cli_print_error("quality", &err); return el_cli_exit_code(s); }
        snprintf(source_buf, sizeof source_buf, "%s", meta.source);
        src.dataset_id = meta.id ? meta.id : dataset_id;
        src.source = source_buf;
        src.rows_read = (int64_t)meta.rows_read;
        src.rows_rejected = (int64_t)meta.rows_rejected;
    }

    el_refdata *ref = NULL;
    if ((el_dataset_has(d, EL_F_LSOA11) || el_dataset_has(d, EL_F_LSOA21)) && !el_dataset_has(d, EL_F_IMD_DECILE))
        s = el_refdata_load(data_dir, EL_REF_ENRICH, &ref, &err);
    el_quality *q = NULL;
    if (!s) s = el_quality_compute(d, ref, &qo, &q, &err);
    el_refdata_free(ref);
    el_dataset_free(d);
    json_t *j = s ? NULL : el_quality_json(q, &src, &pol, &err);
    el_quality_free(q);
    if (!j) { el_cli_print_error("quality", &err); return el_cli_exit_code(s ? s : err.status); }
    /* --by: keep only the groups asked for (every group was disclosed on its own) */
    json_t *groups = json_object_get(j, "groups");
    for (size_t i = json_array_size(groups); i-- > 0;) {
        const char *gb = json_string_value(json_object_get(json_array_get(groups, i), "by"));
        for (int k = 0; k < 3; k++)
            if (gb && !strcmp(gb, BY[k]) && !want_by[k]) { json_array_remove(groups, i); break; }
    }

    char *text = NULL;
    if (!strcmp(fmt, "json")) text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    else if (!strcmp(fmt, "csv")) text = el_quality_csv(j);
    else text = el_quality_text(j);
    json_decref(j);
    if (!text) { fprintf(stderr, "equitylens quality: out of memory\n"); return EL_EXIT_FAIL; }
    FILE *f = out ? fopen(out, "w") : stdout;
    int rc = EL_EXIT_OK;
    if (!f) {
        el_error_at(&err, EL_ERR_IO, out, 0, 0, NULL, "cannot write the report");
        el_cli_print_error("quality", &err);
        rc = EL_EXIT_FAIL;
    } else {
        size_t len = strlen(text);
        int bad = fwrite(text, 1, len, f) != len;
        if (!strcmp(fmt, "json")) bad |= fputc('\n', f) == EOF;
        bad |= (f != stdout ? fclose(f) : fflush(f)) != 0;
        if (bad) {
            el_error_at(&err, EL_ERR_IO, out ? out : "-", 0, 0, NULL, "write failed");
            el_cli_print_error("quality", &err);
            rc = EL_EXIT_FAIL;
        }
    }
    free(text);
    return rc;
}
