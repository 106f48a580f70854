{#-
    relationships_if_provided: dbt's relationships test (every non-null value of the column exists
    in to.field) when the raw table `provided_by` holds rows; when the company did not export that
    table, the values could not be checked in staging and are kept as sent, so there is nothing
    to test (see macros/raw_table_is_provided.sql).
-#}
{% test relationships_if_provided(model, column_name, to, field, provided_by) %}

select child.{{ column_name }}
from {{ model }} as child
left join {{ to }} as parent
    on child.{{ column_name }} = parent.{{ field }}
where
    child.{{ column_name }} is not null
    and parent.{{ field }} is null
    and {{ raw_table_is_provided(provided_by) }}

{% endtest %}
