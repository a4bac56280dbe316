-- Skill demand by role and seniority: how many listings ask for each skill.
SELECT
  s.model_version,
  j.role_title,
  j.role_seniority,
  s.skill,
  s.category,
  s.requirement,
  COUNT(DISTINCT s.job_id) AS listings
FROM {dataset}.job_skills AS s
JOIN {dataset}.jobs AS j
  ON j.job_id = s.job_id AND j.model_version = s.model_version
GROUP BY s.model_version, j.role_title, j.role_seniority, s.skill, s.category, s.requirement
