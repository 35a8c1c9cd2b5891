/**
 * $all in position order, held as numbers only: about 28 bytes an event,
 * whatever its size. Bodies stay in the log file, found by position and size.
 */
export class AllIndex {
  private positions = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  private revisions = new Float64Array(INITIAL_CAPACITY);
  private streams = new Uint32Array(INITIAL_CAPACITY);
  private types = new Uint32Array(INITIAL_CAPACITY);
  private readonly typeNames: string[] = [];
  private readonly typeNumbers = new Map<string, number>();
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds the next event of $all and returns its index. */
  push(position: number, size: number, stream: number, revision: number, type: string): number {
    if (this.count === this.positions.length) this.grow();
    const i = this.count++;
    this.positions[i] = position;
    this.sizes[i] = size;
    this.revisions[i] = revision;
    this.streams[i] = stream;
    this.types[i] = this.typeNumber(type);
    return i;
  }

  positionAt(i: number): number {
    return this.positions[i];
  }

  sizeAt(i: number): number {
    return this.sizes[i];
  }

  revisionAt(i: number): number {
    return this.revisions[i];
  }

  /** The engine's number for the event's stream. */
  streamAt(i: number): number {
    return this.streams[i];
  }

  typeAt(i: number): string {
    return this.typeNames[this.types[i]];
  }

  /** Index of the first event at or after `position`. */
  indexAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid] < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Event types are few, so each is stored once and referred to by number. */
  private typeNumber(type: string): number {
    let n = this.typeNumbers.get(type);
    if (n === undefined) {
      n = this.typeNames.push(type) - 1;
      this.typeNumbers.set(type, n);
    }
    return n;
  }

  private grow(): void {
    const capacity = this.positions.length * 2;
    this.positions = resized(this.positions, new Float64Array(capacity));
    this.sizes = resized(this.sizes, new Uint32Array(capacity));
    this.revisions = resized(this.revisions, new Float64Array(capacity));
    this.streams = resized(this.streams, new Uint32Array(capacity));
    this.types = resized(this.types, new Uint32Array(capacity));
  }
}

const INITIAL_CAPACITY = 1024;

function resized<T extends Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
