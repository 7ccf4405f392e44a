// A second writer process for the audit-chain race (test/contract/repos/audit-repository.test.ts): opens
// the state database named by argv[2] and appends argv[3] rows, as another hub node or a CLI would.
import { createStateDb, parseDbTarget } from '../../../db/index.js';

const [url, count] = process.argv.slice(2);
const state = createStateDb({}, { target: parseDbTarget(url!), migrateOnStart: false });
await state.start();
const n = Number(count);
await Promise.all(
  Array.from({ length: n }, (_, i) => state.repos.audit.append({ ts: 1_800_000_000_000 + i, user: 'writer', action: 'login', target: null, ip: null, detail: `w=${i}` })),
);
await state.close();
process.stdout.write(`appended ${n}\n`);
