/**
 * A Map that forgets its oldest entries once their total weight passes a
 * budget. The order of arrival is kept in a queue of its own: walking a V8
 * Map from the front to find the oldest entry slows down as deleted entries
 * pile up there, which made every eviction cost as much as the whole Map.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private queue: K[] = [];
  private head = 0;
  private used = 0;

  constructor(
    private readonly budget: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Replacing a value keeps the key's place in the order of arrival. */
  set(key: K, value: V): void {
    const old = this.entries.get(key);
    if (old === undefined) this.queue.push(key);
    else this.used -= this.weigh(old);
    this.entries.set(key, value);
    this.used += this.weigh(value);
    while (this.used > this.budget && this.head < this.queue.length) {
      const oldest = this.queue[this.head++];
      this.used -= this.weigh(this.entries.get(oldest)!);
      this.entries.delete(oldest);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
