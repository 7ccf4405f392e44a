// The last step before a commit is acknowledged (security-test-plan T29, docs/security.md T29): the file
// system must take one more journaled metadata change after the commit returned.
//
// Why: when ext4 aborts its journal under a running hub (a failing disk, `errors=remount-ro`), an fsync
// that is waiting for its data when the journal aborts can return 0 although the journal transaction
// holding the file's new size and blocks never commits. Measured on Linux 6.18 (strace; reproduced every
// time by test/fault/commit-probe.test.ts): SQLite's fsync of the WAL returned 0 across the abort; after
// fsck replayed the journal, the WAL ended just before that commit, and SQLite's recovery dropped it —
// readings the devices had been acknowledged for.
//
// A metadata change that starts after the fsync returned is refused (EROFS, EIO) whenever the file system
// aborted before that moment, and a journal abort after the fsync returned cannot undo a transaction that
// had committed. So "commit returned, then rename succeeded" means on the disk; "commit returned, rename
// refused" means maybe not: the batch is refused like any failed write (no PUBACK, the device sends it
// again; the stores' writes are idempotent, so a batch that did reach the disk is stored once).
//
// The probe renames an empty file beside the database back and forth: one directory entry in the next
// journal transaction, which the next commit's fsync writes anyway.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export interface CommitProbe {
  /** throws the file system's error (code EROFS, EIO, ENOSPC…) when it refuses a change: do not acknowledge */
  confirm(): void;
  /** removes the probe file (best effort: the disk may be read-only) */
  close(): void;
}

/** A probe for the database `file` (its files `<file>-probe-a` / `-b`); `:memory:` needs none. */
export function createCommitProbe(file: string): CommitProbe {
  if (file === ':memory:' || file === '') return { confirm() {}, close() {} };
  const names = [`${file}-probe-a`, `${file}-probe-b`] as const;
  const remove = () => {
    for (const n of names) {
      try {
        rmSync(n, { force: true });
      } catch {
        // a read-only disk: the next start removes it
      }
    }
  };
  remove();
  let at: 0 | 1 = 0;
  let exists = false;
  return {
    confirm() {
      const to = (1 - at) as 0 | 1;
      try {
        if (exists) renameSync(names[at], names[to]);
        else writeFileSync(names[to], ''); // creating it is a journaled change too
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== 'ENOENT' || !exists) {
          throw Object.assign(new Error(`the file system refused a change right after the commit (${String(code)}): the commit may not be on the disk, so it is not acknowledged`), { code, cause: err });
        }
        // someone removed the probe file: create it again (same proof)
        exists = false;
        return this.confirm();
      }
      exists = true;
      at = to;
    },
    close: remove,
  };
}
