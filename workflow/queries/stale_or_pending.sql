-- Results to redo
-- Current analysis results whose record or raw file changed since they were computed.
SELECT record_id, analysis, reason, finished_at
FROM stale_results
ORDER BY record_id;
