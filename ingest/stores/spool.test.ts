import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../schemas/index.js';
import { createSpool } from './spool.js';

const r = (i: number): Reading => ({ deviceId: `d${i}`, kind: 'flood', ts: 1_700_000_000_000 + i, receivedAt: 1_700_000_000_000 + i, values: { level: i }, drill: false });

describe('spool', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'lookout-spool-'));
    dirs.push(d);
    return path.join(d, 'spool.db');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps batches in order, peeks up to a reading budget and removes confirmed ones', () => {
    const s = createSpool({}, { path: tmp(), maxBytes: 1 << 20 });
    s.append([r(1), r(2)]);
    s.append([r(3)]);
    s.append([r(4), r(5), r(6)]);
    expect(s.state()).toMatchObject({ depth: 6, batches: 3 });
    const first = s.peek(3);
    expect(first.map((b) => b.readings.map((x) => x.values.level))).toEqual([[1, 2], [3]]);
    expect(s.peek(1)).toHaveLength(1); // always at least one batch
    s.remove(first.map((b) => b.id));
    expect(s.state()).toMatchObject({ depth: 3, batches: 1 });
    expect(s.peek(100)[0]!.readings).toEqual([r(4), r(5), r(6)]);
    s.close();
  });

  it('puts re-queued batches in front', () => {
    const s = createSpool({}, { path: tmp(), maxBytes: 1 << 20 });
    s.append([r(3)]);
    s.append([r(2)], { front: true });
    s.append([r(1)], { front: true });
    s.append([r(4)]);
    expect(s.peek(100).map((b) => b.readings[0]!.values.level)).toEqual([1, 2, 3, 4]);
    s.close();
  });

  it('survives a reopen (what a hub restart sees)', () => {
    const file = tmp();
    const a = createSpool({}, { path: file, maxBytes: 1 << 20 });
    a.append([r(1)]);
    a.append([r(2), r(3)]);
    const bytes = a.state().bytes;
    a.close();
    const b = createSpool({}, { path: file, maxBytes: 1 << 20 });
    expect(b.state()).toMatchObject({ depth: 3, batches: 2, bytes });
    expect(b.peek(10).flatMap((x) => x.readings)).toEqual([r(1), r(2), r(3)]);
    b.close();
  });

  it('is bounded by maxBytes: fits() says no once full, yes when empty', () => {
    const one = createSpool({}, { path: tmp(), maxBytes: 1 }).encode([r(1)]).bytes;
    const s = createSpool({}, { path: tmp(), maxBytes: one * 2 });
    expect(s.fits(one * 10)).toBe(true); // an empty spool takes one oversized batch rather than stall forever
    s.append([r(1)]);
    expect(s.fits(one)).toBe(true);
    s.append([r(2)]);
    expect(s.fits(one)).toBe(false);
    expect(s.state().fill).toBeCloseTo(1, 5);
    s.remove([s.peek(1)[0]!.id]);
    expect(s.fits(one)).toBe(true);
    s.close();
  });

  it('keeps every batch whose append returned when the process is killed (SIGKILL) mid-stream', async () => {
    const file = tmp();
    const script = path.join(path.dirname(file), 'writer.ts');
    const spoolModule = fileURLToPath(new URL('./spool.js', import.meta.url)).replace(/\.js$/, '.ts');
    writeFileSync(
      script,
      `import { createSpool } from ${JSON.stringify(spoolModule)};
const s = createSpool({}, { path: ${JSON.stringify(file)}, maxBytes: 1 << 30 });
for (let i = 1; ; i++) {
  s.append([{ deviceId: 'd' + i, kind: 'flood', ts: 1700000000000 + i, receivedAt: 0, values: { level: i }, drill: false }]);
  process.stdout.write(i + '\\n');
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acknowledged = Math.max(acknowledged, Number(lines.at(-1)));
        if (acknowledged >= 200 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    const s = createSpool({}, { path: file, maxBytes: 1 << 30 });
    const st = s.state();
    expect(st.depth).toBeGreaterThanOrEqual(acknowledged);
    const levels = s.peek(1_000_000).map((b) => b.readings[0]!.values.level);
    expect(levels.slice(0, acknowledged)).toEqual(Array.from({ length: acknowledged }, (_, i) => i + 1));
    s.close();
  }, 60_000);
});
