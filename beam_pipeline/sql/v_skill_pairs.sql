-- Skills that appear together in the same listing (each unordered pair once).
SELECT
  a.model_version,
  a.skill AS skill_a,
  b.skill AS skill_b,
  COUNT(DISTINCT a.job_id) AS listings
FROM {dataset}.job_skills AS a
JOIN {dataset}.job_skills AS b
  ON a.job_id = b.job_id AND a.model_version = b.model_version AND a.skill < b.skill
GROUP BY a.model_version, a.skill, b.skill
