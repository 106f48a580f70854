{#-
    One row per month per channel with a budget or spend: planned spend (seeds/reference/
    channel_budgets.csv, USD) against actual spend (stg_ads__ad_performance, USD), combined with a
    union of facts so unplanned spend and unspent plans both appear.

    Pacing: elapsed_days is the number of days of the month up to and including the as-of date
    (every day for a completed month, 0 for a future month). spend_to_date is the spend so far
    (spend after the as-of date does not exist: staging quarantines it as future-dated), and
    planned_spend_to_date the linear plan so far, planned_spend × elapsed_days ÷ days_in_month.
    budget_pacing_rate = spend_to_date / planned_spend_to_date (1 = on plan; for completed months
    it equals actual / planned). is_over_budget: spend to date above the linear plan to date
    (for a completed month: actual above planned); a month with spend and no plan is over budget.
-#}

with

channel_budgets as (

    select * from {{ ref('channel_budgets') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

plan_facts as (

    select
        cast(budget_month as date) as date_month,
        channel_id,
        planned_spend_usd as planned_spend,
        0 as actual_spend

    from channel_budgets

),

spend_facts as (

    select
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as date_month,
        channel_id,
        0 as planned_spend,
        spend as actual_spend

    from ad_performance

),

unioned_facts as (

    select * from plan_facts
    union all
    select * from spend_facts

),

aggregated as (

    select
        date_month,
        channel_id,
        cast(
            {{ measure_if_provided('channel_budgets', 'sum(planned_spend)') }} as decimal(18, 2)
        ) as planned_spend,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'], 'sum(actual_spend)') }}
            as decimal(18, 2)
        ) as actual_spend

    from unioned_facts
    group by
        date_month,
        channel_id

),

month_bounds as (

    select
        *,
        cast({{ dbt.dateadd('month', 1, 'date_month') }} as date) as next_month_start,
        {{ as_of_date() }} as as_of_date

    from aggregated

),

calendar as (

    select
        *,
        cast(
            {{ dbt.datediff('date_month', 'next_month_start', 'day') }}
            as integer
        ) as days_in_month,  -- noqa: LT05
        {{ dbt.datediff('date_month', 'as_of_date', 'day') }} as days_from_month_start_to_as_of_date  -- noqa: LT05

    from month_bounds

),

elapsed as (

    select
        *,
        cast(
            case
                when date_month > as_of_date then 0
                when next_month_start <= as_of_date then days_in_month
                else days_from_month_start_to_as_of_date + 1
            end as integer
        ) as elapsed_days

    from calendar

),

final as (

    select
        date_month,
        channel_id,
        planned_spend,
        actual_spend,
        cast(
            {{ kpi_if_available('budget_variance', budget_variance('actual_spend', 'planned_spend')) }}
            as decimal(18, 2)
        )
            as budget_variance,
        cast(
            {{ kpi_if_available('budget_variance_rate',
                budget_variance_rate('actual_spend', 'planned_spend')) }}
            as double
        )
            as budget_variance_rate,
        days_in_month,
        elapsed_days,
        next_month_start > as_of_date and date_month <= as_of_date as is_current_month,
        actual_spend as spend_to_date,
        cast(
            {{ planned_spend_to_date('planned_spend', 'elapsed_days', 'days_in_month') }}
            as decimal(18, 2)
        ) as planned_spend_to_date,
        -- The rate of the published (cent-rounded) plan to date, so that the published ratio is the
        -- published spend_to_date / planned_spend_to_date also mid-month (elapsed 1 of 1: the plan
        -- to date already holds the elapsed share).
        cast(
            {{ kpi_if_available('budget_pacing_rate',
                budget_pacing_rate('actual_spend', 'cast(' ~ planned_spend_to_date(
                    'planned_spend', 'elapsed_days', 'days_in_month') ~ ' as decimal(18, 2))', '1', '1')) }}
            as double
        ) as budget_pacing_rate,
        coalesce(
            {{ budget_pacing_rate('actual_spend', 'planned_spend', 'elapsed_days', 'days_in_month') }} > 1,
            actual_spend > planned_spend
        ) as is_over_budget

    from elapsed

)

select * from final
