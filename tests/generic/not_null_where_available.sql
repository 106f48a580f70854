{#-
    not_null_where_available(column_name, sources, funnel_stages): the column is never null while
    every listed source table is provided and every listed funnel stage is tracked
    (int_availability). For measures that are null, never 0, when their data is missing (spend
    without ad data): on the full dataset this is exactly not_null; on a partial export the nulls
    are the point. Fails on every null row while the data is there.
-#}
{% test not_null_where_available(model, column_name, sources=[], funnel_stages=[]) %}

{%- set items = [] -%}
{%- for source_table in sources -%}
    {%- do items.append("(item_type = 'source' and item_id = '" ~ source_table ~ "')") -%}
{%- endfor -%}
{%- for funnel_stage in funnel_stages -%}
    {%- do items.append("(item_type = 'funnel_stage' and item_id = '" ~ funnel_stage ~ "')") -%}
{%- endfor %}

select *
from {{ model }}
where
    {{ column_name }} is null
    and coalesce((
        select max(case when is_available then 0 else 1 end)
        from {{ ref('int_availability') }}
        where {{ items | join(' or ') if items else 'false' }}
    ), 0) = 0

{% endtest %}
