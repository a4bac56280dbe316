-- How often each benefit is offered, as a count and a share of all extracted listings.
SELECT
  b.model_version,
  b.benefit,
  b.kind,
  COUNT(DISTINCT b.job_id) AS listings,
  SAFE_DIVIDE(COUNT(DISTINCT b.job_id), ANY_VALUE(t.total)) AS share
FROM {dataset}.job_benefits AS b
JOIN (SELECT model_version, COUNT(DISTINCT job_id) AS total FROM {dataset}.jobs GROUP BY model_version) AS t
  ON t.model_version = b.model_version
GROUP BY b.model_version, b.benefit, b.kind
