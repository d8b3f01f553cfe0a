/* heat.h — reader for disaggregated inequality data in the HEAT Plus /
 * healthequal layout (owner: "who" helper).
 *
 * One row per population subgroup; rows are grouped into blocks by
 * setting × date × source × indicator × dimension (each of these columns is
 * optional; an absent column is the empty string for every row). Rows of a
 * block need not be adjacent. Column names are matched case-insensitively;
 * each canonical field accepts the aliases below, and a caller-supplied
 * mapping (NAME=COLUMN) overrides them.
 *
 *   field                 aliases accepted in the header
 *   setting               setting
 *   date                  date, year
 *   source                source
 *   indicator             indicator, indicator_abbr, indicator_name
 *   dimension             dimension
 *   subgroup              subgroup, row
 *   subgroup_order        subgroup_order, order
 *   estimate (required)   estimate, est
 *   se                    se
 *   population            population, pop
 *   favourable_indicator  favourable_indicator, favourable       (required)
 *   ordered_dimension     ordered_dimension, ordered             (required)
 *   indicator_scale       indicator_scale, scaleval, scale
 *   reference_subgroup    reference_subgroup, ref
 *   setting_average       setting_average
 *
 * Missing values: empty, NA, NaN, "." (any case). favourable_indicator,
 * ordered_dimension and reference_subgroup are 0 or 1 (reference may be
 * missing = 0). favourable_indicator, ordered_dimension, indicator_scale and
 * setting_average must be the same on every row of a block.
 *
 * Errors (EL_ERR_PARSE / EL_ERR_INVALID) name the file, line, column and
 * field: malformed CSV records, a row whose field count differs from the
 * header's, unknown or duplicated mapping, missing required column,
 * unparsable numbers, inconsistent block attributes, no data rows at all.
 * Nothing is dropped silently: the first bad row stops the read.
 *
 * Ownership: el_heat_read() returns data that el_heat_free() frees
 * (NULL-safe). Pointers returned by the accessors are borrowed from it. */
#ifndef EQUITYLENS_HEAT_H
#define EQUITYLENS_HEAT_H
#include <stddef.h>
#include "equitylens/csv.h"
#include "equitylens/error.h"
#include "equitylens/inequality.h"

typedef enum {
    EL_HEAT_SETTING = 0, EL_HEAT_DATE, EL_HEAT_SOURCE, EL_HEAT_INDICATOR, EL_HEAT_DIMENSION,
    EL_HEAT_SUBGROUP, EL_HEAT_ORDER, EL_HEAT_ESTIMATE, EL_HEAT_SE, EL_HEAT_POPULATION,
    EL_HEAT_FAVOURABLE, EL_HEAT_ORDERED, EL_HEAT_SCALE, EL_HEAT_REFERENCE, EL_HEAT_SETTING_AVERAGE,
    EL_HEAT_NFIELDS
} el_heat_field;

/* Canonical name of a field ("setting", ..., "setting_average"). */
const char *el_heat_field_name(el_heat_field f);

typedef struct el_heat_data el_heat_data;

/* Read every record of csv (header first). map_name[i] (a canonical field
 * name) is read from column map_col[i]; nmap may be 0. */
el_status el_heat_read(el_csv *csv, const char *const *map_name, const char *const *map_col,
                       size_t nmap, el_heat_data **out, el_error *err);
void el_heat_free(el_heat_data *d);

/* 1 if the input had a column for this field. */
int el_heat_has_field(const el_heat_data *d, el_heat_field f);
size_t el_heat_nrows(const el_heat_data *d);
size_t el_heat_nblocks(const el_heat_data *d);
/* Block b (in order of first appearance): its attributes, its subgroups
 * (in input order) and a key field's text (setting, date, source,
 * indicator or dimension; "" when absent). */
const el_ineq_block *el_heat_block(const el_heat_data *d, size_t b);
const el_ineq_subgroup *el_heat_block_rows(const el_heat_data *d, size_t b, size_t *n);
const char *el_heat_block_key(const el_heat_data *d, size_t b, el_heat_field f);

#endif
