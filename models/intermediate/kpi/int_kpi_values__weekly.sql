{#-
    Weekly channel delivery measures and KPIs as a long table, the input of the weekly anomaly
    mart: one row per ISO week (Monday start) per metric per channel (channel_id null = all
    channels). Read from kpi_channel_performance__daily: numerators and denominators are summed to
    the week and the KPI's formula macro is applied to the sums (kpi_value_from_components), so a
    weekly value uses exactly the mart's formula. Every channel gets every week of the data (a week
    without a row has zero volume), so trailing baselines see the quiet weeks too.
    is_complete_period is false for the partial first and last weeks of the data. A measure whose
    source was not provided (spend without ad data) stays null in every week, never 0
    (measure_if_provided), and so do the KPIs built from it.
-#}

{%- set metrics = [
    ('spend', 'spend', none),
    ('impressions', 'impressions', none),
    ('clicks', 'clicks', none),
    ('leads', 'leads', none),
    ('new_customers', 'new_customers', none),
    ('click_through_rate', 'clicks', 'impressions'),
    ('cost_per_click', 'spend', 'clicks'),
    ('cost_per_mille', 'spend', 'impressions'),
    ('cost_per_lead', 'spend', 'leads'),
    ('customer_acquisition_cost', 'spend', 'new_customers'),
] -%}

{%- set measures = ['spend', 'impressions', 'clicks', 'leads', 'new_customers'] -%}
{%- set measure_sources = {
    'spend': ['ad_performance', 'campaigns'],
    'impressions': ['ad_performance', 'campaigns'],
    'clicks': ['ad_performance', 'campaigns'],
    'leads': ['leads'],
    'new_customers': ['leads'],
} -%}

with

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

data_range as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day

    from channel_performance_daily

),

weekly_by_channel as (

    select
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as period_start,
        channel_id,
        {% for measure in measures %}
            sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}

    from channel_performance_daily
    group by cast({{ dbt.date_trunc('week', 'date_day') }} as date), channel_id

),

weeks as (

    select distinct period_start from weekly_by_channel

),

channels as (

    select distinct channel_id from weekly_by_channel

),

{#- every channel × every week: a quiet week is a zero, not a gap in the series #}

channel_weeks as (

    select
        weeks.period_start,
        channels.channel_id,
        {% for measure in measures %}
            {%- set quiet_week_is_zero = measure_if_provided(
                measure_sources[measure], 'coalesce(weekly_by_channel.' ~ measure ~ ', 0)'
            ) %}
            {{ stage_if_tracked('won', quiet_week_is_zero) if measure == 'new_customers'
                else quiet_week_is_zero }} as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}

    from weeks
    cross join channels
    left join weekly_by_channel
        on
            weeks.period_start = weekly_by_channel.period_start
            and channels.channel_id = weekly_by_channel.channel_id

),

all_channel_weeks as (

    select
        period_start,
        cast(null as {{ dbt.type_string() }}) as channel_id,
        {% for measure in measures %}
            sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}

    from channel_weeks
    group by period_start

),

weekly as (

    select * from channel_weeks
    union all
    select * from all_channel_weeks

),

components as (

    {% for metric_id, numerator, denominator in metrics %}
        select
            period_start,
            channel_id,
            '{{ metric_id }}' as metric_id,
            cast({{ numerator }} as double) as numerator,
            cast({{ denominator if denominator else 'null' }} as double) as denominator

        from weekly
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}

),

final as (

    select
        components.period_start,
        cast('week' as {{ dbt.type_string() }}) as period_type,
        components.metric_id,
        components.channel_id,
        coalesce(components.channel_id, 'all') as channel_key,
        components.numerator,
        components.denominator,
        {{ kpi_value_from_components(
            'components.metric_id', 'components.numerator', 'components.denominator'
        ) }} as value,
        (
            components.period_start >= data_range.first_day
            and {{ dbt.dateadd('day', 6, 'components.period_start') }} <= data_range.last_day
        ) as is_complete_period

    from components
    cross join data_range

)

select * from final
