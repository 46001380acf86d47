-- labledger views: the questions a lab asks, as SQL.
-- Portable SQL giving the same rows on SQLite and PostgreSQL: flags are integers 0/1 (CAST of
-- the boolean columns), text comparisons are case-sensitive (no LIKE), numbers are floats or
-- integers on both. Regenerated into schema/views.sql by `labledger schema`.
-- Each view starts with a comment block that the README and `labledger views` show.

-- batch_synthesis: one row per batch with its synthesis parameters flattened and its measured
-- properties. Milling columns come from the first ball_mill step, calcine_* from the first
-- calcine step, sinter_* from the last sinter step (the one that sets the microstructure).
-- li2la2ti3o10_wt_pct, llto_wt_pct: weight fractions from the batch's XRD scans (mean over
-- the scans whose phases explain them, i.e. that have weight fractions; a phase not found
-- counting as 0; LLTO = tetragonal + cubic perovskite; empty without such a scan);
-- sigma_total_rt_s_cm: mean total conductivity (S/cm) of the batch's pellets at 20-30 C;
-- ea_total_ev, ea_bulk_ev: activation energies from arrhenius_fit (ln(sigma*T) vs 1/T).
CREATE VIEW batch_synthesis AS
SELECT
  b.id AS batch_id,
  b.date,
  b.operator,
  CASE WHEN b.commercial_supplier IS NULL THEN 'synthesis' ELSE 'commercial' END AS source,
  b.commercial_supplier AS supplier,
  b.commercial_lot AS lot,
  b.target_formula,
  b.li2co3_excess_pct,
  (SELECT SUM(p.mass_g) FROM batch_precursor p WHERE p.batch_id = b.id) AS precursor_mass_g,
  (SELECT s.speed_rpm FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'ball_mill' ORDER BY s.position LIMIT 1) AS mill_speed_rpm,
  (SELECT s.duration_h FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'ball_mill' ORDER BY s.position LIMIT 1) AS mill_duration_h,
  (SELECT s.media FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'ball_mill' ORDER BY s.position LIMIT 1) AS mill_media,
  (SELECT s.ball_to_powder_ratio FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'ball_mill' ORDER BY s.position LIMIT 1)
     AS mill_ball_to_powder_ratio,
  (SELECT s.solvent FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'ball_mill' ORDER BY s.position LIMIT 1) AS mill_solvent,
  (SELECT s.temperature_c FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'calcine' ORDER BY s.position LIMIT 1)
     AS calcine_temperature_c,
  (SELECT s.dwell_h FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'calcine' ORDER BY s.position LIMIT 1) AS calcine_dwell_h,
  (SELECT s.temperature_c FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'sinter' ORDER BY s.position DESC LIMIT 1)
     AS sinter_temperature_c,
  (SELECT s.dwell_h FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'sinter' ORDER BY s.position DESC LIMIT 1) AS sinter_dwell_h,
  (SELECT s.ramp_c_per_min FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'sinter' ORDER BY s.position DESC LIMIT 1)
     AS sinter_ramp_c_per_min,
  (SELECT s.atmosphere FROM batch_step s
     WHERE s.batch_id = b.id AND s.type = 'sinter' ORDER BY s.position DESC LIMIT 1)
     AS sinter_atmosphere,
  (SELECT COUNT(*) FROM batch_step s WHERE s.batch_id = b.id) AS n_steps,
  (SELECT SUM(CASE WHEN p.phase = 'Li2La2Ti3O10' THEN p.wt_pct ELSE 0.0 END)
          / COUNT(DISTINCT x.id)
     FROM xrd x JOIN xrd_phase p ON p.xrd_id = x.id
     WHERE x.sample = b.id AND p.wt_pct IS NOT NULL)
     AS li2la2ti3o10_wt_pct,
  (SELECT SUM(CASE WHEN SUBSTR(p.phase, 1, 4) = 'LLTO' THEN p.wt_pct ELSE 0.0 END)
          / COUNT(DISTINCT x.id)
     FROM xrd x JOIN xrd_phase p ON p.xrd_id = x.id
     WHERE x.sample = b.id AND p.wt_pct IS NOT NULL) AS llto_wt_pct,
  (SELECT COUNT(*) FROM xrd x JOIN xrd_result r ON r.xrd_id = x.id WHERE x.sample = b.id)
     AS n_xrd_scans,
  (SELECT AVG(r.sigma_total_s_cm) FROM eis e JOIN eis_result r ON r.eis_id = e.id
     WHERE e.sample = b.id AND e.temperature_c BETWEEN 20 AND 30) AS sigma_total_rt_s_cm,
  (SELECT a.ea_ev FROM arrhenius_fit a WHERE a.sample = b.id AND a.quantity = 'sigma_total')
     AS ea_total_ev,
  (SELECT a.ea_ev FROM arrhenius_fit a WHERE a.sample = b.id AND a.quantity = 'sigma_bulk')
     AS ea_bulk_ev,
  CAST(b.synthetic AS INTEGER) AS synthetic,
  b.notes
FROM batch b;

-- lineage: one row per cell with the electrode it tested and the batch that electrode was made
-- from (batch -> electrode -> cell). Cells on a bare substrate have no electrode or batch.
CREATE VIEW lineage AS
SELECT
  c.id AS cell_id,
  c.cell_type,
  c.date AS cell_date,
  COALESCE(e.material, c.substrate) AS anode,
  c.counter_electrode,
  c.cathode_material,
  c.area_cm2,
  c.protocol_current_density_ma_cm2 AS current_density_ma_cm2,
  c.protocol_areal_capacity_mah_cm2 AS areal_capacity_mah_cm2,
  c.protocol_np_ratio AS np_ratio,
  c.electrolyte,
  e.id AS electrode_id,
  e.cnt_wt_pct,
  e.pmma_wt_pct,
  e.porosity_pct,
  e.mass_loading_mg_cm2,
  b.batch_id,
  b.source AS batch_source,
  b.li2co3_excess_pct,
  b.sinter_temperature_c
FROM cell c
LEFT JOIN electrode e ON e.id = c.working_electrode
LEFT JOIN batch_synthesis b ON b.batch_id = e.batch;

-- measurements: every xrd and eis record with the sample it measured and, where that sample is
-- an electrode, the batch behind it. raw_file is relative to the records folder (the record
-- file names it relative to itself); empty while the file is pending.
CREATE VIEW measurements AS
SELECT m.id AS measurement_id, m.kind, m.sample, m.date, m.temperature_c, f.path AS raw_file,
  COALESCE(bs.id, be.id) AS batch_id
FROM (
  SELECT id, 'xrd' AS kind, sample, date, NULL AS temperature_c, raw_file FROM xrd
  UNION ALL
  SELECT id, 'eis' AS kind, sample, date, temperature_c, raw_file FROM eis
) m
LEFT JOIN raw_file f ON f.record_id = m.id AND f.field = 'raw_file'
LEFT JOIN batch bs ON bs.id = m.sample
LEFT JOIN electrode el ON el.id = m.sample
LEFT JOIN batch be ON be.id = el.batch;

-- stale_results: current analysis results whose inputs changed since they were computed
-- (the record file or its raw file has another sha256 now, or the record was removed).
CREATE VIEW stale_results AS
SELECT
  a.record_id,
  a.analysis,
  a.id AS run_id,
  a.finished_at,
  CASE
    WHEN r.id IS NULL OR r.status = 'removed' THEN 'record removed'
    WHEN r.sha256 <> a.record_sha256 THEN 'record changed'
    ELSE 'raw file changed'
  END AS reason
FROM analysis_run a
LEFT JOIN record r ON r.id = a.record_id
LEFT JOIN raw_file f ON f.record_id = a.record_id AND f.field = 'raw_file'
WHERE a.current
  AND (r.id IS NULL OR r.status = 'removed' OR r.sha256 <> a.record_sha256
       OR (a.raw_sha256 IS NOT NULL AND (f.sha256 IS NULL OR f.sha256 <> a.raw_sha256)));
