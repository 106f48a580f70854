-- Funnel counts never grow down the funnel within a cohort (implied-min rule):
-- leads >= MQLs >= SQLs >= opportunities >= won deals. Returns the offending cohort rows.
select *
from {{ ref('kpi_funnel_conversion__cohort') }}
where
    marketing_qualified_leads > leads
    or sales_qualified_leads > marketing_qualified_leads
    or opportunities > sales_qualified_leads
    or won_deals > opportunities
