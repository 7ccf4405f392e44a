// One metric's recent samples for one device: time-ordered arrays with a running (prefix) sum, so rolling
// sums and means (rain1h … rain24h, Leq, averages) cost two binary searches, not a scan.
//
//   ts:  [ t0  t1  t2 … ]     samples older than maxAgeMs (behind the newest) are dropped
//   v:   [ v0  v1  v2 … ]
//   cum: [ v0  v0+v1 …  ]     sum over (from, to] = cum[j] − cum[i] + v[i]

export class Series {
  ts: Float64Array;
  v: Float64Array;
  cum: Float64Array;
  start = 0;
  end = 0;
  /** last leq query (several levels of one rule ask for the same window) */
  private leqFrom = NaN;
  private leqTo = NaN;
  private leqVal = NaN;

  constructor(
    public maxAgeMs: number,
    cap = 8,
    /** hard cap on kept samples; the oldest go first */
    public maxSamples = 50_000,
  ) {
    this.ts = new Float64Array(cap);
    this.v = new Float64Array(cap);
    this.cum = new Float64Array(cap);
  }

  get length(): number {
    return this.end - this.start;
  }

  newestTs(): number {
    return this.end > this.start ? this.ts[this.end - 1]! : -Infinity;
  }

  push(ts: number, v: number): void {
    this.leqTo = NaN;
    const n = this.end;
    if (n > this.start) {
      const last = this.ts[n - 1]!;
      if (ts === last) {
        this.v[n - 1] = v;
        this.cum[n - 1] = (n - 1 > this.start ? this.cum[n - 2]! : 0) + v;
        return;
      }
      if (ts < last) {
        this.insert(ts, v);
        return;
      }
    }
    if (this.end === this.ts.length) this.makeRoom();
    const i = this.end++;
    this.ts[i] = ts;
    this.v[i] = v;
    this.cum[i] = (i > this.start ? this.cum[i - 1]! : 0) + v;
    this.prune(ts);
  }

  /** out-of-order sample: insert in place and rebuild the prefix sums after it (rare path) */
  private insert(ts: number, v: number): void {
    let i = this.upper(ts); // first index with ts > t
    if (i > this.start && this.ts[i - 1] === ts) {
      this.v[i - 1] = v;
      this.rebuild(i - 1);
      return;
    }
    if (this.end === this.ts.length) {
      const before = this.start;
      this.makeRoom();
      i -= before - this.start;
    }
    this.ts.copyWithin(i + 1, i, this.end);
    this.v.copyWithin(i + 1, i, this.end);
    this.ts[i] = ts;
    this.v[i] = v;
    this.end++;
    this.rebuild(i);
  }

  private rebuild(from: number): void {
    for (let k = from; k < this.end; k++) this.cum[k] = (k > this.start ? this.cum[k - 1]! : 0) + this.v[k]!;
  }

  private prune(newest: number): void {
    const limit = newest - this.maxAgeMs;
    let s = this.start;
    while (s < this.end - 1 && this.ts[s]! < limit) s++;
    if (this.end - s > this.maxSamples) s = this.end - this.maxSamples;
    this.start = s;
  }

  private makeRoom(): void {
    const len = this.end - this.start;
    let cap = this.ts.length;
    if (len * 2 > cap) cap = Math.max(8, cap * 2);
    const ts = cap === this.ts.length ? this.ts : new Float64Array(cap);
    const v = cap === this.v.length ? this.v : new Float64Array(cap);
    ts.set(this.ts.subarray(this.start, this.end), 0);
    v.set(this.v.subarray(this.start, this.end), 0);
    this.ts = ts;
    this.v = v;
    if (this.cum.length !== cap) this.cum = new Float64Array(cap);
    this.start = 0;
    this.end = len;
    this.rebuild(0);
  }

  /** a sample at exactly this ts with exactly this value is kept */
  has(ts: number, v: number): boolean {
    const i = this.upper(ts) - 1;
    return i >= this.start && this.ts[i] === ts && this.v[i] === v;
  }

  /** first index in [start,end) with ts > t */
  upper(t: number): number {
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** sum of samples with from < ts ≤ to (NaN when none) */
  sum(from: number, to: number): number {
    const i = this.upper(from);
    const j = this.upper(to) - 1;
    if (j < i) return NaN;
    return this.cum[j]! - this.cum[i]! + this.v[i]!;
  }

  count(from: number, to: number): number {
    const i = this.upper(from);
    const j = this.upper(to);
    return Math.max(0, j - i);
  }

  avg(from: number, to: number): number {
    const n = this.count(from, to);
    return n === 0 ? NaN : this.sum(from, to) / n;
  }

  min(from: number, to: number): number {
    const i = this.upper(from);
    const j = this.upper(to);
    if (j <= i) return NaN;
    let m = Infinity;
    for (let k = i; k < j; k++) if (this.v[k]! < m) m = this.v[k]!;
    return m;
  }

  max(from: number, to: number): number {
    const i = this.upper(from);
    const j = this.upper(to);
    if (j <= i) return NaN;
    let m = -Infinity;
    for (let k = i; k < j; k++) if (this.v[k]! > m) m = this.v[k]!;
    return m;
  }

  /** energy-equivalent level of dB samples (equal weights): 10·lg(mean(10^(L/10))) — GB 3096 Leq */
  leq(from: number, to: number): number {
    if (from === this.leqFrom && to === this.leqTo) return this.leqVal;
    this.leqFrom = from;
    this.leqTo = to;
    this.leqVal = this.leqCompute(from, to);
    return this.leqVal;
  }

  private leqCompute(from: number, to: number): number {
    const i = this.upper(from);
    const j = this.upper(to);
    if (j <= i) return NaN;
    let e = 0;
    for (let k = i; k < j; k++) e += Math.pow(10, this.v[k]! / 10);
    return 10 * Math.log10(e / (j - i));
  }

  /**
   * rate between the first sample after `from` and the last at or before `to`, per `per` ms (default 1; NaN if
   * span < minSpan). Scaled before dividing: a rise of 0.25 m in 30 min is exactly 0.5 m/h, where dividing
   * first gives 0.49999999999999994 and a `>= 0.5` rule would miss its own threshold.
   */
  rate(from: number, to: number, minSpan: number, per = 1): number {
    const i = this.upper(from);
    const j = this.upper(to) - 1;
    if (j <= i) return NaN;
    const dt = this.ts[j]! - this.ts[i]!;
    if (dt < minSpan || dt <= 0) return NaN;
    return ((this.v[j]! - this.v[i]!) * per) / dt;
  }

  /** [n, ts…, v…] for persistence */
  serialize(): Float64Array {
    const out = new Float64Array(1 + 2 * this.length);
    this.writeInto(out, 0);
    return out;
  }

  /** writes [n, ts…, v…] (what `restore` reads) into `f` at `o`; returns the offset after it */
  writeInto(f: Float64Array, o: number): number {
    const n = this.end - this.start;
    f[o++] = n;
    f.set(this.ts.subarray(this.start, this.end), o);
    f.set(this.v.subarray(this.start, this.end), o + n);
    return o + 2 * n;
  }

  static restore(data: Float64Array, offset: number, maxAgeMs: number): { series: Series; next: number } {
    const n = data[offset]!;
    const s = new Series(maxAgeMs, Math.max(8, n * 2));
    for (let k = 0; k < n; k++) s.push(data[offset + 1 + k]!, data[offset + 1 + n + k]!);
    return { series: s, next: offset + 1 + 2 * n };
  }
}
