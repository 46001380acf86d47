-- Total ionic conductivity vs Li2La2Ti3O10 phase fraction
-- Room-temperature (20-30 C) total conductivity of each batch's pellets (S/cm) next to its
-- minor-phase fraction (wt %) and activation energy (eV).
SELECT batch_id, source, li2co3_excess_pct, sinter_temperature_c, li2la2ti3o10_wt_pct,
       sigma_total_rt_s_cm, ea_total_ev
FROM batch_synthesis
ORDER BY li2la2ti3o10_wt_pct NULLS FIRST, batch_id;
