/*
name: core.dim_enterprise
kind: type2
# built in full by the query below; when the only change since the last build is rosters of
# periods later than any it holds, the new periods are applied to it instead (etl/build.py)
type2:
  dataset: enterprise_periods
  source: stg.stg_enterprises__periods
  key: credit_code
  period: period_end
  tracked: [name, township_code, industry_code]
  latest: [name_key, chain]
grain: one row per enterprise (统一社会信用代码) and version of its name, township and industry
description: >
  Enterprises of the roster keyed by 统一社会信用代码, with history: a new version starts in the
  first period a name, township or industry code differs from the one before (type-2 history).
  A build brings it forward by the rosters of later periods loaded since the last build, and
  rebuilds it whole when an earlier period was loaded or revised (the same result either way).
  Enterprise-level data: stays in the warehouse, never published.
columns:
  credit_code: 统一社会信用代码
  name: name in its registry form
  name_key: normalised name (half-width, no spaces) for matching across departments
  township_code: 9-digit township code
  industry_code: GB/T 4754-2017 code as reported
  chain: industrial chain
  valid_from: period_end of the first period of this version
  valid_to: period_end of the last period of this version
  is_current: true for the version of the latest period
*/
with roster as (
    select
        credit_code,
        name,
        name_key,
        township_code,
        industry_code,
        chain,
        period_end
    from stg.stg_enterprises__periods
),

-- most enterprises never change name, township or industry: one version each, in one pass
enterprises as (
    select
        credit_code,
        min(name) as name,  -- the same in every period when is_one_version
        arg_max(name_key, period_end) as name_key,
        min(township_code) as township_code,
        min(industry_code) as industry_code,
        arg_max(chain, period_end) as chain,
        min(period_end) as valid_from,
        max(period_end) as valid_to,
        (min(name) is not distinct from max(name) and count(name) in (0, count(*)))
        and (min(township_code) is not distinct from max(township_code) and count(township_code) in (0, count(*)))
        and (min(industry_code) is not distinct from max(industry_code) and count(industry_code) in (0, count(*))) as is_one_version
    from roster
    group by credit_code
),

-- the others, period by period: a new version wherever the combination differs from the
-- period before (so A → B → A is three versions)
changed as (
    select credit_code from enterprises
    where not is_one_version
),

changes as (
    select
        roster.*,
        coalesce(
            (roster.name, roster.township_code, roster.industry_code)
            is distinct from lag((roster.name, roster.township_code, roster.industry_code)) over (
                partition by roster.credit_code order by roster.period_end
            ),
            true
        ) as is_new_version
    from roster
    semi join changed on roster.credit_code = changed.credit_code
),

versions as (
    select
        *,
        sum(is_new_version::int) over (partition by credit_code order by period_end) as version
    from changes
),

runs as (
    select
        credit_code,
        arg_max(name, period_end) as name,
        arg_max(name_key, period_end) as name_key,
        arg_max(township_code, period_end) as township_code,
        arg_max(industry_code, period_end) as industry_code,
        arg_max(chain, period_end) as chain,
        min(period_end) as valid_from,
        max(period_end) as valid_to
    from versions
    group by credit_code, version
)

select
    credit_code,
    name,
    name_key,
    township_code,
    industry_code,
    chain,
    valid_from,
    valid_to,
    true as is_current
from enterprises
where is_one_version
union all
select
    *,
    valid_to = max(valid_to) over (partition by credit_code) as is_current
from runs
