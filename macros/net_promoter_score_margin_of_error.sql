{#-
    net_promoter_score_margin_of_error(promoters, detractors, responses): half the width of a
    normal-approximation (Wald) interval of the NPS, in NPS points. Each response is +1
    (promoter), 0 (passive) or −1 (detractor); NPS = 100 × their mean, whose variance per
    response is p + d − (p − d)² (p, d = promoter and detractor shares), so the standard error
    is 100 × √((p + d − (p − d)²) / n) and the margin z × that (z = 1.96 for 95 %). Null when
    responses are fewer than var('nps_interval_min_responses', 30), where the normal
    approximation does not hold. Limits: docs/GOVERNANCE.md "NPS and its uncertainty".
-#}
{% macro net_promoter_score_margin_of_error(promoters, detractors, responses, z=1.96) -%}
    {%- set min_responses = var('nps_interval_min_responses', 30) -%}
    {%- set p = marketing_kpi.safe_divide(promoters, responses) -%}
    {%- set d = marketing_kpi.safe_divide(detractors, responses) -%}
    case
        when ({{ responses }}) >= {{ min_responses }}
            then 100 * {{ z }} * sqrt(
                (({{ p }}) + ({{ d }}) - (({{ p }}) - ({{ d }})) * (({{ p }}) - ({{ d }})))
                / cast({{ responses }} as double)
            )
    end
{%- endmacro %}
