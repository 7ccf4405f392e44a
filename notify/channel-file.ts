// The channel file, validated once at load (ajv, schemas/notify-channels.ts): a bad file stops start-up
// with the failing field named; ids are unique.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LookoutError } from '../schemas/index.js';
import { channelFileSchema, type ChannelFile } from '../schemas/notify-channels.js';

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validate = ajv.compile(channelFileSchema);

export function validateChannelFile(data: unknown, name = 'channel file'): ChannelFile {
  if (!validate(data)) {
    const e = validate.errors?.[0];
    throw new LookoutError('LOOKOUT_ERR_NOTIFY_CONFIG', `${name}: ${e ? `${e.instancePath || '/'} ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}` : 'invalid'}`);
  }
  const f = data as ChannelFile;
  const seen = new Set<string>();
  for (const c of f.channels) {
    if (seen.has(c.id)) throw new LookoutError('LOOKOUT_ERR_NOTIFY_CONFIG', `${name}: duplicate channel id ${c.id}`);
    seen.add(c.id);
  }
  return f;
}

export function readChannelFile(path: string): ChannelFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_NOTIFY_CONFIG', `${path}: ${(err as Error).message}`);
  }
  return validateChannelFile(data, path);
}
