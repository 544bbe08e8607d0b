// Small caches for read-heavy public pages. A `Revision` says when cached things are stale;
// a `RenderCache` keeps what was computed for the current revision.
import { createHash } from 'node:crypto';

/**
 * A value that changes when data changes (a revision number, or a key summarising some tables).
 * Local writes update it at once (`set`) or make the next ask read it again (`forget`); changes
 * made by other instances are picked up within `maxAgeMs` by re-reading it.
 */
export class Revision<T = number> {
  private value: T | undefined;
  private checkedAt = 0;
  private pending: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  async current(): Promise<T> {
    if (this.value !== undefined && Date.now() - this.checkedAt < this.maxAgeMs) return this.value;
    // One read in flight at a time, however many requests ask.
    this.pending ??= this.read()
      .then((v) => {
        this.value = v;
        this.checkedAt = Date.now();
        return v;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  set(value: T): void {
    this.value = value;
    this.checkedAt = Date.now();
  }

  forget(): void {
    this.value = undefined;
  }
}

export interface CachedBody {
  body: string;
  etag: string;
}

export function etagFor(fingerprint: string, revision: number): string {
  return `W/"${revision.toString(36)}-${createHash('sha1').update(fingerprint).digest('base64url').slice(0, 16)}"`;
}

export interface RenderCacheOptions {
  capacity?: number;
  /**
   * What of a body the ETag is computed from. Bodies holding a per-process placeholder pass a
   * function that removes it, so ETags agree across restarts and instances.
   */
  fingerprint?: (body: string) => string;
}

/**
 * Least-recently-used store of rendered bodies, all dropped when the revision moves on.
 * Concurrent requests for the same missing key share one build.
 */
export class RenderCache {
  private readonly entries = new Map<string, CachedBody>();
  private readonly building = new Map<string, Promise<CachedBody>>();
  private revision = -1;
  private readonly capacity: number;
  private readonly fingerprint: (body: string) => string;

  constructor(options: RenderCacheOptions = {}) {
    this.capacity = options.capacity ?? 500;
    this.fingerprint = options.fingerprint ?? ((body) => body);
  }

  async get(key: string, revision: number, build: () => Promise<string>): Promise<CachedBody> {
    if (revision !== this.revision) {
      this.entries.clear();
      this.revision = revision;
    }
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const flightKey = `${revision} ${key}`;
    const inFlight = this.building.get(flightKey);
    if (inFlight) return inFlight;
    const pending = build()
      .then((body) => {
        const entry = { body, etag: etagFor(this.fingerprint(body), revision) };
        if (revision === this.revision) {
          this.entries.set(key, entry);
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
