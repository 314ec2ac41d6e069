// Fault injection for the fake GCS server: fail chosen requests with a status, cut the connection
// part-way through an upload body, carry a request out and lose its answer, or stop listening for a
// while (a GCS outage or a restart), so the client's retry and resume paths run against real HTTP.

/** Which requests a targeted fault counts; every given field must match. */
export interface RequestMatch {
  /** HTTP method, e.g. 'DELETE'. */
  method?: string;
  /** Tested against the URL path (no query), e.g. /^\/upload\//. */
  path?: RegExp;
  /** The object name, from the path or, for uploads, from the `name` query parameter. */
  object?: string | RegExp;
}

/** What the server sees of a request when it matches faults. */
export interface RequestFacts {
  method: string;
  path: string;
  /** The object the request names, if any. */
  object: string | undefined;
}

export interface FaultControls {
  /** Fails the n-th request from now (1 = the next one) with `status` (503, 429, ...). */
  failNth(n: number, status: number): void;
  /** Fails every n-th request from now on (the n-th, 2n-th, ...) with `status`, until clear(). */
  failEvery(n: number, status: number): void;
  /** Drops the connection after `bytes` body bytes of the next `times` upload requests longer than that. */
  dropUploadAfterBytes(bytes: number, times?: number): void;
  /** Fails the n-th request from now that matches (1 = the first) with `status`, without carrying it out. */
  failOn(match: RequestMatch, status: number, n?: number): void;
  /**
   * Carries out the n-th request from now that matches (1 = the first), then destroys its connection
   * before a byte of the answer is sent: the effect happened, the client sees a reset.
   */
  loseAnswer(match: RequestMatch, n?: number): void;
  /**
   * When the n-th request from now that matches arrives, cuts its connection without carrying it out
   * and stops listening for `ms` (connections are refused), then listens again on the same port.
   */
  outageOn(match: RequestMatch, ms: number, n?: number): void;
  /** Removes every pending fault. */
  clear(): void;
}

/** The action the server takes on one request. */
export type RequestFault = { kind: 'status'; status: number } | { kind: 'loseAnswer' } | { kind: 'outage'; ms: number } | undefined;

interface Targeted {
  match: RequestMatch;
  /** Matching requests still to let through before this one fires. */
  skip: number;
  action: Exclude<RequestFault, undefined>;
}

export class FaultPlan implements FaultControls {
  #seen = 0;
  readonly #nth = new Map<number, number>();
  #every: { n: number; status: number; from: number } | undefined;
  #drop: { bytes: number; times: number } | undefined;
  #targeted: Targeted[] = [];

  failNth(n: number, status: number): void {
    positive('failNth', n);
    this.#nth.set(this.#seen + n, status);
  }

  failEvery(n: number, status: number): void {
    positive('failEvery', n);
    this.#every = { n, status, from: this.#seen };
  }

  dropUploadAfterBytes(bytes: number, times = 1): void {
    this.#drop = { bytes, times };
  }

  failOn(match: RequestMatch, status: number, n = 1): void {
    positive('failOn', n);
    this.#targeted.push({ match, skip: n - 1, action: { kind: 'status', status } });
  }

  loseAnswer(match: RequestMatch, n = 1): void {
    positive('loseAnswer', n);
    this.#targeted.push({ match, skip: n - 1, action: { kind: 'loseAnswer' } });
  }

  outageOn(match: RequestMatch, ms: number, n = 1): void {
    positive('outageOn', n);
    this.#targeted.push({ match, skip: n - 1, action: { kind: 'outage', ms } });
  }

  clear(): void {
    this.#nth.clear();
    this.#every = undefined;
    this.#drop = undefined;
    this.#targeted = [];
  }

  /** Counts one request; returns what the server must do to it instead of answering normally, if anything. */
  onRequest(facts: RequestFacts): RequestFault {
    this.#seen += 1;
    const nth = this.#nth.get(this.#seen);
    this.#nth.delete(this.#seen);
    // Every pending targeted fault counts each request it matches; when two are due on the same
    // request, the one armed first fires and the other fires on the next matching request.
    let fired: RequestFault;
    this.#targeted = this.#targeted.filter((t) => {
      if (!matches(t.match, facts)) return true;
      if (t.skip > 0) {
        t.skip -= 1;
        return true;
      }
      if (fired) return true;
      fired = t.action;
      return false;
    });
    if (fired) return fired;
    if (nth !== undefined) return { kind: 'status', status: nth };
    if (this.#every && (this.#seen - this.#every.from) % this.#every.n === 0) return { kind: 'status', status: this.#every.status };
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

function positive(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} needs n >= 1, got ${n}`);
}

function matches(match: RequestMatch, facts: RequestFacts): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== facts.method) return false;
  if (match.path && !match.path.test(facts.path)) return false;
  if (match.object !== undefined) {
    if (facts.object === undefined) return false;
    if (typeof match.object === 'string' ? match.object !== facts.object : !match.object.test(facts.object)) return false;
  }
  return true;
}
