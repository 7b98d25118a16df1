/**
 * One entry per direction for every transfer scheme TR-069 §3.4 names: `ftp:` goes to
 * the FTP client, `http:`/`https:` to the HTTP client. Callers (the transfer queue, the
 * software-module manifest fetcher) do not care which.
 * @module
 */
import { fetchFtpFile, putFtpFile } from './ftp.js';
import { fetchFile, putFile } from './http.js';
import type { FetchFileOptions, FetchFileResult, PutFileOptions } from './http.js';

/** True for an `ftp:` URL (it must already have passed `checkTransferUrl`). */
function isFtp(url: string): boolean {
  return url.slice(0, 4).toLowerCase() === 'ftp:';
}

/**
 * Downloads `opts.url` over HTTP(S) ({@link fetchFile}) or FTP ({@link fetchFtpFile}),
 * streaming the body to `opts.onChunk`; faults as those two document.
 */
export function downloadFile(opts: FetchFileOptions): Promise<FetchFileResult> {
  return isFtp(opts.url) ? fetchFtpFile(opts) : fetchFile(opts);
}

/** Uploads `opts.body` with an HTTP(S) PUT ({@link putFile}) or an FTP STOR ({@link putFtpFile}). */
export async function uploadFile(opts: PutFileOptions): Promise<{ url: string }> {
  return isFtp(opts.url) ? putFtpFile(opts) : putFile(opts);
}
