// Instrumentation for bench/ui-map.ts and the e2e tests: the time from a `device:updated` push arriving
// to the frame that draws the new marker colour. Exposed as `window.__lookout.perf`; costs a few
// numbers per flush.
import type { DeviceState } from '../../../schemas/index.js';

class Perf {
  /** arrival time (performance.now) of the oldest push not yet handed to the map */
  private pendingSince: number | null = null;
  /** arrival time of the oldest push in the source data the map is currently rendering */
  private inFlightSince: number | null = null;
  readonly latencies: number[] = [];
  /** push arrival → frame showing an interim alarm marker (map-view.ts "bridge") */
  readonly bridgeLatencies: number[] = [];
  private lastArrival = 0;
  readonly frames: number[] = [];
  private lastFrame: number | null = null;
  recordFrames = false;
  pushes = 0;
  devicesPushed = 0;
  /** benchmark hooks, called for every device:updated push on arrival */
  readonly arrivalListeners: ((now: number, list: DeviceState[]) => void)[] = [];

  noteArrival(now: number, list: DeviceState[]): void {
    for (const fn of this.arrivalListeners) fn(now, list);
    this.lastArrival = now;
    this.pushes++;
    this.devicesPushed += list.length;
    if (this.pendingSince === null) this.pendingSince = now;
  }
  /** the map took the pending states into a setData call */
  flushed(): void {
    if (this.inFlightSince === null) this.inFlightSince = this.pendingSince;
    this.pendingSince = null;
  }
  /** the map rendered a frame with the new source data */
  rendered(now: number): void {
    if (this.inFlightSince !== null) {
      this.latencies.push(now - this.inFlightSince);
      if (this.latencies.length > 10_000) this.latencies.splice(0, 5_000);
      this.inFlightSince = null;
    }
  }
  /** an interim alarm marker was updated for the push being applied; measure to the next frame */
  bridgeShown(): void {
    const from = this.lastArrival;
    requestAnimationFrame(() => {
      this.bridgeLatencies.push(performance.now() - from);
      if (this.bridgeLatencies.length > 10_000) this.bridgeLatencies.splice(0, 5_000);
    });
  }
  frame(now: number): void {
    if (this.recordFrames && this.lastFrame !== null) this.frames.push(now - this.lastFrame);
    this.lastFrame = now;
  }
  reset(): void {
    this.latencies.length = 0;
    this.bridgeLatencies.length = 0;
    this.frames.length = 0;
    this.lastFrame = null;
    this.pushes = 0;
    this.devicesPushed = 0;
  }
}

export const perf = new Perf();
