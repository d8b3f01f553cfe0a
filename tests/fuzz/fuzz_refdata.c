/* fuzz_refdata.c — libFuzzer harness for the reference-data loader
 * (refdata.h). The first byte picks which reference file the rest of the
 * input becomes; the loader must return an error or a table, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "equitylens/refdata.h"

static const struct { unsigned flag; const char *file; } T[] = {
    {EL_REF_IMD2019, "imd/iod2019_file1_imd_lsoa11.csv"},
    {EL_REF_IMD2025, "imd/iod2025_imd_lsoa21.csv"},
    {EL_REF_LSOA_MAP, "lookups/lsoa11_lsoa21_lad22_ew.csv"},
    {EL_REF_GEO11, "lookups/lsoa11_sicbl22_icb22_lad22_en.csv"},
    {EL_REF_GEO21, "lookups/lsoa21_sicbl24_icb24_en.csv"},
    {EL_REF_POP21, "population/census2021_lsoa21_age6.csv"},
    {EL_REF_POP20, "population/mid2020_lsoa11_persons_age5.csv"},
};

static char dir[64];

static void cleanup(void)
{
    const char *subs[] = {"imd", "lookups", "population"};
    for (int i = 0; i < 3; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        rmdir(p);
    }
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/elfuzzrefXXXXXX");
        if (!mkdtemp(dir)) { dir[0] = '\0'; return 0; }
        const char *subs[] = {"imd", "lookups", "population"};
        for (int i = 0; i < 3; i++) {
            char p[128];
            snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
            mkdir(p, 0700);
        }
        atexit(cleanup);
    }
    if (size < 1) return 0;
    size_t k = data[0] % (sizeof T / sizeof T[0]);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, T[k].file);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    el_refdata *r = NULL;
    el_error e;
    if (el_refdata_load(dir, T[k].flag, &r, &e) == EL_OK) {
        /* exercise the lookups on whatever loaded */
        el_imd m;
        el_area a;
        const char *out[4];
        size_t n = el_refdata_lsoa_count(r, EL_LSOA11) + el_refdata_lsoa_count(r, EL_LSOA21);
        (void)n;
        el_refdata_imd(r, 2019, "E01000001", &m);
        el_refdata_imd(r, 2025, "E01000001", &m);
        el_refdata_area(r, EL_LSOA21, "E01000001", EL_AREA_ICB, &a);
        el_refdata_lsoa_convert(r, EL_LSOA11, "E01000001", out, 4, NULL);
        el_refdata_free(r);
    }
    remove(path);
    return 0;
}
