// `node --import tsx bench/heap-summary.ts <file.heapsnapshot> [--top N]`: self size by constructor of a
// V8 heap snapshot (bench/hub-process.ts `heapSnapshot`), to see what the hub keeps per connected device.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

export function heapSummary(file: string, top = 30): { name: string; type: string; count: number; mb: number }[] {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const agg = new Map<string, { name: string; type: string; count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    const rawName = snap.strings[snap.nodes[i + iName]!]!;
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(strings)' : type === 'code' ? '(code)' : rawName.slice(0, 60);
    const key = `${type}|${name}`;
    const e = agg.get(key) ?? { name, type, count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + iSize]!;
    agg.set(key, e);
  }
  return [...agg.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((e) => ({ name: e.name, type: e.type, count: e.count, mb: e.bytes / 1048576 }));
}

if (process.argv[1]?.endsWith('heap-summary.ts')) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
  for (const file of positionals) {
    console.log(`\n${file}`);
    for (const r of heapSummary(file, Number(values.top))) console.log(`${r.mb.toFixed(1).padStart(8)} MB  ${String(r.count).padStart(9)}  ${r.type.padEnd(10)} ${r.name}`);
  }
}
