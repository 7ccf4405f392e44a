// Worker thread that owns the telemetry database's write connection. The main thread keeps reading
// MQTT packets and building the next batch while this thread commits and fsyncs the previous one
// (synchronous=FULL blocks the calling thread for the whole fsync; on the main thread it stalled the
// event loop and so the broker). Batches arrive column-wise with transferred buffers: no per-row objects.
import { parentPort, workerData } from 'node:worker_threads';
import { createCommitProbe } from './commit-probe.js';
import { INSERT_SQL, openTelemetryDb, type WriterRequest, type WriterResponse } from './sqlite-schema.js';

const { file } = workerData as { file: string };
const db = openTelemetryDb(file);
const insert = db.prepare(INSERT_SQL);
const probe = createCommitProbe(file);
const writeTx = db.transaction((m: Extract<WriterRequest, { op: 'write' }>) => {
  const { devices, metrics, dev, met, ts, value, drill } = m;
  for (let i = 0; i < ts.length; i++) insert.run(devices[dev[i]!], metrics[met[i]!], ts[i], value[i], drill[i]);
});

parentPort!.on('message', (m: WriterRequest) => {
  let reply: WriterResponse;
  if (m.op === 'write') {
    try {
      writeTx(m);
      // an fsync that returned 0 while the file system aborted is not proof of durability (commit-probe.ts)
      probe.confirm();
      reply = { id: m.id, ok: true };
    } catch (err) {
      // SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR_*: the main thread tells the operator (disk-guard.ts)
      const code = (err as { code?: unknown }).code;
      reply = { id: m.id, ok: false, error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
    }
  } else {
    probe.close();
    try {
      db.close();
    } catch {
      // a read-only or failing disk: the last checkpoint cannot run; what was committed is in the WAL
    }
    reply = { id: m.id, ok: true };
  }
  parentPort!.postMessage(reply);
});
