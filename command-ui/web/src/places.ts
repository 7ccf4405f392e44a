// Township code → name, from /api/map/townships (incidents and devices carry the 9-digit code).
import type { TownshipsFile } from './api.js';
import { getLang } from './i18n.js';

let byCode = new Map<string, { name: string; nameEn: string }>();
let file: TownshipsFile | null = null;

export function setTownships(tw: TownshipsFile): void {
  file = tw;
  byCode = new Map(tw.townships.map((t) => [t.code, { name: t.name, nameEn: t.nameEn }]));
}
export function townships(): TownshipsFile | null {
  return file;
}
export function townshipName(code: string | null | undefined): string {
  if (!code) return '—';
  const t = byCode.get(code);
  if (!t) return code;
  return getLang() === 'zh' ? t.name : t.nameEn;
}
export function townshipCodes(): string[] {
  return [...byCode.keys()];
}
