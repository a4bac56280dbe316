-- Work model by location: the share of listings that are remote or hybrid, per extracted location.
SELECT
  model_version,
  location,
  COUNT(*) AS listings,
  COUNTIF(remote_status IN ('Fully Remote', 'Remote (Region Specific)')) AS remote_listings,
  COUNTIF(remote_status = 'Hybrid') AS hybrid_listings,
  COUNTIF(remote_status = 'Office-based') AS office_listings,
  SAFE_DIVIDE(COUNTIF(remote_status IN ('Fully Remote', 'Remote (Region Specific)')), COUNT(*)) AS remote_share
FROM {dataset}.jobs, UNNEST(locations) AS location
GROUP BY model_version, location
