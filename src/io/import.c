/* import.c — one import job: ingest → guard → enrich → save (owner: import). */
#include <string.h>
#include "equitylens/import.h"
#include "equitylens/parse.h"

void el_import_opts_default(el_import_opts *o)
{
    memset(o, 0, sizeof *o);
    el_enrich_opts_default(&o->enrich);
    o->max_rejected_pct = 50.0;
}

el_status el_import_file(const char *path, const el_import_opts *o, el_import_result *r, el_error *err)
{
    memset(r, 0, sizeof *r);
    if (!o || !o->mapping || !o->store || !path) return el_error_set(err, EL_ERR_INVALID, "import needs a file, a mapping and a store");
    el_ingest_opts io = {0};
    io.mapping = o->mapping;
    io.key = o->key;
    io.load_key = 1;
    io.key_file = o->key_file;
    io.rejects = o->rejects;
    io.max_record = o->max_record;
    io.progress = o->progress;
    io.progress_ud = o->progress_ud;
    io.cancel = o->cancel;
    el_dataset *d = NULL;
    el_status s = el_ingest_file(path, &io, &d, &r->ingest, err);
    const el_ingest_stats *st = &r->ingest;
    if (s == EL_OK && st->rows_rejected && 100.0 * (double)st->rows_rejected > o->max_rejected_pct * (double)st->rows_read) {
        r->too_many_rejects = 1;
        s = el_error_at(err, EL_ERR_INVALID, o->source_name ? o->source_name : path, 0, 0, NULL,
                        "%llu of %llu rows rejected (more than %g%%): check the mapping, delimiter and encoding; "
                        "first: line %ld%s%s: %s (--max-rejected-pct 100 stores the accepted rows anyway)",
                        (unsigned long long)st->rows_rejected, (unsigned long long)st->rows_read, o->max_rejected_pct,
                        st->first[0].line, st->first[0].field[0] ? " " : "", st->first[0].field, st->first[0].reason);
    }
    if (s == EL_OK) {
        el_refdata *own = NULL;
        const el_refdata *ref = o->refdata;
        if (!ref) {
            s = el_refdata_load(o->data_dir, EL_REF_ENRICH, &own, err);
            ref = own;
        }
        if (s == EL_OK) s = el_enrich_dataset(d, ref, &o->enrich, &r->enrich, err);
        el_refdata_free(own);
        if (s == EL_OK && o->cancel && *o->cancel) s = el_error_set(err, EL_ERR_IO, "import interrupted");
    }
    if (s == EL_OK) {
        el_dataset_meta *m = &r->meta;
        snprintf(m->source, sizeof m->source, "%s",
                 o->source_name ? o->source_name : strcmp(path, "-") ? path : "(standard input)");
        m->kind = el_mapping_kind(o->mapping);
        m->rows_read = st->rows_read;
        m->rows_accepted = st->rows_accepted;
        m->rows_rejected = st->rows_rejected;
        m->bytes = st->bytes;
        memcpy(m->sha256, st->sha256, sizeof m->sha256);
        snprintf(m->mapping, sizeof m->mapping, "%s", el_mapping_name(o->mapping));
        m->imd_edition = r->enrich.imd_edition;
        const char *cst = el_mapping_constant(o->mapping, EL_F_CENSUS_DATE);
        m->census_date = EL_NA;
        if (cst && el_parse_date(cst, "YYYY-MM-DD", &m->census_date)) m->census_date = EL_NA;
        s = el_store_save(o->store, m, d, o->force, o->cancel, err);
    }
    el_dataset_free(d);
    return s;
}
