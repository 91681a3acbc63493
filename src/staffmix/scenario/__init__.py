"""The scenario: its schema (scenario.yaml as a frozen pydantic tree), demand, eligibility, the checks that span
tables, variants, the Scenario container, scenario folders (io/) and seeded generators."""
