// Small caches for read-heavy public pages. A `Revision` says when cached things are stale;
// a `RenderCache` keeps rendered bodies with the stamp (revision) they were built at.
import { createHash } from 'node:crypto';

/**
 * A value that changes when data changes (a revision number, or a key summarising some tables).
 * Local writes update it at once (`set`) or make the next ask read it again (`forget`); changes
 * made by other instances are picked up within `maxAgeMs` by re-reading it. The re-read starts
 * ahead, once half that age has passed, while callers go on getting the value they have: under
 * load no request waits for it (a read waits for a pooled connection like any other query).
 */
export class Revision<T = number> {
  private value: T | undefined;
  private checkedAt = 0;
  private pending: { generation: number; value: Promise<T> } | undefined;
  /** Moves on at every `set` and `forget`, so a read begun before one does not undo it. */
  private generation = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  async current(): Promise<T> {
    const age = Date.now() - this.checkedAt;
    if (this.value !== undefined && age < this.maxAgeMs) {
      if (age >= this.maxAgeMs / 2) this.refresh().catch(() => undefined);
      return this.value;
    }
    return this.refresh();
  }

  /** One read in flight at a time, however many requests ask; a read begun before a `set` or `forget` is not reused after it. */
  private refresh(): Promise<T> {
    const generation = this.generation;
    if (this.pending && this.pending.generation === generation) return this.pending.value;
    const value = this.read()
      .then((v) => {
        if (generation !== this.generation) return v;
        this.value = v;
        this.checkedAt = Date.now();
        return v;
      })
      .finally(() => {
        if (this.pending?.value === value) this.pending = undefined;
      });
    this.pending = { generation, value };
    return value;
  }

  set(value: T): void {
    this.generation++;
    this.value = value;
    this.checkedAt = Date.now();
  }

  forget(): void {
    this.generation++;
    this.value = undefined;
  }
}

export interface CachedBody {
  body: string;
  etag: string;
}

/** A weak ETag from the body's fingerprint: the same body, whenever it was built, has the same tag. */
export function etagFor(fingerprint: string): string {
  return `W/"${createHash('sha1').update(fingerprint).digest('base64url').slice(0, 22)}"`;
}

export interface RenderCacheOptions {
  capacity?: number;
  /**
   * What of a body the ETag is computed from. Bodies holding a per-process placeholder pass a
   * function that removes it, so ETags agree across restarts and instances.
   */
  fingerprint?: (body: string) => string;
  /** For tests: the clock that says how old a body is. */
  now?: () => number;
}

interface Entry extends CachedBody {
  stamp: string;
  /** When its stamp was last found current (when a build or a check of it began). */
  checkedAt: number;
}

export type Stamp = number | string;

/** How old a body a reader accepts (`maxMs`), and from what age it is refreshed (`refreshMs`). */
export interface StaleReads {
  maxMs: number;
  refreshMs: number;
}

/**
 * Least-recently-used store of rendered bodies, each kept with the stamp it was built at (a
 * revision, or a summary of what the body shows): a body is served again while its key's stamp
 * is unchanged. Concurrent requests for the same missing key share one build.
 *
 * A caller may also accept a body that was current a little while ago (public pages for readers
 * with no cookies: see decision 29), saying how long ago at most (`maxMs`) and after how long
 * it should be brought up to date (`refreshMs`). Such a body is sent without working out the stamp
 * at all; once it is `refreshMs` old, the stamp is checked in the background and, if it has
 * moved on, the new body built, while readers go on getting this one. Under a stream of writes
 * a page is then rebuilt about once per `refreshMs` instead of once per write, and no reader
 * waits for the database unless a body reaches `maxMs`. Without `stale` every read works out
 * the stamp first and never gets an old body.
 */
export class RenderCache {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<CachedBody>>();
  private readonly checking = new Set<string>();
  private readonly capacity: number;
  private readonly fingerprint: (body: string) => string;
  private readonly now: () => number;

  constructor(options: RenderCacheOptions = {}) {
    this.capacity = options.capacity ?? 500;
    this.fingerprint = options.fingerprint ?? ((body) => body);
    this.now = options.now ?? (() => performance.now());
  }

  /** `stamp` is the key's stamp now, or a function that works it out (only when it is needed). */
  async get(key: string, stamp: Stamp | (() => Promise<Stamp>), build: () => Promise<string>, stale?: StaleReads): Promise<CachedBody> {
    const stampNow = typeof stamp === 'function' ? stamp : async () => stamp;
    const hit = this.entries.get(key);
    if (hit && stale && stale.maxMs > 0) {
      const age = this.now() - hit.checkedAt;
      if (age < stale.maxMs) {
        this.touch(key, hit);
        if (age >= stale.refreshMs) this.recheck(key, hit, stampNow, build);
        return hit;
      }
    }
    const checkedAt = this.now();
    const wanted = String(await stampNow());
    const current = this.entries.get(key);
    if (current && current.stamp === wanted) {
      current.checkedAt = Math.max(current.checkedAt, checkedAt);
      this.touch(key, current);
      return current;
    }
    return this.build(key, wanted, build);
  }

  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  /** In the background: is this body still current? If not, build its successor. */
  private recheck(key: string, hit: Entry, stampNow: () => Promise<Stamp>, build: () => Promise<string>): void {
    if (this.checking.has(key)) return;
    this.checking.add(key);
    const checkedAt = this.now();
    stampNow()
      .then(async (stamp) => {
        const wanted = String(stamp);
        if (hit.stamp === wanted) hit.checkedAt = Math.max(hit.checkedAt, checkedAt);
        else await this.build(key, wanted, build);
      })
      .catch(() => undefined)
      .finally(() => this.checking.delete(key));
  }

  /** Builds the body for a key and stamp, once however many ask, and keeps it. */
  private build(key: string, wanted: string, build: () => Promise<string>): Promise<CachedBody> {
    const flightKey = `${wanted} ${key}`;
    const inFlight = this.building.get(flightKey);
    if (inFlight) return inFlight;
    const checkedAt = this.now();
    const pending = build()
      .then((body) => {
        const entry: Entry = { body, etag: etagFor(this.fingerprint(body)), stamp: wanted, checkedAt };
        // A slower build of older data does not replace a newer body.
        const current = this.entries.get(key);
        if (!current || current.checkedAt <= checkedAt) {
          this.touch(key, entry);
          if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
        }
        return entry;
      })
      .finally(() => this.building.delete(flightKey));
    this.building.set(flightKey, pending);
    return pending;
  }
}

/**
 * Values computed once per revision (reference data, figures); a failed build is retried. The
 * revision may also be a summary of the inputs (a hash), so a value is rebuilt only when what it
 * is made from changes.
 */
export class RevisionMemo {
  private readonly values = new Map<string, { revision: number | string; value: Promise<unknown> }>();

  get<T>(key: string, revision: number | string, build: () => Promise<T>): Promise<T> {
    const hit = this.values.get(key);
    if (hit && hit.revision === revision) return hit.value as Promise<T>;
    const value = build();
    this.values.set(key, { revision, value });
    value.catch(() => this.values.delete(key));
    return value;
  }
}
