// A tiny DOM builder. Text is always set with textContent (never innerHTML), so device names, notes and
// anything else from the wire are escaped by construction (docs/architecture.md).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener> & {
  class?: string;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      } else if (k === 'class') {
        el.className = String(v);
      } else if (v === true) {
        el.setAttribute(k, '');
      } else {
        el.setAttribute(k, String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el as HTMLElement;
}

/** Only same-origin relative URLs may be loaded by the page (offline rule): `/…` but not `//host`. */
export function isLocalUrl(u: string | null | undefined): u is string {
  return typeof u === 'string' && u.startsWith('/') && !u.startsWith('//');
}

/** Links a dispatcher may open in a new tab (camera streams live on the video platform). */
export function isSafeLink(u: string | null | undefined): u is string {
  return typeof u === 'string' && /^(https?|rtsp|rtmp|wss?):\/\//i.test(u);
}
