// `lookout device add` and `lookout device import FILE`: registrations from the host, audited like the REST route's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEVICE_KINDS, deviceCreateBody, deviceImportFile, type DeviceKind } from '../../schemas/index.js';
import type { Config } from '../config.js';
import type { Hub } from '../hub.js';
import { errorMessage, type Io } from '../io.js';
import { auditCli, withHub } from './offline-hub.js';

export async function deviceAdd(args: string[], config: Config, io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      lon: { type: 'string' },
      lat: { type: 'string' },
      name: { type: 'string' },
      township: { type: 'string' },
      attr: { type: 'string', multiple: true },
    },
  });
  const id = positionals[0];
  if (!id || !values.kind || values.lon === undefined || values.lat === undefined) {
    io.stderr.write('usage: lookout device add ID --kind K --lon X --lat Y [--name N] [--township CODE] [--attr key=value …]\n');
    return 2;
  }
  const attributes: Record<string, string | number | boolean> = {};
  for (const a of values.attr ?? []) {
    const eq = a.indexOf('=');
    if (eq < 1) {
      io.stderr.write(`--attr ${a}: expected key=value\n`);
      return 2;
    }
    const raw = a.slice(eq + 1);
    attributes[a.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  const body = {
    id,
    kind: values.kind,
    lon: Number(values.lon),
    lat: Number(values.lat),
    ...(values.name ? { name: values.name } : {}),
    ...(values.township ? { township: values.township } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(deviceCreateBody);
  if (!validate(body)) {
    const e = validate.errors?.[0];
    io.stderr.write(`invalid device: ${e?.instancePath || '/'} ${e?.message ?? ''}${values.kind && !DEVICE_KINDS.includes(values.kind as DeviceKind) ? ` (kinds: ${DEVICE_KINDS.join(', ')})` : ''}\n`);
    return 2;
  }
  return withHub(config, async (hub) => {
    const { device, token } = await hub.registry.add(body as Parameters<Hub['registry']['add']>[0]);
    auditCli(hub, 'device-add', device.id, { kind: device.kind });
    io.stdout.write(`registered ${device.kind} device ${device.id}\nMQTT username: ${device.id}\nMQTT password (token, shown once): ${token}\n`);
    return 0;
  });
}

export async function deviceImport(args: string[], config: Config, io: Io): Promise<number> {
  const file = args[0];
  if (!file) {
    io.stderr.write('usage: lookout device import FILE\n');
    return 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    io.stderr.write(`cannot read ${file}: ${errorMessage(err)}\n`);
    return 2;
  }
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(deviceImportFile);
  if (!validate(body)) {
    const e = validate.errors?.[0];
    io.stderr.write(`${file} is not a device file: ${e?.instancePath || '/'} ${e?.message ?? ''}\n`);
    return 2;
  }
  const devices = (body as { devices: Parameters<Hub['registry']['importMany']>[0] }).devices;
  return withHub(config, async (hub) => {
    const r = await hub.registry.importMany(devices, (done, total) => io.stdout.write(`\rregistering devices ${done}/${total}`));
    auditCli(hub, 'device-import', path.resolve(file), { count: devices.length, created: r.created, updated: r.updated });
    io.stdout.write(`\nimported ${devices.length} devices (${r.created} new, ${r.updated} updated)\n`);
    return 0;
  });
}

