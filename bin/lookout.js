#!/usr/bin/env node
// Entry of the `lookout` command. A source checkout (app/cli.ts beside a development install) runs the TypeScript
// through tsx, so what runs is always what is checked out; a deployed tree (npm run build → dist/, shipped
// without sources, `npm ci --omit=dev`: no tsx) runs the compiled JavaScript with plain node.
import { existsSync } from 'node:fs';

const sources = new URL('../app/cli.ts', import.meta.url);
const compiled = new URL('../dist/app/cli.js', import.meta.url);
let tsx = null;
if (existsSync(sources)) tsx = await import('tsx/esm/api').catch(() => null);
let cli;
if (tsx) {
  tsx.register();
  cli = await import(sources.href);
} else if (existsSync(compiled)) cli = await import(compiled.href);
else {
  process.stderr.write('lookout: no build in dist/ and no tsx to run the sources: run `npm run build` on a development install first.\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
