{#-
    is_rate(): the column is a 0–1 fraction or null (a rate whose denominator was 0 is null).
    Fails with the offending rows.
-#}
{% test is_rate(model, column_name) %}

select * from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
