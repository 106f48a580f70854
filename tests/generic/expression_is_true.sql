{#-
    expression_is_true(expression): fails on every row where the boolean SQL expression is false
    (rows where it is null pass, like SQL check constraints). Put it on a model (or a column:
    the expression then stands alone and the column is ignored).
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
