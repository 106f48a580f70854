-- Spend allocated to leads adds back up to each channel-month's spend exactly (the remainder goes to
-- the first lead), at any volume.
select
    channel_id,
    cohort_month,
    max(channel_month_spend) as channel_month_spend,
    sum(allocated_spend) as allocated_spend

from {{ ref('int_leads_spend_allocated') }}
group by channel_id, cohort_month
having sum(allocated_spend) != max(channel_month_spend)
