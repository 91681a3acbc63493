"""The help texts of the command line: each command's examples and notes, shown under its options by `--help`.

Kept apart from parser.py (the options themselves) so each stays short enough to read whole.
"""

EPILOG = """\
examples:
  staffmix solve scenarios/2can-split
  staffmix solve scenarios/saas-24x7 --variant in-house-only --backend highs --out out/saas
  staffmix validate scenarios/*
  staffmix schema > scenario.schema.json
  staffmix batch scenarios --out out/batch --jobs 4 --time-limit 60
  staffmix report out/batch/2can-split/base
  staffmix erlang --contacts 120 --aht 300
  staffmix simulate scenarios/2can-split --replications 20 --out out/2can-sim
  staffmix export scenarios/2can-split --mps 2can.mps
  staffmix bench scenarios --baseline benchmarks/baseline-quick.json
  staffmix init my-desk
  staffmix import calls.csv --scenario my-desk --overwrite
  staffmix roster scenarios/2can-split --result out/2can

exit codes: 0 ok, 1 infeasible / no plan / failed jobs (with --strict: a plan
below target too), 2 bad input
"""


BATCH_EPILOG = """\
examples:
  staffmix batch scenarios --out out/batch --jobs 4 --time-limit 60
  staffmix batch scenarios --out out/batch --resume          # after Ctrl-C: finish what is left
  staffmix batch scenarios --out out/batch --executor dask --scheduler tcp://10.0.0.5:8786

Every subfolder of FOLDER holding a scenario.yaml is one job for its base and
one per variant. Results go to DIR/<scenario>/<variant>/ (tables, report.html,
job.json); DIR/summary.csv has one row per job, DIR/index.html compares them.

exit codes: 0 every job has a plan, 1 a job failed, was infeasible or found
no plan (with --strict: or a plan below target), 2 bad input, 130 interrupted
(finished jobs are kept; use --resume)
"""


REPORT_EPILOG = """\
examples:
  staffmix report out/batch/2can-split/base
  staffmix report out/2can --scenario scenarios/2can-split --out /tmp/2can.html

Without --scenario the scenario is found through the folder's job.json (batch
results) or scenario_source.json (solve --out); failing that, the report is
drawn from the tables alone (times in the plan's time zone, from summary.json;
no description, vendor commitment or per-period target lines) and says so.
An existing report is replaced only with --overwrite.
"""


ERLANG_EPILOG = """\
examples:
  staffmix erlang --contacts 120 --aht 300
  staffmix erlang --contacts 300 --aht 240 --interval-min 30 --target 0.9 --within 15 --max-occupancy 0.85
  staffmix erlang --contacts 120 --aht 300 --patience 90     # Erlang A: callers hang up after 90 s on average
"""


SIMULATE_EPILOG = """\
examples:
  staffmix simulate scenarios/2can-split                        # solve, then 20 replications, seed 0
  staffmix simulate scenarios/2can-split --result out/2can --out out/2can-sim
  staffmix simulate scenarios/saas-24x7 --handling lognormal --cv 1.3 --arrivals replay --json

Each replication runs every queue through the whole horizon: calls left
waiting at the end of an hour are still waiting in the next. Figures are means
with 95 % intervals over the replications, beside the plan's Erlang figures;
a queue-day is flagged when its whole interval lies below the target.
--out writes the tables (CSV), simulation.json, report.html (the plan's
report with the simulation chart) and, when it solved first, the plan in plan/.
"""


IMPORT_EPILOG = """\
examples:
  staffmix import calls.csv --scenario my-desk                      # wide: a column per queue
  staffmix import calls.csv --scenario my-desk --map "Support FI=support_fi" --ignore Total
  staffmix import tickets.xlsx --scenario my-desk --queue-column Queue --value-column Created
  staffmix import calls.csv --scenario my-desk --date-column Date --time-column Interval \\
      --time-format "%d.%m.%Y %H:%M" --decimal ,

Wide exports have one column per queue (every column but the time stamps,
less --ignore); long ones a queue column (--queue-column). Time stamps are
local times in the scenario's time zone (or carry a UTC offset): a time the
clocks skip is refused, one they repeat is the earlier instant the first time
a queue shows it and the later one the second time. The export's 15- or
30-minute intervals (found from the time stamps, or --interval-min) are summed
into the scenario's periods; an empty cell counts 0. Intervals outside the
horizon are left out and counted. Writes FOLDER/demand.csv (or --out), never
over an existing file without --overwrite.
"""


INIT_EPILOG = """\
example:
  staffmix init my-desk && staffmix solve my-desk

Writes scenario.yaml (every section commented: what it means, what to
change) and demand.csv (a week of hourly contacts for two queues) into
FOLDER, new or empty. The scenario validates and solves as written.
"""


ROSTER_EPILOG = """\
examples:
  staffmix solve scenarios/2can-split --out out/2can
  staffmix roster scenarios/2can-split --result out/2can
  staffmix roster scenarios/2can-split --result out/2can --agents team.csv --out out/2can-roster --time-limit 60
  staffmix roster scenarios/2can-split --result out/2can --feedback --overwrite

Gives every in-house shift of the plan to a named agent of agents.csv (beside
scenario.yaml unless --agents) under the scenario's roster: rules, and writes
roster.csv, agent_hours.csv, roster.xlsx and roster.html into the result folder
(or --out). When the plan cannot be rostered it says which group, days and rule;
--feedback then solves the plan again within the agents' limits and rosters that.

exit codes: 0 rostered, 1 not rostered (infeasible, or stopped without a roster), 2 bad input
"""
