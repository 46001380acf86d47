-- cell views (db/views.sql's conventions: portable SQL, a comment block per view).

-- cell_figures: one row per cell with its lineage and the figures of its cycling analysis
-- (CE and retention in %; the mean over the stated window of cycles after activation).
-- cycle_life: first cycle below 80 % retention; cycle_life_status says what an empty one means:
-- 'reached', 'not reached' (above 80 % for all cycle_life_censored_at cycles measured: the
-- life is longer) or 'not applicable' (half cells, or no retention figures).
-- plausibility_flags: empty, or what looks wrong (the thresholds of labledger.cycling.quality):
-- mean CE above 105 % or below 50 %, a mean first-half-cycle capacity outside 0.001-50 mAh/cm2
-- for the cell's area, failure by cycle 2, fewer than 3 complete cycles.
CREATE VIEW cell_figures AS
SELECT
  l.*,
  r.n_cycles,
  r.window_first,
  r.window_last,
  r.mean_ce_pct,
  r.pooled_ce_pct,
  r.first_cycle_ce_99,
  r.eta_nuc_mv,
  r.failure_cycle,
  r.mean_hysteresis_mv,
  r.reference_cycle,
  r.cycle_life,
  r.cycle_life_censored_at,
  CASE WHEN r.cycle_life IS NOT NULL THEN 'reached'
       WHEN r.cycle_life_censored_at IS NOT NULL THEN 'not reached'
       WHEN r.cell_id IS NOT NULL THEN 'not applicable' END AS cycle_life_status,
  r.final_retention_pct,
  NULLIF(
    CASE WHEN r.mean_ce_pct > 105 THEN 'mean CE above 105 %. '
         WHEN r.mean_ce_pct < 50 THEN 'mean CE below 50 %. ' ELSE '' END
    || CASE WHEN (SELECT AVG(COALESCE(cc.q_plate_mah, cc.q_charge_mah)) FROM cell_cycle cc
                  WHERE cc.cell_id = l.cell_id) / l.area_cm2 NOT BETWEEN 0.001 AND 50
            THEN 'capacity per area implausible. ' ELSE '' END
    || CASE WHEN r.failure_cycle <= 2
            THEN 'failure from cycle ' || CAST(r.failure_cycle AS TEXT) || '. ' ELSE '' END
    || CASE WHEN r.n_cycles < 3 THEN 'fewer than 3 complete cycles. ' ELSE '' END,
    '') AS plausibility_flags
FROM lineage l
LEFT JOIN cell_result r ON r.cell_id = l.cell_id;
