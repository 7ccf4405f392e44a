import { existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp.js';
import { classifyDiskError } from './disk-guard.js';
import { createCommitProbe } from './commit-probe.js';

describe('commit probe', () => {
  it('makes one journaled change per commit beside the database: one probe file, renamed back and forth, removed on close', () => {
    const dir = tempDir();
    const file = path.join(dir, 'telemetry.db');
    const probe = createCommitProbe(file);
    const seen: string[][] = [];
    for (let i = 0; i < 3; i++) {
      probe.confirm();
      seen.push(readdirSync(dir).sort());
    }
    expect(seen).toEqual([['telemetry.db-probe-b'], ['telemetry.db-probe-a'], ['telemetry.db-probe-b']]);
    probe.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('starts clean after a crash left a probe file, and recreates one an operator deleted', () => {
    const dir = tempDir();
    const file = path.join(dir, 'spool.db');
    createCommitProbe(file).confirm(); // a process that never closed
    expect(existsSync(`${file}-probe-b`)).toBe(true);
    const probe = createCommitProbe(file);
    expect(readdirSync(dir)).toEqual([]);
    probe.confirm();
    unlinkSync(`${file}-probe-b`);
    probe.confirm(); // the rename finds nothing: the file is created again under the other name
    expect(readdirSync(dir)).toEqual(['spool.db-probe-a']);
  });

  it('throws with the file system error code when the change is refused, which the disk guard classifies', () => {
    const dir = tempDir();
    const probe = createCommitProbe(path.join(dir, 'telemetry.db'));
    probe.confirm();
    rmSync(dir, { recursive: true }); // the directory is gone: nothing can be written there
    let err: unknown;
    try {
      probe.confirm();
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/refused a change right after the commit \(ENOENT\).*not acknowledged/);
    expect((err as { code: string }).code).toBe('ENOENT');
    // the codes a failing disk gives map to the faults the operator is told about
    expect(classifyDiskError(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('read-only');
    expect(classifyDiskError(Object.assign(new Error('x'), { code: 'EIO' }))).toBe('io-error');
  });

  it('is a no-op for an in-memory database', () => {
    expect(() => createCommitProbe(':memory:').confirm()).not.toThrow();
  });
});
