-- Stage durations in int_leads_lifecycle are never negative and stage times never precede
-- creation or the previous stage. Returns the offending leads.
select *
from {{ ref('int_leads_lifecycle') }}
where
    days_lead_to_mql < 0
    or days_mql_to_sql < 0
    or days_sql_to_opportunity < 0
    or days_opportunity_to_won < 0
    or days_lead_to_won < 0
    or mql_at < created_at
    or sql_at < mql_at
    or opportunity_at < sql_at
    or won_at < opportunity_at
