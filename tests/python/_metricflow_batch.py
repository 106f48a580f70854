"""Run many `mf` command lines in one Python process.

MetricFlow's CLI spends most of each call importing itself and loading the dbt project (5-15 s);
the semantic-layer tests run a dozen queries, so they hand them to this script, which loads once
and runs every command line through the real `mf` click entry point with one shared
configuration. Run it with the environment `mf` needs (cwd or DBT_PROJECT_DIR = a dbt project
whose target/semantic_manifest.json is current, DBT_PROFILES_DIR, the profile's variables):

    python _metricflow_batch.py commands.json results.json

commands.json is a list of argument lists without the leading `mf`; results.json receives, per
command, {"args", "exit_code", "output"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_batch(commands: list[list[str]]) -> list[dict[str, object]]:
    from click.testing import CliRunner
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from dbt_metricflow.cli.main import cli

    config = CLIConfiguration()
    runner = CliRunner()
    results: list[dict[str, object]] = []
    for args in commands:
        outcome = runner.invoke(cli, args, obj=config, catch_exceptions=True)
        output = outcome.output
        if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
            output += f"\n{type(outcome.exception).__name__}: {outcome.exception}"
        results.append({"args": args, "exit_code": outcome.exit_code, "output": output})
    return results


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    commands = json.loads(Path(argv[0]).read_text())
    Path(argv[1]).write_text(json.dumps(run_batch(commands), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
