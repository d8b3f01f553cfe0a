// dna_duckdb.mjs — the DNA job in DuckDB (Node API, 2 threads), for bench/run.sh.
// usage: node bench/peers/dna_duckdb.mjs APPOINTMENTS.csv IMD.csv OUT.csv [THREADS]
// Same definitions as docs/dna-job.md ("Exact definition"): values trimmed of
// spaces, tabs and CR; codes 5,6,3,7 kept, DNA = 3 or 7; quintile =
// (decile+1)//2 of lsoa11, 'unknown' if missing or not in the IMD file;
// ethnic broad group A-C white, D-G mixed, H-L asian, M-P black, R-S other,
// Z not_stated, 99 or blank not_known, anything else invalid.
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, imd, out, threads = '2'] = process.argv.slice(2);
if (!out) { console.error('usage: dna_duckdb.mjs APPOINTMENTS.csv IMD.csv OUT.csv [THREADS]'); process.exit(2); }
const q = (s) => "'" + s.replace(/'/g, "''") + "'";
const T = "' ' || chr(9) || chr(13)";
const sql = `
WITH imd AS (
  SELECT lsoa, CAST(decile AS INTEGER) AS decile
  FROM read_csv(${q(imd)}, header = true, all_varchar = true,
                names = ['lsoa', 'lsoa_name', 'lad', 'lad_name', 'rank', 'decile'])
), a AS (
  SELECT trim(coalesce(attended_or_did_not_attend, ''), ${T}) AS att,
         trim(coalesce(ethnic_category, ''), ${T}) AS eth,
         trim(coalesce(lsoa11, ''), ${T}) AS lsoa
  FROM read_csv(${q(file)}, header = true, all_varchar = true)
), g AS (
  SELECT CASE WHEN i.decile IS NULL THEN 'unknown' ELSE CAST((i.decile + 1) // 2 AS VARCHAR) END AS q,
         CASE WHEN eth IN ('A','B','C') THEN 'white'
              WHEN eth IN ('D','E','F','G') THEN 'mixed'
              WHEN eth IN ('H','J','K','L') THEN 'asian'
              WHEN eth IN ('M','N','P') THEN 'black'
              WHEN eth IN ('R','S') THEN 'other'
              WHEN eth = 'Z' THEN 'not_stated'
              WHEN eth IN ('99', '') THEN 'not_known'
              ELSE 'invalid' END AS g,
         CASE WHEN att IN ('3', '7') THEN 1 ELSE 0 END AS dna
  FROM a LEFT JOIN imd i ON a.lsoa = i.lsoa
  WHERE att IN ('5', '6', '3', '7')
)
SELECT CASE WHEN GROUPING(q) = 1 AND GROUPING(g) = 1 THEN 'total'
            WHEN GROUPING(g) = 1 THEN 'imd_quintile'
            WHEN GROUPING(q) = 1 THEN 'ethnic_group'
            ELSE 'imd_quintile_x_ethnic_group' END AS lens,
       coalesce(q, 'all') AS imd_quintile, coalesce(g, 'all') AS ethnic_group,
       sum(dna) AS dna, count(*) AS appointments
FROM g GROUP BY GROUPING SETS ((q, g), (q), (g), ())
ORDER BY 1, 2, 3`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
const reader = await conn.runAndReadAll(sql);
const lines = ['lens,imd_quintile,ethnic_group,dna,appointments'];
for (const r of reader.getRows()) lines.push(r.map((v) => String(v)).join(','));
writeFileSync(out, lines.join('\n') + '\n');
