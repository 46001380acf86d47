-- xrd views (db/views.sql's conventions: portable SQL, a comment block per view).

-- xrd_figures: one row per phase found in an analysed scan (a scan with no phase at all has
-- one row, phase empty), with the scan's batch and fit quality. verdict: 'explained', or
-- 'not_explained' when no listed phase explains the scan: wt_pct is then empty, and
-- verdict_reason and unexplained_peaks ('2theta deg (d A)'; ...) say why.
CREATE VIEW xrd_figures AS
SELECT
  x.id AS xrd_id,
  x.sample,
  COALESCE(bs.id, el.batch) AS batch_id,
  p.phase,
  p.wt_pct,
  p.wt_pct_esd,
  p.a_angstrom,
  p.c_angstrom,
  r.rwp_pct,
  r.gof,
  r.phases_detected,
  COALESCE(r.verdict,
           CASE WHEN p.wt_pct IS NULL THEN 'not_explained' ELSE 'explained' END) AS verdict,
  r.verdict_reason,
  r.unexplained_peaks
FROM xrd x
JOIN xrd_result r ON r.xrd_id = x.id
LEFT JOIN xrd_phase p ON p.xrd_id = x.id
LEFT JOIN batch bs ON bs.id = x.sample
LEFT JOIN electrode el ON el.id = x.sample;
