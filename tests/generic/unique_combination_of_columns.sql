{#-
    unique_combination_of_columns(combination_of_columns): no two rows share the same values in
    the listed columns (the grain test of models with a composite key). Fails with one row per
    repeated combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_with_combination

from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
