/**
 * The Digest nonce store of one CR endpoint. Pure (time, secret injectable).
 *
 * Nonces are self-describing and signed: `base64url(issuedAt ‖ seq ‖ HMAC)`, the HMAC
 * (SHA-256, keyed with a per-listener secret) covering the endpoint's scope (cpe-id
 * and realm), the issue time and a sequence number. So authenticity and expiry are
 * checked without any state (like Apache mod_auth_digest), and issuing a challenge
 * stores nothing: a flood of unauthenticated requests cannot grow memory.
 *
 * State exists only for nonces that authenticated at least once: their {@link NcWindow}
 * lives in an LRU map capped at `capacity` entries. A signed, unexpired nonce that is
 * not in the map is either fresh (never used) or was evicted (its nc history lost).
 * The sequence number tells them apart: every nonce issued no later than the newest
 * evicted one is treated as stale, so an evicted nonce can never be replayed.
 * Every operation is O(1): expiry reads the nonce's own timestamp; eviction drops the
 * map's oldest entry on insert. Nothing ever scans.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NcWindow } from './ncwindow.js';

/** Options of {@link NonceStore}. */
export interface NonceStoreOptions {
  /** What the nonce is bound to (e.g. `cpe-3\0realm`): a nonce of one endpoint is unknown to another. */
  scope: string;
  /** HMAC key; share one per listener. Default: 32 random bytes. */
  secret?: Buffer;
  /** Nonce lifetime in ms (default 300 000, Apache's `AuthDigestNonceLifetime`). */
  lifetimeMs?: number;
  /** Max nonces with nc state (LRU). Default 64. */
  capacity?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

/** Result of {@link NonceStore.use}. `stale`: expired, unknown, forged or evicted. */
export type NonceVerdict =
  | { ok: true }
  | { ok: false; reason: 'stale'; why: 'expired' | 'unknown' | 'evicted' }
  | { ok: false; reason: 'replay'; why: 'nc-reused' | 'nc-too-old' | 'nc-invalid' };

const MAC_BYTES = 16;
const NONCE_BYTES = 8 + 8 + MAC_BYTES;

/** Issues and checks the nonces of one endpoint. */
export class NonceStore {
  readonly lifetimeMs: number;
  readonly capacity: number;
  private readonly scope: string;
  private readonly secret: Buffer;
  /** Random per store: nonces of an earlier store for the same scope (an endpoint
   * unregistered and registered again) are unknown here, so their lost nc history
   * cannot be replayed. */
  private readonly epoch = randomBytes(8);
  private readonly now: () => number;
  private seq = 0;
  /** Sequence number of the newest nonce whose state was evicted. */
  private evictedUpTo = 0;
  /** nonce → nc window; Map order = recency (re-inserted on use). */
  private readonly used = new Map<string, NcWindow>();

  constructor(opts: NonceStoreOptions) {
    this.scope = opts.scope;
    this.secret = opts.secret ?? randomBytes(32);
    this.lifetimeMs = opts.lifetimeMs ?? 300_000;
    this.capacity = Math.max(1, opts.capacity ?? 64);
    this.now = opts.now ?? Date.now;
  }

  /** A fresh nonce (stores nothing). */
  issue(): string {
    const buf = Buffer.alloc(NONCE_BYTES);
    buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.now()))), 0);
    buf.writeBigUInt64BE(BigInt(++this.seq), 8);
    this.mac(buf.subarray(0, 16)).copy(buf, 16);
    return buf.toString('base64url');
  }

  /**
   * Checks `nonce` and records `nc` against it. Call only after the request's digest
   * was verified, so state is only ever created for authenticated requests.
   */
  use(nonce: string, nc: number): NonceVerdict {
    const decoded = this.decode(nonce);
    if (!decoded) return { ok: false, reason: 'stale', why: 'unknown' };
    if (this.now() - decoded.issuedAt >= this.lifetimeMs) return { ok: false, reason: 'stale', why: 'expired' };
    let win = this.used.get(nonce);
    if (win) {
      this.used.delete(nonce); // LRU: move to the newest end
    } else {
      if (decoded.seq <= this.evictedUpTo) return { ok: false, reason: 'stale', why: 'evicted' };
      win = new NcWindow();
    }
    this.used.set(nonce, win);
    if (this.used.size > this.capacity) this.evictOldest();
    const v = win.use(nc);
    if (v === 'ok') return { ok: true };
    return { ok: false, reason: 'replay', why: v === 'replay' ? 'nc-reused' : v === 'too-old' ? 'nc-too-old' : 'nc-invalid' };
  }

  /** Number of nonces holding nc state (bounded by `capacity`). */
  get size(): number {
    return this.used.size;
  }

  private evictOldest(): void {
    const oldest = this.used.keys().next();
    if (oldest.done) return;
    this.used.delete(oldest.value);
    const d = this.decode(oldest.value);
    if (d && d.seq > this.evictedUpTo) this.evictedUpTo = d.seq;
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(this.epoch).update(this.scope).update('\0').update(payload).digest().subarray(0, MAC_BYTES);
  }

  private decode(nonce: string): { issuedAt: number; seq: number } | undefined {
    if (nonce.length !== Math.ceil((NONCE_BYTES * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
    const buf = Buffer.from(nonce, 'base64url');
    if (buf.length !== NONCE_BYTES || buf.toString('base64url') !== nonce) return undefined;
    if (!timingSafeEqual(this.mac(buf.subarray(0, 16)), buf.subarray(16))) return undefined;
    return { issuedAt: Number(buf.readBigUInt64BE(0)), seq: Number(buf.readBigUInt64BE(8)) };
  }
}
