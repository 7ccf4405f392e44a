// Camera snapshots served by the hub (GET /api/devices/:id/snapshot), so the console never loads an
// image from another host. Cameras or the video platform drop their pictures into one folder
// (LOOKOUT_SNAPSHOT_DIR, e.g. by FTP upload, which most IP cameras offer): `<device id>.jpg|png|webp`,
// or the file named by the last camera event's `snapshot` URL (its last path segment). The newer wins.
import { statSync } from 'node:fs';
import path from 'node:path';

export const SNAPSHOT_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };
/** larger files are not served (a camera JPEG is 100 KB–2 MB) */
export const SNAPSHOT_MAX_BYTES = 16 * 1024 * 1024;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface SnapshotFile {
  file: string;
  type: string;
  size: number;
  mtimeMs: number;
}

function probe(dir: string, name: string): SnapshotFile | null {
  if (!SAFE_NAME.test(name) || name.includes('..')) return null;
  const type = SNAPSHOT_TYPES[path.extname(name).toLowerCase()];
  if (!type) return null;
  const file = path.join(dir, name);
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size === 0 || st.size > SNAPSHOT_MAX_BYTES) return null;
    return { file, type, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

/** The newest picture of a camera in `dir`, or null. `hint`: the last event's snapshot URL, if any. */
export function findSnapshot(dir: string | null, deviceId: string, hint?: string | null): SnapshotFile | null {
  if (!dir) return null;
  const names = Object.keys(SNAPSHOT_TYPES).map((ext) => `${deviceId}${ext}`);
  if (hint) {
    const last = hint.split(/[?#]/)[0]!.split('/').pop() ?? '';
    if (last) names.unshift(last);
  }
  let best: SnapshotFile | null = null;
  for (const n of names) {
    const f = probe(dir, n);
    if (f && (!best || f.mtimeMs > best.mtimeMs)) best = f;
  }
  return best;
}
