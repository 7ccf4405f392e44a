// The hub's own problems as `system` incidents, one per problem and store, opened when the telemetry
// store reports trouble and closed by itself when it reports recovery (schemas/store-events.ts):
//   store-down / store-up      orange  时序库不可达 (readings wait in the spool)
//   spool-high / spool-normal  yellow  缓存队列超过 80% (at 100 % ingestion pauses)
//   disk-fault / disk-ok       red     数据盘已满 / 只读 / 读写错误 (nothing is stored or acknowledged)
//   state-db                   orange  状态数据库不可写 (alarm and incident changes wait in order in memory)
import type { DiskFault, SpoolFill, StoreHealthEvent } from '../schemas/store-events.js';
import type { IncidentBook } from './incidents.js';
import type { StateWriterStatus } from './state-writer.js';

const STATE_DB_KEY = 'state-db';

/** a system incident's detail in both languages, Chinese first, like its title (`数据盘已满 · data disk full`) */
function both(zh: string, en: string): string {
  return `${zh} · ${en}`;
}

/**
 * Open the state database's system incident once alerting's writes have failed for `afterMs`, close it
 * once they go through again (inside one operation; the incident's own rows follow the queue).
 */
export function applyStateDbHealth(book: IncidentBook, s: StateWriterStatus, now: number, afterMs: number): void {
  // both calls are no-ops when the incident is already open / closed
  if (s.failingSince !== null && now - s.failingSince >= afterMs) {
    book.openSystem(STATE_DB_KEY, 'orange', '状态数据库不可写 · state database unreachable',
      both(`自 ${new Date(s.failingSince).toISOString()} 起告警状态写不进数据库（${s.lastError ?? '未知错误'}）；${s.queuedUnits} 项变更按顺序在内存中等待，数据库恢复后写入。期间重启会丢失它们：请先恢复数据库`,
        `alerting cannot write since ${new Date(s.failingSince).toISOString()}: ${s.lastError ?? 'unknown error'}; ${s.queuedUnits} change(s) wait in memory in order and are written when it is back. A hub restart meanwhile loses them: restore the database first`));
  } else if (s.failingSince === null) {
    book.closeSystem(STATE_DB_KEY, both(`状态数据库恢复可写；仍有 ${s.queuedUnits} 项变更排队`, `state database writable again; ${s.queuedUnits} change(s) still queued`));
  }
}

const DISK_FAULT_TITLE: Record<DiskFault, string> = {
  'disk-full': '数据盘已满，读数暂停入库 · data disk full',
  'read-only': '数据盘只读，读数暂停入库 · data disk read-only',
  'io-error': '数据盘读写错误，读数暂停入库 · data disk I/O error',
};

/** open or close the system incident a store health event calls for (inside one operation) */
export function applyStoreEvent(book: IncidentBook, e: StoreHealthEvent<SpoolFill>): void {
  switch (e.type) {
    case 'store-down':
      book.openSystem(`store-down:${e.store}`, 'orange', `时序库不可达 · ${e.store}`, both(`自 ${new Date(e.since).toISOString()} 起不可达（${e.reason}）；读数保存在缓存队列中`, `unreachable since ${new Date(e.since).toISOString()}: ${e.reason}; readings are kept in the spool`));
      break;
    case 'store-up':
      book.closeSystem(`store-down:${e.store}`, both(`${Math.round(e.downForMs / 1000)} 秒后恢复可达`, `reachable again after ${Math.round(e.downForMs / 1000)} s`));
      break;
    case 'spool-high':
      book.openSystem(`spool-high:${e.store}`, 'yellow', `缓存队列超过 80% · ${e.store}`, both(`缓存队列已用 ${Math.round(e.state.fill * 100)}%（${e.state.bytes} 字节）；满 100% 时暂停接收`, `spool ${Math.round(e.state.fill * 100)} % full (${e.state.bytes} bytes); at 100 % ingestion pauses`));
      break;
    case 'spool-normal':
      book.closeSystem(`spool-high:${e.store}`, both(`缓存队列回落到 ${Math.round(e.state.fill * 100)}%`, `spool back to ${Math.round(e.state.fill * 100)} %`));
      break;
    // The data disk is full / read-only / failing: nothing new is stored or acknowledged — the most severe
    // system incident (docs/security.md T29). Readings are still evaluated as they arrive (once each, not
    // again when the devices resend them), so hazard warnings keep coming while the disk is down.
    case 'disk-fault':
      book.openSystem(`disk:${e.store}`, 'red', DISK_FAULT_TITLE[e.fault], both(`${e.dir}：${e.reason}。读数不予确认，设备保留并重发。处理：${e.fix}`, `${e.dir}: ${e.reason}. Readings are not acknowledged; devices keep them and send them again. Fix: ${e.fix}`));
      break;
    case 'disk-ok':
      book.closeSystem(`disk:${e.store}`, both(`${e.dir} 在 ${Math.round(e.downForMs / 1000)} 秒后恢复可写，已恢复接收`, `${e.dir} writable again after ${Math.round(e.downForMs / 1000)} s; ingestion resumed`));
      break;
  }
}
