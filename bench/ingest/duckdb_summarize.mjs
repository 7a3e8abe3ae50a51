// duckdb_summarize.mjs -- the DuckDB peer of `strata summarize --event event`: the same per-customer table
// (lifetimes conventions, see ../../src/features/summary.c) as one SQL query, written to CSV with COPY.
// Usage: node bench/ingest/duckdb_summarize.mjs EVENTS.csv OUT.csv [THREADS=2]
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, threadsArg] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node duckdb_summarize.mjs EVENTS.csv OUT.csv [THREADS]');
  process.exit(2);
}
const threads = Number(threadsArg || 2);
const lit = (s) => "'" + String(s).replaceAll("'", "''") + "'";

// The behaviours of the simulated log are known up front: view, fav, cart, purchase (strata finds them).
// The customer id's type is left to DuckDB's detection (BIGINT for the simulated log), its fastest case.
const behaviours = ['view', 'fav', 'cart', 'purchase'];
const perBehaviour = behaviours
  .map((b) => `count(*) FILTER (WHERE event = '${b}') AS count_${b}, max(day) FILTER (WHERE event = '${b}') AS last_${b}`)
  .join(',\n    ');
const sinceCols = behaviours
  .map((b) => `count_${b}, (e.end_day - last_${b})::DOUBLE AS days_since_${b}`)
  .join(', ');

const sql = `
COPY (
  WITH ev AS (
    SELECT customer_id, CAST(date AS DATE) AS day, event, amount
    FROM read_csv(${lit(input)}, header = true,
                  types = {'date': 'TIMESTAMP', 'event': 'VARCHAR', 'amount': 'DOUBLE'})
  ),
  e AS (SELECT max(day) AS end_day FROM ev),
  -- purchases on the same day are one purchase with the amounts summed
  pday AS (SELECT customer_id, day, sum(amount) AS amt FROM ev WHERE event = 'purchase' GROUP BY customer_id, day),
  pc AS (
    SELECT customer_id, count(*) AS ndays, min(day) AS first_day, max(day) AS last_day, sum(amt) AS total,
           arg_min(amt, day) AS first_amt
    FROM pday GROUP BY customer_id
  ),
  beh AS (
    SELECT customer_id,
    ${perBehaviour}
    FROM ev GROUP BY customer_id
  )
  SELECT b.customer_id,
         coalesce(pc.ndays - 1, 0)::DOUBLE AS frequency,
         (pc.last_day - pc.first_day)::DOUBLE AS recency,
         (e.end_day - pc.first_day)::DOUBLE AS T,
         CASE WHEN pc.ndays > 1 THEN (pc.total - pc.first_amt) / (pc.ndays - 1) ELSE 0 END AS monetary_value,
         (e.end_day - pc.last_day)::DOUBLE AS recency_days,
         coalesce(pc.ndays, 0)::DOUBLE AS orders,
         coalesce(pc.total, 0) AS revenue,
         pc.first_day AS first_purchase,
         pc.last_day AS last_purchase,
         ${sinceCols}
  FROM beh b LEFT JOIN pc USING (customer_id) CROSS JOIN e
) TO ${lit(output)} (HEADER, DELIMITER ',')`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await instance.connect();
await con.run(`SET threads = ${threads}`);
await con.run(sql);
con.closeSync?.();
