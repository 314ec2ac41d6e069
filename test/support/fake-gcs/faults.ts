// Fault injection for the fake GCS server: fail chosen requests with a status, or cut the connection
// part-way through an upload body, so the client's retry and resume paths run against real HTTP.

export interface FaultControls {
  /** Fails the n-th request from now (1 = the next one) with `status` (503, 429, ...). */
  failNth(n: number, status: number): void;
  /** Fails every n-th request from now on (the n-th, 2n-th, ...) with `status`, until clear(). */
  failEvery(n: number, status: number): void;
  /** Drops the connection after `bytes` body bytes of the next `times` upload requests longer than that. */
  dropUploadAfterBytes(bytes: number, times?: number): void;
  /** Removes every pending fault. */
  clear(): void;
}

export class FaultPlan implements FaultControls {
  #seen = 0;
  readonly #nth = new Map<number, number>();
  #every: { n: number; status: number; from: number } | undefined;
  #drop: { bytes: number; times: number } | undefined;

  failNth(n: number, status: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`failNth needs n >= 1, got ${n}`);
    this.#nth.set(this.#seen + n, status);
  }

  failEvery(n: number, status: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`failEvery needs n >= 1, got ${n}`);
    this.#every = { n, status, from: this.#seen };
  }

  dropUploadAfterBytes(bytes: number, times = 1): void {
    this.#drop = { bytes, times };
  }

  clear(): void {
    this.#nth.clear();
    this.#every = undefined;
    this.#drop = undefined;
  }

  /** Counts one request; returns the status it must fail with, if any. */
  onRequest(): number | undefined {
    this.#seen += 1;
    const nth = this.#nth.get(this.#seen);
    if (nth !== undefined) {
      this.#nth.delete(this.#seen);
      return nth;
    }
    if (this.#every && (this.#seen - this.#every.from) % this.#every.n === 0) return this.#every.status;
    return undefined;
  }

  /** The byte count after which the current upload body must be cut, if a drop is pending. */
  dropThreshold(): number | undefined {
    return this.#drop?.bytes;
  }

  /** Records that a drop happened. */
  dropped(): void {
    if (!this.#drop) return;
    this.#drop.times -= 1;
    if (this.#drop.times <= 0) this.#drop = undefined;
  }
}
