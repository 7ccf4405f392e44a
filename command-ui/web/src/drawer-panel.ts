// A panel of the incident drawer that keeps its own data (drawer-resources.ts, drawer-plans.ts): the drawer
// hands it the incident on every render; it draws at once from what it has and fetches again when the
// incident moved (its key changed). A fetch answered after another incident was shown is dropped.
import type { Incident } from '../../../schemas/index.js';
import { clear } from './dom.js';
import { prepareErrorText } from './prepare-errors.js';

export abstract class DrawerPanel {
  abstract readonly el: HTMLElement;
  protected incident: Incident | null = null;
  protected canAct = false;
  /** the last refused fetch, in words */
  protected error = '';
  private key = '';
  private seq = 0;

  /** what makes the panel fetch again (the timeline's length: every change of ours writes a line) */
  protected abstract keyOf(i: Incident): string;
  /** another incident is shown: drop what belonged to the last one */
  protected abstract forget(): void;
  /** fetches; the returned function keeps the answer (called only if it is still the shown incident's) */
  protected abstract fetch(i: Incident): Promise<() => void>;
  protected abstract draw(): void;

  render(i: Incident, canAct: boolean): HTMLElement {
    if (this.incident?.id !== i.id) {
      this.forget();
      this.error = '';
    }
    this.incident = i;
    this.canAct = canAct;
    const key = this.keyOf(i);
    if (key !== this.key) {
      this.key = key;
      void this.load();
    }
    this.draw();
    return this.el;
  }

  reset(): void {
    this.incident = null;
    this.key = '';
    this.seq++;
    this.forget();
    clear(this.el);
  }

  protected async load(): Promise<void> {
    const i = this.incident;
    if (!i) return;
    const seq = ++this.seq;
    try {
      const keep = await this.fetch(i);
      if (seq !== this.seq) return;
      keep();
      this.error = '';
    } catch (x) {
      if (seq !== this.seq) return;
      this.error = prepareErrorText(x);
    }
    this.draw();
  }
}
