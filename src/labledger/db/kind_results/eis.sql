-- eis views (db/views.sql's conventions: portable SQL, a comment block per view).

-- eis_figures: one row per fitted spectrum with its sample, batch, temperature, resistances
-- and conductivities (S/cm); sigma_bulk_s_cm is empty when the bulk arc lies outside the
-- measured frequency window (bulk_reason says why), sigma_total_s_cm when the spectrum fails
-- Lin-KK or the fit misses its ends (total_reason says why).
CREATE VIEW eis_figures AS
SELECT
  e.id AS eis_id,
  e.sample,
  COALESCE(bs.id, el.batch) AS batch_id,
  e.condition,
  r.temperature_c,
  r.circuit_used,
  r.r_total_ohm,
  r.charge_transfer_r_ohm,
  r.sigma_total_s_cm,
  r.total_reason,
  r.sigma_bulk_s_cm,
  r.sigma_gb_apparent_s_cm,
  CAST(r.bulk_determined AS INTEGER) AS bulk_determined,
  r.bulk_reason,
  r.linkk_residual_max
FROM eis e
JOIN eis_result r ON r.eis_id = e.id
LEFT JOIN batch bs ON bs.id = e.sample
LEFT JOIN electrode el ON el.id = e.sample;
