#!/usr/bin/env node
// Entry of the `lookout` command. A built tree (npm run build → dist/) runs plain compiled JavaScript; a source
// checkout without a build runs the TypeScript through tsx, which is a development dependency only.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/app/cli.js', import.meta.url);
let cli;
if (existsSync(compiled)) cli = await import(compiled.href);
else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('lookout: no build in dist/ and no tsx to run the sources: run `npm run build` on a development install first.\n');
    process.exit(1);
  }
  tsx.register();
  cli = await import('../app/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
