{#- is_non_negative: fails on every row where the column is below zero (nulls pass). -#}
{% test is_non_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
