// Real file-system faults for tests (security-test-plan T29): a small tmpfs that fills up (ENOSPC), and
// an ext4 file system on a loop device that the kernel turns read-only under a running process (what a
// failing disk does: `errors=remount-ro`). Both need root (CAP_SYS_ADMIN); `fsFaultSkipReason()` says why
// a test cannot run (under CI=true it throws instead). `mount -o remount,ro` itself is refused (EBUSY) while a process holds files open for
// writing, so the read-only case uses ext4's own error path (`/sys/fs/ext4/<dev>/trigger_fs_error`).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function why(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(err)).trim().split('\n')[0]!;
}

let cachedReason: { tmpfs: string | null; ext4: string | null } | null = null;

/**
 * Null when tmpfs (and, with `ext4`, loop-mounted ext4 with its error trigger) can be mounted here;
 * otherwise the reason, e.g. "mount: … permission denied (not root / no CAP_SYS_ADMIN)".
 */
export function fsFaultSkipReason(need: 'tmpfs' | 'ext4' = 'tmpfs'): string | null {
  if (!cachedReason) {
    cachedReason = { tmpfs: null, ext4: null };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lookout-mount-probe-'));
    try {
      run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      run('umount', [dir]);
    } catch (err) {
      const uid = process.getuid?.();
      cachedReason.tmpfs = `cannot mount a tmpfs (uid ${uid}${uid === 0 ? '' : ', not root'}; needs CAP_SYS_ADMIN): ${why(err)}`;
    }
    if (cachedReason.tmpfs) cachedReason.ext4 = cachedReason.tmpfs;
    else {
      // tool → Debian package
      const tools: Record<string, string> = { losetup: 'mount', 'mkfs.ext4': 'e2fsprogs', 'fsck.ext4': 'e2fsprogs', fsfreeze: 'util-linux', dmesg: 'util-linux' };
      const absent = Object.keys(tools).filter((tool) => {
        try {
          run('sh', ['-c', `command -v ${tool}`]);
          return false;
        } catch {
          return true;
        }
      });
      if (absent.length > 0) {
        cachedReason.ext4 = `no loop-mounted ext4 here: ${absent.join(', ')} not found (apt-get install ${[...new Set(absent.map((t) => tools[t]))].join(' ')}; PATH needs /usr/sbin:/sbin)`;
      } else if (!existsSync('/dev/loop-control')) cachedReason.ext4 = 'no loop-mounted ext4 here: no /dev/loop-control (loop devices unavailable)';
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const reason = cachedReason[need];
  // CI runs as root on this machine kind and must run T29 (as the VictoriaMetrics, browser and compose
  // suites must): there a missing capability is a failure, not a skip
  if (reason && process.env.CI === 'true') throw new Error(`CI=true: ${reason}`);
  return reason;
}

/** Free bytes for an unprivileged writer (what SQLite sees). */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export interface SmallDisk {
  readonly dir: string;
  /** take all but `leaveBytes` of the free space with a filler file; returns the bytes taken */
  fill(leaveBytes?: number): number;
  /** delete the filler file (space comes back at once) */
  release(): void;
  /** `mount -o remount,<opts>` */
  remount(opts: string): void;
  /** unmount (lazily if still busy) and remove the mount point; idempotent */
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMb` on a new temp dir. */
export function mountTmpfs(sizeMb: number, prefix = 'lookout-tmpfs-'): SmallDisk {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', dir]);
  return diskAt(dir, () => {
    try {
      run('umount', [dir]);
    } catch {
      run('umount', ['-l', dir]);
    }
  });
}

function diskAt(dir: string, umount: () => void): SmallDisk {
  const fillers: string[] = [];
  let mounted = true;
  return {
    dir,
    fill(leaveBytes = 0) {
      const n = Math.max(0, freeBytes(dir) - leaveBytes);
      if (n === 0) return 0;
      const f = path.join(dir, `filler-${fillers.length}.bin`);
      run('fallocate', ['-l', String(n), f]);
      fillers.push(f);
      return n;
    },
    release() {
      for (const f of fillers.splice(0)) if (existsSync(f)) unlinkSync(f);
    },
    remount(opts) {
      run('mount', ['-o', `remount,${opts}`, dir]);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      umount();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoopDisk extends SmallDisk {
  readonly device: string;
  /** what a failing disk does: ext4 records an error and turns the file system read-only at once */
  failReadOnly(): void;
  /** the operator's repair: unmount, `fsck.ext4 -y`, mount read-write again (no process may hold files) */
  repair(): string;
}

/**
 * An ext4 file system of `sizeMb` in an image file, loop-mounted with `errors=remount-ro`. The image lives
 * beside the mount point, or in `imageDir`.
 */
export function mountExt4Loop(sizeMb: number, prefix = 'lookout-ext4-', imageDir?: string): LoopDisk {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const image = imageDir ? path.join(imageDir, `${path.basename(dir)}.img`) : `${dir}.img`;
  run('truncate', ['-s', `${sizeMb}M`, image]);
  run('mkfs.ext4', ['-q', '-F', image]);
  const device = run('losetup', ['-f', '--show', image]).trim();
  const mount = () => run('mount', ['-o', 'errors=remount-ro', device, dir]);
  try {
    mount();
  } catch (err) {
    run('losetup', ['-d', device]);
    rmSync(image, { force: true });
    throw err;
  }
  const base = diskAt(dir, () => {
    try {
      run('umount', [dir]);
    } catch {
      run('umount', ['-l', dir]);
    }
    try {
      run('losetup', ['-d', device]);
    } finally {
      rmSync(image, { force: true });
    }
  });
  return {
    ...base,
    device,
    failReadOnly() {
      const trigger = `/sys/fs/ext4/${path.basename(device)}/trigger_fs_error`;
      writeFileSync(trigger, '1');
    },
    repair() {
      run('umount', [dir]);
      let report: string;
      try {
        report = run('fsck.ext4', ['-y', '-f', device]);
      } catch (err) {
        // exit code 1 = "errors corrected"; anything above is a real problem
        const e = err as { status?: number; stdout?: string };
        if (e.status !== 1) throw err;
        report = e.stdout ?? '';
      }
      mkdirSync(dir, { recursive: true });
      mount();
      return report;
    },
  };
}

export interface HeldDisk extends LoopDisk {
  /** `fsfreeze` the file system that holds this disk's image: every write reaching this disk waits */
  holdWrites(): void;
  /** thaw it: the waiting writes complete */
  releaseWrites(): void;
  /**
   * Turns this disk read-only from another process (ext4 writes its superblock on the way, which waits
   * while writes are held) and resolves once the kernel has logged the journal abort.
   */
  abortJournal(): Promise<void>;
}

/** the kernel log's "Aborting journal on device <dev>-8." lines for `device` */
function journalAborts(device: string): number {
  const needle = `Aborting journal on device ${path.basename(device)}-`;
  return run('dmesg', []).split('\n').filter((l) => l.includes(needle)).length;
}

/**
 * An ext4 disk (as `mountExt4Loop`) whose image lives on a second ext4 file system that can be frozen:
 * while frozen, this disk's writes reach nothing, so a process's fsync waits for its data exactly as long
 * as the test decides — the moment a failing disk turns read-only can be put inside it at will.
 */
export function mountExt4Held(sizeMb: number, prefix = 'lookout-ext4-held-'): HeldDisk {
  const outer = mountExt4Loop(sizeMb * 2 + 32, `${prefix}outer-`);
  let inner: LoopDisk;
  try {
    inner = mountExt4Loop(sizeMb, prefix, outer.dir);
  } catch (err) {
    outer.unmount();
    throw err;
  }
  let frozen = false;
  const thaw = () => {
    if (!frozen) return;
    run('fsfreeze', ['--unfreeze', outer.dir]);
    frozen = false;
  };
  return {
    ...inner,
    holdWrites() {
      run('fsfreeze', ['--freeze', outer.dir]);
      frozen = true;
    },
    releaseWrites: thaw,
    async abortJournal() {
      const before = journalAborts(inner.device);
      spawn('sh', ['-c', `echo 1 > /sys/fs/ext4/${path.basename(inner.device)}/trigger_fs_error`], { stdio: 'ignore' }).unref();
      for (const end = Date.now() + 10_000; journalAborts(inner.device) === before; ) {
        if (Date.now() > end) throw new Error(`the kernel did not log a journal abort on ${inner.device} within 10 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    unmount() {
      thaw();
      inner.unmount();
      outer.unmount();
    },
  };
}

/** fsync and fdatasync syscall numbers of this machine's architecture (Linux), or null elsewhere */
const FSYNC_SYSCALLS: Record<string, [number, number]> = { x64: [74, 75], arm64: [82, 83] };

/** The id of a thread of this process that is inside fsync/fdatasync now (`/proc/self/task/<tid>/syscall`), or null. */
export function threadInFsync(): string | null {
  const nums = FSYNC_SYSCALLS[process.arch];
  if (!nums) throw new Error(`no fsync syscall numbers for ${process.arch}`);
  for (const tid of readdirSync('/proc/self/task')) {
    let line: string;
    try {
      line = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    if (nums.some((n) => line.startsWith(`${n} `))) return tid;
  }
  return null;
}
