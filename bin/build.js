#!/usr/bin/env node
// `npm run build`: the server compiled to dist/ (tsc -p tsconfig.build.json), the data files the stages read
// beside their modules (rule packs, scenarios, default policies) copied next to the compiled code, and the web
// app built by vite into command-ui/web/dist/. `--if-needed` (npm start, npm run demo) skips each half whose
// output is newer than every source file, so a start after a build is immediate, and a deployed tree that
// ships only the build (no sources) builds nothing. `--server-only` leaves the web app alone, `--web-only` the server.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_DIRS = ['schemas', 'db', 'release', 'review', 'notify', 'prepare', 'supervise', 'broker', 'ingest', 'alerting', 'identity', 'command-ui/server', 'device-sim', 'app'];
const SKIP = new Set(['node_modules', 'dist', 'fixtures', 'contract', 'data']);
const SERVER_STAMP = path.join(ROOT, 'dist', 'app', 'cli.js');
const WEB_STAMP = path.join(ROOT, 'command-ui', 'web', 'dist', 'index.html');

function files(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}
const newest = (list) => list.reduce((m, f) => Math.max(m, statSync(f).mtimeMs), 0);
const stale = (stamp, sources) => !existsSync(stamp) || statSync(stamp).mtimeMs < newest(sources);

function run(bin, args) {
  const file = path.join(ROOT, 'node_modules', '.bin', bin);
  if (!existsSync(file)) {
    process.stderr.write(`lookout build: ${bin} is not installed (a production install, npm ci --omit=dev?). Build on a development install with \`npm run build\` and ship dist/ and command-ui/web/dist/.\n`);
    process.exit(1);
  }
  const r = spawnSync(file, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const ifNeeded = process.argv.includes('--if-needed');
const serverSources = SERVER_DIRS.flatMap((d) => files(path.join(ROOT, d)));
const hasServerSources = serverSources.some((f) => f.endsWith('.ts'));
if (!process.argv.includes('--web-only') && hasServerSources && (!ifNeeded || stale(SERVER_STAMP, serverSources.concat(path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'tsconfig.build.json'))))) {
  run('tsc', ['-p', 'tsconfig.build.json']);
  for (const f of serverSources) {
    if (f.endsWith('.ts')) continue;
    const to = path.join(ROOT, 'dist', path.relative(ROOT, f));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
}
const webDir = path.join(ROOT, 'command-ui', 'web');
// the web app imports the shared contract from schemas/
const webSources = files(path.join(webDir, 'src'));
if (!process.argv.includes('--server-only') && webSources.length && (!ifNeeded || stale(WEB_STAMP, files(webDir).concat(files(path.join(ROOT, 'schemas')))))) run('vite', ['build', '--config', 'command-ui/web/vite.config.ts', '--logLevel', 'warn']);
