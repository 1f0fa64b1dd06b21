"""Which row maker makes each dataset's rows, and how many rows a person-level list has by default."""

from __future__ import annotations

from publish.synth import environment, reports, rosters
from publish.synth.values import RowMaker

# Dataset name -> (row maker, default row count; 0 where the table's shape fixes its length).
ROWS: dict[str, tuple[RowMaker, int]] = {
    "elderly-hardship-subsidy": (rosters.people((60, 99), rosters.elderly), 40),
    "disability-subsidy": (rosters.people((8, 90), rosters.disability), 40),
    "orphan-welfare": (rosters.people((1, 17), rosters.orphan), 12),
    "children-in-distress-subsidy": (rosters.people((1, 17), rosters.distress), 20),
    "senior-longevity-allowance": (rosters.people((80, 103), rosters.longevity), 50),
    "temporary-assistance": (rosters.people((20, 85), rosters.temporary), 25),
    "urban-rural-dibao": (rosters.people((25, 88), rosters.dibao), 60),
    "extreme-poverty-support": (rosters.people((18, 95), rosters.extreme), 30),
    "medical-assistance": (rosters.people((1, 90), rosters.medical), 30),
    "medical-maternity-insurance": (reports.insurance_stats, 0),
    "skills-upgrade-subsidy": (rosters.people((20, 55), rosters.skills), 30),
    "graduate-employment-subsidy": (rosters.people((21, 29), rosters.graduate), 20),
    "public-welfare-job-subsidy": (rosters.people((30, 59), rosters.welfare_job), 30),
    "pension-insurance": (reports.pension, 0),
    "work-injury-insurance": (reports.work_injury, 0),
    "unemployment-insurance": (rosters.people((22, 59), rosters.unemployment), 25),
    "fiscal-brief": (reports.fiscal, 0),
    "air-quality": (environment.air, 0),
    "key-polluting-units": (environment.polluters, 15),
    "water-quality-report": (environment.water_report, 0),
    "tap-water-quality": (environment.tap_water, 0),
}
