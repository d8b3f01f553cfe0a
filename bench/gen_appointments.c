/* gen_appointments.c — fallback generator of a canonical appointments extract
 * for the benchmarks, used by bench/run.sh only when `equitylens synth --kind
 * appointments` is not built. Same column layout as docs/data-formats.md
 * (canonical appointments + demographics); values drawn from a fixed-seed
 * xorshift generator, LSOAs from the IMD 2019 file, DNA odds that rise with
 * deprivation, some missing / unmatched LSOAs and Z / 99 / blank ethnicity.
 *
 *   cc -O2 -o gen bench/gen_appointments.c
 *   ./gen ROWS SEED IMD_FILE > appointments.csv
 *
 * Not part of the product (not under src/): a bench tool with no options. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s;
static inline uint64_t rnd(void)
{
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    return s;
}
static inline double unif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: %s ROWS SEED IMD_FILE\n", argv[0]); return 2; }
    long long rows = atoll(argv[1]);
    s = 0x9E3779B97F4A7C15ULL ^ (uint64_t)atoll(argv[2]);
    for (int i = 0; i < 10; i++) rnd();
    FILE *f = fopen(argv[3], "r");
    if (!f) { perror(argv[3]); return 1; }
    static char codes[40000][10];
    static int dec[40000];
    int n = 0;
    char line[1024];
    if (!fgets(line, sizeof line, f)) return 1;  /* header */
    while (n < 40000 && fgets(line, sizeof line, f)) {
        if (strlen(line) < 10 || line[9] != ',') continue;
        memcpy(codes[n], line, 9);
        codes[n][9] = 0;
        /* decile is the last field */
        char *e = line + strlen(line);
        while (e > line && (e[-1] == '\n' || e[-1] == '\r')) e--;
        char *c = e;
        while (c > line && c[-1] != ',') c--;
        dec[n] = atoi(c);
        n++;
    }
    fclose(f);
    if (n == 0) { fprintf(stderr, "no LSOAs in %s\n", argv[3]); return 1; }
    static const char *eth[] = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99", ""};
    static const double ethw[] = {62, 2, 8, 1, 0.5, 1, 1, 3, 2.5, 1, 2, 1.5, 2.5, 0.5, 0.7, 1.8, 4, 3, 2};
    double ethc[19], tot = 0;
    for (int i = 0; i < 19; i++) { tot += ethw[i]; ethc[i] = tot; }
    static const char *prov[] = {"RAL", "RF4", "R1H", "RQX", "RRV", "RKE"};
    static const char *tfc[] = {"100", "101", "110", "120", "130", "300", "320", "330", "340", "502"};
    static const char *med[] = {"01", "02", "03", "04"};
    char *obuf = malloc(1 << 20);
    setvbuf(stdout, obuf, _IOFBF, 1 << 20);
    fputs("appointment_id,patient_id,appointment_date,attended_or_did_not_attend,provider_code,"
          "treatment_function_code,referral_request_received_date,first_attendance,consultation_medium,"
          "ethnic_category,person_stated_gender_code,age,lsoa11\n", stdout);
    for (long long r = 1; r <= rows; r++) {
        int li = (int)(rnd() % (uint64_t)n);
        double u = unif();
        const char *lsoa = codes[li];
        int d = dec[li];
        char bad[10];
        if (u < 0.03) { lsoa = ""; d = 0; }
        else if (u < 0.04) { memcpy(bad, "W01000", 6); snprintf(bad + 6, 4, "%03d", (int)(rnd() % 1000)); lsoa = bad; d = 0; }
        double e = unif() * tot;
        int ei = 0;
        while (ei < 18 && e > ethc[ei]) ei++;
        /* attendance: DNA odds rise with deprivation and for some groups */
        int q = d ? (d + 1) / 2 : 3;
        double pdna = 0.05 + 0.012 * (5 - q) + (ei >= 11 && ei <= 13 ? 0.02 : 0) + (ei >= 16 ? 0.015 : 0);
        double a = unif();
        const char *att;
        if (a < 0.015) att = "0";
        else if (a < 0.065) att = "2";
        else if (a < 0.105) att = "4";
        else {
            double b = unif();
            if (b < pdna * 0.85) att = "3";
            else if (b < pdna) att = "7";
            else if (b < pdna + 0.03) att = "6";
            else att = "5";
        }
        int day = (int)(rnd() % 365), ref = day - 7 - (int)(rnd() % 120);
        int y = 2024, m = 1 + day / 31 % 12, dd = 1 + day % 28;
        int ry = ref < 0 ? 2023 : 2024, rm = 1 + (ref < 0 ? ref + 365 : ref) / 31 % 12, rd = 1 + (ref < 0 ? -ref : ref) % 28;
        printf("A%09lld,P%08llu,%04d-%02d-%02d,%s,%s,%s,%04d-%02d-%02d,%d,%s,%s,%d,%d,%s\n",
               r, (unsigned long long)(rnd() % 3000000), y, m, dd, att, prov[rnd() % 6], tfc[rnd() % 10],
               ry, rm, rd, (int)(rnd() % 3 == 0), med[rnd() % 4], eth[ei], (int)(1 + rnd() % 2),
               (int)(rnd() % 95), lsoa);
    }
    return fflush(stdout) ? 1 : 0;
}
