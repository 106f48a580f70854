{#-
    row_count_matches(compare_model): the tested model has exactly as many rows as compare_model
    (a model, seed or source). Used on the base models, whose grain is "one row per raw row".
    Fails with one row showing both counts.
-#}
{% test row_count_matches(model, compare_model) %}

with

model_rows as (

    select count(*) as row_count from {{ model }}

),

compare_rows as (

    select count(*) as row_count from {{ compare_model }}

)

select
    model_rows.row_count as model_row_count,
    compare_rows.row_count as compare_row_count

from model_rows
cross join compare_rows
where model_rows.row_count != compare_rows.row_count

{% endtest %}
