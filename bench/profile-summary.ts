// `node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top N]`: top costs of a V8 CPU profile
// (`node --cpu-prof`) by self time, by function and by stage (repo folder or npm package), so
// docs/performance.md can say where the time goes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT_DIR } from './lib/rpc.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  functions: { fn: string; where: string; stage: string; selfMs: number; pct: number }[];
  stages: { stage: string; selfMs: number; pct: number }[];
}

function stageOf(url: string): string {
  if (!url) return '(native/vm)';
  let p = url.startsWith('file://') ? new URL(url).pathname : url;
  if (p.startsWith('node:')) return p.split('/')[0]!;
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  p = path.relative(ROOT_DIR, p);
  const parts = p.split(path.sep);
  return parts.length > 1 ? `${parts[0]}/` : p;
}

export function summarize(file: string, top = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  // the profiler's own stop/serialise call (node:inspector) is not the hub's work: leave it out
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownWork = new Map<number, boolean>();
  const isOwn = (id: number): boolean => {
    const known = ownWork.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const p = parent.get(id);
    const v = n.callFrame.url !== 'node:inspector' && (p === undefined || isOwn(p));
    ownWork.set(id, v);
    return v;
  };
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    if (!isOwn(id)) continue;
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const fns = new Map<string, { fn: string; where: string; stage: string; us: number }>();
  const stages = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const cf = n.callFrame;
    const url = cf.url;
    const rel = url.startsWith('file://') ? path.relative(ROOT_DIR, new URL(url).pathname) : url;
    const where = rel ? `${rel}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName}@${where}`;
    const stage = stageOf(url);
    const e = fns.get(key) ?? { fn: cf.functionName || '(anonymous)', where, stage, us: 0 };
    e.us += us;
    fns.set(key, e);
    stages.set(stage, (stages.get(stage) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    functions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, stage: e.stage, selfMs: e.us / 1000, pct: (100 * e.us) / total })),
    stages: [...stages.entries()].sort((a, b) => b[1] - a[1]).map(([stage, us]) => ({ stage, selfMs: us / 1000, pct: (100 * us) / total })),
  };
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
  for (const f of positionals) {
    const s = summarize(f, Number(values.top));
    console.log(`\n${f}: ${s.totalMs.toFixed(0)} ms profiled`);
    console.log('\nby stage (self time)');
    for (const x of s.stages.slice(0, 20)) console.log(`${x.pct.toFixed(1).padStart(6)} %  ${x.selfMs.toFixed(0).padStart(7)} ms  ${x.stage}`);
    console.log('\nby function (self time)');
    for (const x of s.functions) console.log(`${x.pct.toFixed(1).padStart(6)} %  ${x.selfMs.toFixed(0).padStart(7)} ms  ${x.fn}  ${x.where}`);
  }
}
