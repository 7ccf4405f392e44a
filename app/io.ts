// The streams a command writes to (process.stdout/stderr in `lookout`, PassThrough streams in tests) and
// the one-line form of an error shown to the user (its LOOKOUT_ERR_… code first when it has one).
import { LookoutError } from '../schemas/index.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function errorMessage(err: unknown): string {
  if (err instanceof LookoutError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
