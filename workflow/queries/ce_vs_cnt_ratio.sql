-- Coulombic efficiency vs CNT ratio
-- Half cells (Li plating/stripping): mean CE (%) over the analysis window by the anode's CNT
-- fraction (wt %), with the test conditions; bare substrates have no CNT ratio.
SELECT cell_id, anode, electrode_id, cnt_wt_pct, current_density_ma_cm2, areal_capacity_mah_cm2,
       n_cycles, window_first, window_last,
       CAST(ROUND(CAST(mean_ce_pct AS NUMERIC), 3) AS FLOAT) AS mean_ce_pct, first_cycle_ce_99,
       eta_nuc_mv
FROM cell_figures
WHERE cell_type = 'half' AND mean_ce_pct IS NOT NULL
ORDER BY current_density_ma_cm2 NULLS FIRST, areal_capacity_mah_cm2 NULLS FIRST,
         cnt_wt_pct NULLS FIRST, cell_id;
