// Photos and documents for rectification steps and inspections, as the hub takes them (schemas/supervise.ts
// attachment): a data: URL of JPEG/PNG/WebP/PDF of at most ~256 KB. A photo is redrawn as a JPEG no larger than
// MAX_SIDE px and re-encoded at lower quality until it fits, so a 12-megapixel phone photo still goes through.
import type { Attachment } from '../../../../schemas/index.js';
import { st } from './supervise-i18n.js';

/** the hub's limit on a data: URL (schemas/supervise.ts allows 350 000 characters); kept under it */
export const MAX_URL = 340_000;
const MAX_SIDE = 1600;
const OK_TYPES = /^(image\/(jpeg|png|webp)|application\/pdf)$/;

function readUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

/** a photo redrawn as JPEG, smaller each round until its data: URL fits */
export async function photoAttachment(file: File): Promise<Attachment> {
  const bitmap = await createImageBitmap(file);
  try {
    let side = Math.min(MAX_SIDE, Math.max(bitmap.width, bitmap.height));
    for (let round = 0; round < 8; round++) {
      const scale = side / Math.max(bitmap.width, bitmap.height);
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      for (const quality of [0.8, 0.65, 0.5]) {
        const url = canvas.toDataURL('image/jpeg', quality);
        if (url.length <= MAX_URL) return { name: file.name.replace(/\.[^.]*$/, '') + '.jpg', url };
      }
      side = Math.round(side * 0.7);
    }
  } finally {
    bitmap.close();
  }
  throw new Error(st('tooLarge', { name: file.name }));
}

/** a file as the hub takes it: images resized to JPEG, PDFs as they are (if small enough) */
export async function fileAttachment(file: File): Promise<Attachment> {
  if (!OK_TYPES.test(file.type)) throw new Error(st('badType', { name: file.name }));
  if (file.type.startsWith('image/')) return photoAttachment(file);
  const url = await readUrl(file);
  if (url.length > MAX_URL) throw new Error(st('tooLarge', { name: file.name }));
  return { name: file.name, url };
}

/** the attachments of a file input (at most three) */
export async function inputAttachments(input: HTMLInputElement): Promise<Attachment[]> {
  const files = [...(input.files ?? [])];
  if (files.length > 3) throw new Error(st('tooMany'));
  return Promise.all(files.map(fileAttachment));
}
