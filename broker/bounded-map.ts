// A Map that holds at most `max` entries and forgets the least recently touched one first. Map keeps
// insertion order, so re-inserting a key on use makes the first key the oldest. For per-IP and
// per-device bookkeeping that a hostile client could otherwise grow without limit (STYLE.md habit 3:
// every queue is bounded and says what happens when it is full — here the oldest entry is dropped,
// which at worst gives that address a fresh allowance).
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    super();
  }

  /** stores `value` as the most recently used entry, evicting the oldest beyond `max` */
  touch(key: K, value: V): V {
    this.delete(key);
    this.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value as K);
    return value;
  }
}
