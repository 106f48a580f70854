-- Every won lead linked to a customer account appears in int_customers. Returns the missing ones.
select
    leads_lifecycle.lead_id,
    leads_lifecycle.customer_id

from {{ ref('int_leads_lifecycle') }} as leads_lifecycle
left join {{ ref('int_customers') }} as customers
    on leads_lifecycle.customer_id = customers.customer_id
where
    leads_lifecycle.is_won
    and leads_lifecycle.customer_id is not null
    and customers.customer_id is null
