from __future__ import annotations

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext
from meshgen.model.cron import CronError, human_duration, longest_gap_seconds
from meshgen.model.values import duration_seconds


class FreshnessAchievable(Rule):
    """SLOs can be met: the pipeline runs more often than the freshness threshold, and the SLOs agree.

    The newest row can be as old as the longest gap between two pipeline runs, so the
    schedule's period (derived conservatively from the cron expression: `*/15 * * * *` is 15m,
    `@hourly` 1h, `0 2 * * 1-5` 3d over a weekend; the `L`, `W` and `#` extensions are evaluated
    exactly, so `0 3 L 1,7 *` is 184d) may not exceed `slos.freshness.threshold`.
    A period equal to the threshold is accepted: it is the schedule meshgen derives from the
    threshold when `pipeline.schedule` is absent.
    A freshness threshold below the latency threshold, and a retention shorter than the
    freshness threshold, are promises that contradict each other.
    (That `accuracy.check` names an existing quality check and that `freshness.timestampField`
    is a timestamp are core checks, REF004 and REF003.)

    **Anti-pattern**

    ```yaml
    slos:
      freshness: {threshold: 15m}
    pipeline:
      schedule: "0 * * * *"       # hourly: data is up to 1h old
    ```

    **Best practice**

    ```yaml
    slos:
      freshness: {threshold: 15m}
    pipeline:
      schedule: "*/5 * * * *"     # every 5 minutes, well within 15m
    ```
    """

    code = "SLO002"
    name = "slo.achievable"
    groups = ("slo", "reliability")
    severity = Severity.ERROR

    def check(self, ctx: RuleContext):
        p = ctx.product
        slos = p.slos
        freshness = duration_seconds(slos.freshness.threshold) if slos and slos.freshness else None
        schedule = p.pipeline.schedule if p.pipeline else None
        if freshness is not None and schedule:
            try:
                period = longest_gap_seconds(schedule)
            except CronError as exc:
                yield Finding(f"schedule {schedule!r} cannot be evaluated: {exc}", ctx.at("pipeline", "schedule"),
                              "choose days that occur (February has no 30th), e.g. '0 0 L * *' for the last day of the month")
            else:
                if period > freshness:
                    yield Finding(f"schedule {schedule!r} can leave {human_duration(period)} between runs, "
                                  f"longer than the freshness threshold of {slos.freshness.threshold}",
                                  ctx.at("pipeline", "schedule"),
                                  "run the pipeline more often, or relax slos.freshness.threshold")
        if freshness is not None and slos.latency is not None and duration_seconds(slos.latency.threshold) > freshness:
            yield Finding(f"freshness threshold {slos.freshness.threshold} is below the latency threshold "
                          f"{slos.latency.threshold}: rows arrive too late to ever be that fresh",
                          ctx.at("slos", "freshness", "threshold"), "raise the freshness threshold or lower latency")
        if freshness is not None and slos.retention is not None and duration_seconds(slos.retention.period) < freshness:
            yield Finding(f"retention period {slos.retention.period} is shorter than the freshness threshold "
                          f"{slos.freshness.threshold}", ctx.at("slos", "retention", "period"),
                          "keep data at least as long as the freshness threshold")
