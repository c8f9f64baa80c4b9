"""Everything that speaks SmartRecruiters: clients, the feed sync, applications,
assessments, and the sandbox that plays SmartRecruiters' side."""
