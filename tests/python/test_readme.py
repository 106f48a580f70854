from marketing_kpi import readme_sections


def test_readme_generated_sections_are_current():
    current = readme_sections.README.read_text()
    assert readme_sections.render(current) == current, (
        "README.md is stale: run `python -m marketing_kpi.readme_sections`"
    )


def test_raw_contract_section_lists_every_raw_table_and_flags_pii():
    section = readme_sections.raw_contract_section()
    for table in (
        "channels",
        "campaigns",
        "ad_performance",
        "web_sessions",
        "email_sends",
        "leads",
        "lead_stage_events",
        "touchpoints",
        "orders",
        "survey_responses",
    ):
        assert f"`raw.{table}`" in section
    email_row = next(line for line in section.splitlines() if line.startswith("| `email`"))
    assert email_row.rstrip().endswith("| yes |")
