-- Li2La2Ti3O10 phase fraction vs Li2CO3 excess
-- How much of the layered minor phase each synthesis batch holds (XRD, Hill-Howard wt %),
-- by Li2CO3 excess and sintering temperature.
SELECT batch_id, source, li2co3_excess_pct, sinter_temperature_c, sinter_dwell_h,
       li2la2ti3o10_wt_pct, llto_wt_pct, n_xrd_scans
FROM batch_synthesis
ORDER BY li2co3_excess_pct NULLS FIRST, sinter_temperature_c NULLS FIRST, batch_id;
