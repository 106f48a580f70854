{#-
    The KPI registry and the KPI marts agree (the same rule as marketing_kpi.governance):
      * missing_implementation: a registry KPI whose mart_model.mart_column does not exist;
      * unregistered_kpi_column: a column of a model under models/marts/kpi that is a KPI column
        by the naming rule (ends in _rate, _share or _ratio; starts with cost_per_, average_ or
        lifetime_value; or is one of the listed names) but is neither a registry KPI's
        mart_column nor listed in kpi_column_exceptions.
    The mart columns come from the manifest (graph): every KPI mart has an enforced contract, so
    its declared columns are exactly its built columns (checked by tests/python/test_governance.py).
-#}

{%- set kpi_column_names = [
    'return_on_ad_spend', 'return_on_investment', 'customer_acquisition_cost', 'net_promoter_score',
    'cac_payback_months', 'budget_variance', 'pages_per_session', 'orders_per_customer',
    'predictive_lifetime_value', 'median_days_lead_to_won',
] -%}

{%- set mart_columns = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.original_file_path.startswith('models/marts/kpi/') -%}
            {%- for column_name in node.columns -%}
                {%- do mart_columns.append((node.name, column_name)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if not mart_columns -%}
    {%- do mart_columns.append(('(none)', '(none)')) -%}
{%- endif %}

with

kpi_registry as (

    select * from {{ ref('kpi_registry') }}

),

kpi_column_exceptions as (

    select * from {{ ref('kpi_column_exceptions') }}

),

mart_columns as (

    select
        declared.model_name,
        declared.column_name
    from (
        values
        {%- for model_name, column_name in mart_columns %}
            ('{{ model_name }}', '{{ column_name }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as declared (model_name, column_name)

),

kpi_columns as (

    select * from mart_columns
    where
        {{ dbt.right('column_name', 5) }} = '_rate'
        or {{ dbt.right('column_name', 6) }} = '_share'
        or {{ dbt.right('column_name', 6) }} = '_ratio'
        or substring(column_name, 1, 9) = 'cost_per_'
        or substring(column_name, 1, 8) = 'average_'
        or substring(column_name, 1, 14) = 'lifetime_value'
        or column_name in (
            {% for kpi_column_name in kpi_column_names %}
                '{{ kpi_column_name }}'{% if not loop.last %},{% endif %}
            {% endfor %}
        )

),

missing_implementation as (

    select
        'missing_implementation' as failure,
        kpi_registry.mart_model as model_name,
        kpi_registry.mart_column as column_name

    from kpi_registry
    left join mart_columns
        on
            kpi_registry.mart_model = mart_columns.model_name
            and kpi_registry.mart_column = mart_columns.column_name
    where mart_columns.model_name is null

),

unregistered_kpi_columns as (

    select
        'unregistered_kpi_column' as failure,
        kpi_columns.model_name,
        kpi_columns.column_name

    from kpi_columns
    where
        kpi_columns.column_name not in (select kpi_registry.mart_column from kpi_registry)
        and kpi_columns.column_name not in (
            select kpi_column_exceptions.column_name from kpi_column_exceptions
        )

),

failures as (

    select * from missing_implementation
    union all
    select * from unregistered_kpi_columns

)

select * from failures
