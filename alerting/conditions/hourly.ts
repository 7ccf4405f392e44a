// Hourly mean of one metric, valid only from enough samples (GB 3095—2012 Table 4: 45 min of the hour by
// default; `completeness` sets minutes and/or a share of expected samples). `round: true` rounds PM means to
// integers (GB/T 8170) for observations under HJ 633—2026, as the AQI does, so a PM rule and the AQI agree.
import type { HourlyCondition } from '../../schemas/rules.js';
import { aqiTableFor, roundHalfEven } from '../aqi.js';
import { DEFAULT_COMPLETENESS, HOUR, hourlyMean, intervalOf } from '../hourly-mean.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled } from './types.js';

export function isHourly(n: object): n is HourlyCondition {
  return 'hourly' in n;
}

export function compileHourly(n: HourlyCondition, _env: CompileEnv): Compiled {
  const metric = n.hourly;
  const metrics = new Set<string>([metric]);
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const rule = n.completeness ?? DEFAULT_COMPLETENESS;
  const round = n.round === true && (metric === 'pm25' || metric === 'pm10');
  const label = `${metric}.mean(1h)`;
  const op = n.op;
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      let v = hourlyMean(s, c.ts, intervalOf(c.dev.kind, c.dev.attrs), rule);
      if (round && Number.isFinite(v) && aqiTableFor(c.ts).edition === '2026') v = roundHalfEven(v);
      return test(c, label, cmp, op, v, rhs(c));
    },
    metrics,
    windows: new Map([[metric, HOUR]]),
    stateful: false,
  };
}
