// docker/: the compose file is valid for docker-compose (no Docker engine needed for `config`), and the
// Dockerfile keeps its basics: multi-stage, production packages only, non-root, healthcheck on /healthz.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = path.join(root, 'docker', 'compose.yaml');
const dockerfile = readFileSync(path.join(root, 'docker', 'Dockerfile'), 'utf8');

function composeBinary(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  if (process.env.CI === 'true') throw new Error('CI=true: docker-compose not found (apt-get install docker-compose)');
  return null;
}
const compose = composeBinary();

function runCompose(args: string[], env: Record<string, string>) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(INFLUX_|LOOKOUT_|GRAFANA_|COMPOSE_)/.test(k)) clean[k] = v;
  }
  return spawnSync(compose!, ['-f', composeFile, ...args], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
}

const secrets = { INFLUX_TOKEN: 'test-token-0123456789', INFLUX_ADMIN_PASSWORD: 'test-password' };

describe.skipIf(!compose)(`docker/compose.yaml${compose ? '' : ' — skipped: docker-compose not installed (apt-get install docker-compose)'}`, () => {
  it('passes `docker-compose config -q`, with and without the grafana profile', () => {
    const plain = runCompose(['config', '-q'], secrets);
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    const withGrafana = runCompose(['--profile', 'grafana', 'config', '-q'], secrets);
    expect(withGrafana.stderr).toBe('');
    expect(withGrafana.status).toBe(0);
  });

  it('passes `docker-compose config -q` with the postgres profile, the hub pointed at its PostgreSQL', () => {
    const env = { ...secrets, POSTGRES_PASSWORD: 'pg-test-password', LOOKOUT_DB: 'postgres://lookout@postgres:5432/lookout' };
    const r = runCompose(['--profile', 'postgres', 'config', '-q'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = runCompose(['--profile', 'postgres', 'config'], env).stdout;
    const block = (name: string) => new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`).exec(out)?.[1] ?? '';
    expect(block('postgres')).toMatch(/profiles:\n\s+- postgres/);
    expect(block('postgres')).toContain('POSTGRES_PASSWORD: pg-test-password');
    expect(block('hub')).toContain('LOOKOUT_DB: postgres://lookout@postgres:5432/lookout');
    expect(block('hub')).toContain('PGPASSWORD: pg-test-password');
    expect(runCompose(['config', '--volumes'], env).stdout.trim().split('\n')).toContain('postgres-data');
  });

  it('runs the hub and InfluxDB; Grafana and PostgreSQL only under their profiles', () => {
    const services = runCompose(['config', '--services'], secrets).stdout.trim().split('\n').sort();
    expect(services).toEqual(['grafana', 'hub', 'influxdb', 'postgres']);
    const out = runCompose(['config'], secrets).stdout;
    // service blocks of the normalised output (two-space indent under `services:`)
    const block = (name: string) => new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`).exec(out)?.[1] ?? '';
    expect(block('grafana')).toMatch(/profiles:\n\s+- grafana/);
    expect(block('hub')).toContain('LOOKOUT_STORE: influxdb');
    expect(block('hub')).not.toMatch(/profiles:/);
    expect(block('influxdb')).not.toMatch(/profiles:/);
    const volumes = runCompose(['config', '--volumes'], secrets).stdout.trim().split('\n').sort();
    expect(volumes).toEqual(expect.arrayContaining(['hub-data', 'influxdb-data']));
  });

  it('initialises InfluxDB and the hub from the same org, bucket and token', () => {
    const out = runCompose(['config'], { ...secrets, INFLUX_ORG: 'huangyan', INFLUX_BUCKET: 'lookout-telemetry' }).stdout;
    expect(out).toContain('DOCKER_INFLUXDB_INIT_MODE: setup');
    expect(out).toContain('DOCKER_INFLUXDB_INIT_ORG: huangyan');
    expect(out).toContain('DOCKER_INFLUXDB_INIT_BUCKET: lookout-telemetry');
    expect(out).toContain(`DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: ${secrets.INFLUX_TOKEN}`);
    expect(out).toContain('INFLUX_ORG: huangyan');
    expect(out).toContain('INFLUX_BUCKET: lookout-telemetry');
    expect(out).toContain(`INFLUX_TOKEN: ${secrets.INFLUX_TOKEN}`);
    expect(out).toContain('LOOKOUT_STORE: influxdb');
    expect(out).toContain('INFLUX_URL: http://influxdb:8086');
  });

  it('refuses to start without a token, naming the variable (no default secret)', () => {
    const r = runCompose(['config', '-q'], { INFLUX_ADMIN_PASSWORD: 'test-password' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('INFLUX_TOKEN');
  });
});

describe('docker/Dockerfile basics', () => {
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  const lastFrom = dockerfile.lastIndexOf('\nFROM ');
  const finalStage = dockerfile.slice(lastFrom);

  it('is multi-stage and copies build output from earlier stages', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.every((l) => /\sAS\s+\S+/i.test(l))).toBe(true);
    expect(finalStage).toMatch(/COPY --from=\S+ .*node_modules/);
    expect(finalStage).toMatch(/COPY --from=\S+ .*command-ui\/web\/dist/);
  });

  it('installs production packages only for the runtime and builds server and web UI in a build stage', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/RUN npm run build\n/);
    // the runtime ships the compiled build, not the TypeScript sources (there is no tsx to run them)
    expect(finalStage).toMatch(/COPY --from=build .*\/app\/dist \.\/dist/);
    expect(finalStage).not.toMatch(/COPY .*\balerting\b/);
    expect(finalStage).not.toMatch(/npm (ci|install)(?! --omit=dev)/);
  });

  it('runs as a non-root user', () => {
    const users = finalStage.split('\n').filter((l) => /^USER\s/i.test(l.trim()));
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.trim().split(/\s+/)[1]!;
    expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
  });

  it('has a HEALTHCHECK on /healthz of port 8080 and starts the hub with `node bin/lookout.js start`', () => {
    expect(finalStage).toMatch(/HEALTHCHECK[\s\S]*127\.0\.0\.1:8080\/healthz/);
    expect(finalStage).toMatch(/CMD \["node", "bin\/lookout\.js", "start"\]/);
    expect(finalStage).toMatch(/EXPOSE 8080 1883/);
  });

  it('does not fetch remote files with ADD or bake secrets into the image', () => {
    expect(dockerfile).not.toMatch(/^ADD\s+https?:/m);
    expect(dockerfile).not.toMatch(/INFLUX_TOKEN|PASSWORD/);
  });

  it('provisions the InfluxDB (Flux) data source for Grafana from the environment', () => {
    const ds = readFileSync(path.join(root, 'docker', 'grafana', 'provisioning', 'datasources', 'influxdb.yaml'), 'utf8');
    expect(ds).toMatch(/type: influxdb/);
    expect(ds).toMatch(/version: Flux/);
    expect(ds).toMatch(/token: \$\{INFLUX_TOKEN\}/);
    expect(ds).toMatch(/url: http:\/\/influxdb:8086/);
    JSON.parse(readFileSync(path.join(root, 'docker', 'grafana', 'provisioning', 'dashboards', 'json', 'lookout-telemetry.json'), 'utf8'));
  });
});
