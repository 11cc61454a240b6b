/*
name: core.dim_enterprise
kind: table
grain: one row per enterprise (统一社会信用代码) and version of its name, township and industry
description: >
  Enterprises of the roster keyed by 统一社会信用代码, with history: a new version starts in the
  first period a name, township or industry code differs from the one before (type-2 history).
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

-- one row per enterprise and combination of name, township and industry: for nearly every
-- enterprise each combination is one unbroken run of periods, i.e. one version
combinations as (
    select
        credit_code,
        name,
        township_code,
        industry_code,
        arg_max(name_key, period_end) as name_key,
        arg_max(chain, period_end) as chain,
        min(period_end) as valid_from,
        max(period_end) as valid_to
    from roster
    group by credit_code, name, township_code, industry_code
),

-- enterprises that went back to an earlier combination (A → B → A): a combination's periods
-- are then several runs, found period by period below
interleaved as (
    select distinct credit_code
    from (
        select
            credit_code,
            valid_from,
            max(valid_to) over (
                partition by credit_code order by valid_from
                rows between unbounded preceding and 1 preceding
            ) as earlier_to
        from combinations
    ) as spans
    where valid_from <= earlier_to
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
    semi join interleaved on roster.credit_code = interleaved.credit_code
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
),

final as (
    select
        credit_code,
        name,
        name_key,
        township_code,
        industry_code,
        chain,
        valid_from,
        valid_to
    from combinations
    anti join interleaved on combinations.credit_code = interleaved.credit_code
    union all
    select
        credit_code,
        name,
        name_key,
        township_code,
        industry_code,
        chain,
        valid_from,
        valid_to
    from runs
)

select
    *,
    valid_to = max(valid_to) over (partition by credit_code) as is_current
from final
