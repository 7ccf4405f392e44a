// Condition compiler: one condition kind per file (as aedes keeps one packet handler per file), dispatched here.
import type { Condition } from '../../schemas/rules.js';
import { compileAggregate, isAggregate } from './aggregate.js';
import { compileAttribute, isAttribute } from './attribute.js';
import { compileCriticalRain, isCriticalRain } from './critical-rain.js';
import { compileDerived, isDerived } from './derived.js';
import { compileHourly, isHourly } from './hourly.js';
import { compileNoRain, isNoRain } from './no-rain.js';
import { compileAll, compileAny, compileNot, isAll, isAny, isNot } from './logic.js';
import { compileRate, isRate } from './rate.js';
import { compileStuck, isStuck } from './stuck.js';
import { compileTangent, isTangent } from './tangent.js';
import { compileThreshold, isThreshold } from './threshold.js';
import { compileTimeWindow, isTimeWindow } from './time-window.js';
import type { CompileEnv, Compiled } from './types.js';

export type { Compiled, CondFn, EvalCtx, DeviceView } from './types.js';

/** Compile a condition tree; `alloc` hands out per-device state slots. */
export function compileCondition(root: Condition, alloc: (n: number) => number): Compiled {
  const env: CompileEnv = {
    alloc,
    compile: (node) => {
      const n = node as Condition;
      if (isAll(n)) return compileAll(n, env);
      if (isAny(n)) return compileAny(n, env);
      if (isNot(n)) return compileNot(n, env);
      if (isAggregate(n)) return compileAggregate(n, env);
      if (isRate(n)) return compileRate(n, env);
      if (isDerived(n)) return compileDerived(n, env);
      if (isHourly(n)) return compileHourly(n, env);
      if (isNoRain(n)) return compileNoRain(n, env);
      if (isTangent(n)) return compileTangent(n, env);
      if (isCriticalRain(n)) return compileCriticalRain(n, env);
      if (isStuck(n)) return compileStuck(n, env);
      if (isTimeWindow(n)) return compileTimeWindow(n, env);
      if (isThreshold(n)) return compileThreshold(n, env);
      if (isAttribute(n)) return compileAttribute(n, env);
      throw new Error(`unknown condition ${JSON.stringify(n).slice(0, 120)}`);
    },
  };
  return env.compile(root);
}
