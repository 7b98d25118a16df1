/**
 * File transfers of a CPE (issue 15): the HTTP(S) and FTP clients with file-server auth,
 * firmware images and the transfer queue. `cpe/` asks it and records the result;
 * it knows nothing of SOAP sessions.
 * @module
 */

// ---- HTTP client ----------------------------------------------------------------
export { fetchFile, putFile, checkTransferUrl, transferFault, TransferAbortedError, MAX_REDIRECTS } from './http.js';
export type { TransferCredentials, TransferRequestOptions, FetchFileOptions, FetchFileResult, PutFileOptions } from './http.js';
export { ResponseParser, HttpParseError, parseResponseHead, MAX_HEAD_BYTES } from './http1.js';
export type { ResponseHead, ResponseParserOptions } from './http1.js';

// ---- FTP client and the scheme switch ------------------------------------------------
export { fetchFtpFile, putFtpFile, ftpPath, FTP_ANONYMOUS_USER, FTP_ANONYMOUS_PASSWORD } from './ftp.js';
export { downloadFile, uploadFile } from './transport.js';

// ---- firmware images ----------------------------------------------------------------
export { ImageInspector, versionFromHead, versionFromUrl, IMAGE_HEAD_BYTES, VERSION_HEADER, CHECKSUM_HEADER } from './image.js';

// ---- vendor configuration file ----------------------------------------------------
export { formatConfigFile, parseConfigFile } from './config-file.js';
export type { ConfigFileEntry } from './config-file.js';

// ---- queue ----------------------------------------------------------------------
export { TransferQueue, compareVersions, FIRMWARE_FILE_TYPE } from './queue.js';
export type { TransferRequest, TransferWindow, TransferState, QueuedTransfer, TransferOutcome, FirmwarePlan, TransferHost } from './queue.js';
