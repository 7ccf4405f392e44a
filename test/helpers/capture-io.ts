// A command's stdout/stderr captured as strings, for running `lookout` commands in-process (app/cli.ts main).
import { PassThrough } from 'node:stream';

export function captureIo() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { io: { stdout: out, stderr: err }, out: () => o, err: () => e };
}
