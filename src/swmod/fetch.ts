/**
 * Fetching app manifests (ref §8.4): a plain HTTP(S) GET (or an FTP RETR, cpe-sim
 * extension) through `transfer/` (the same client as Download: Basic/Digest answered with the operation's Username/Password,
 * redirects followed), any 2xx answer, a 30 s idle timeout and a 4 MiB cap.
 * @module
 */
import { CwmpFault } from '../errors/index.js';
import { checkTransferUrl, downloadFile, transferFault } from '../transfer/index.js';

/** ref §8.4: a manifest is at most 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** ref §8.4: the manifest GET gives up after 30 s without progress. */
export const MANIFEST_TIMEOUT_MS = 30_000;

/** Username and password of an Install/Update operation (empty username: none). */
export interface ManifestCredentials {
  username: string;
  password: string;
}

/**
 * Fetches a manifest's text. Rejects with a `CwmpFault` carrying the TR-069 code:
 * 9003 a URL that is not absolute or carries userinfo, 9013 a scheme other than
 * http/https/ftp, 9015 server unreachable, 9016 not 2xx, 9012 authentication, 9017 body
 * cut off, 9018 over {@link MAX_MANIFEST_BYTES}.
 */
export type ManifestFetcher = (url: string, credentials: ManifestCredentials, signal?: AbortSignal) => Promise<string>;

/** Options of {@link httpManifestFetcher}. */
export interface HttpManifestFetcherOptions {
  /** Idle limit in real ms; default {@link MANIFEST_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for `https:` manifest servers. */
  ca?: string | Buffer;
}

/**
 * The default {@link ManifestFetcher}: HTTP(S) GET with `transfer/`'s client.
 * @example
 * const fetch = httpManifestFetcher();
 * const text = await fetch('http://127.0.0.1:8080/demo-app.yaml', { username: '', password: '' });
 */
export function httpManifestFetcher(opts: HttpManifestFetcherOptions = {}): ManifestFetcher {
  return async (url, credentials, signal) => {
    checkTransferUrl(url);
    const chunks: Uint8Array[] = [];
    try {
      await downloadFile({
        url,
        username: credentials.username,
        password: credentials.password,
        timeoutMs: opts.timeoutMs ?? MANIFEST_TIMEOUT_MS,
        maxBytes: MAX_MANIFEST_BYTES,
        // ref §8.4: any 2xx answer carries the manifest.
        anySuccess: true,
        // The chunk is a view of the read buffer, overwritten by the next read: keep a copy.
        onChunk: (c) => chunks.push(Buffer.from(c)),
        ...(signal ? { signal } : {}),
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      });
    } catch (err) {
      // fetchFile words the size limit as a Download's FileSize; say what it is here.
      if (err instanceof CwmpFault && err.faultCode === 9018) throw transferFault(9018, `the manifest at ${url} is larger than ${MAX_MANIFEST_BYTES} bytes`);
      throw err;
    }
    return Buffer.concat(chunks).toString('utf8');
  };
}
