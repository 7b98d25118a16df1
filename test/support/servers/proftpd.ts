/**
 * `await using ftp = await startProftpd({ users: { acs: 's3cret' } })`: a real ProFTPD
 * (Debian `proftpd-core`) on a free 127.0.0.1 port with a throwaway config, passive ports
 * of its own, its files in a temp folder (`ftp.root`), virtual users from an
 * `AuthUserFile` (no system account is touched) and, when started as root, a real
 * `<Anonymous>` login. Ready once it greets with `220`.
 *
 * Why ProFTPD and not vsftpd: vsftpd's logins other than anonymous go through PAM and
 * system accounts (a test would have to change /etc), and unprivileged
 * (`run_as_launching_user`) it serves anonymous logins only; ProFTPD reads users from a
 * file and runs as root or not. Its anonymous login chroots, which needs root.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, logOf, missing, readyServer, startProcess, tempDir, type StartedServer } from './common.js';

const BINARY = findBinary(['/usr/sbin/proftpd', '/usr/local/sbin/proftpd']);
/** Why ProFTPD tests skip, or undefined when it is installed. */
export const proftpdMissing: string | undefined = BINARY ? undefined : missing('ProFTPD', 'proftpd-core');
/** Why anonymous-login tests skip: ProFTPD's `<Anonymous>` chroots, which only root may do. */
export const ftpAnonymousMissing: string | undefined = proftpdMissing ?? (process.getuid?.() === 0 ? undefined : 'ProFTPD serves anonymous logins only when started as root (its <Anonymous> chroots)');

export interface ProftpdOptions {
  /** Virtual users and their passwords; their home is `root`. */
  users?: Record<string, string>;
  /** Throttle downloads to this many KiB/s (ProFTPD `TransferRate RETR`), to catch a transfer mid-way. */
  retrRateKiB?: number;
}

export interface StartedProftpd extends StartedServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The folder every login sees as its root: put files here, find uploads here. */
  readonly root: string;
  /** `ftp://127.0.0.1:<port>/<path>` */
  url(path: string): string;
  /** Writes a file under `root` (readable by the server's users). */
  put(path: string, data: string | Buffer): void;
  /** Reads a file under `root` (an upload). */
  read(path: string): Buffer;
  /** Kills every session process (the master stays): transfers in flight break off. */
  killSessions(): void;
}

/** `crypt(3)` SHA-512 hash of `password`, which ProFTPD's AuthUserFile reads. */
function cryptHash(password: string): string {
  return execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` }).toString().trim();
}

export async function startProftpd(opts: ProftpdOptions = {}): Promise<StartedProftpd> {
  if (!BINARY) throw new Error(proftpdMissing);
  const tmp = tempDir('proftpd');
  const root = join(tmp.dir, 'root');
  mkdirSync(root);
  // As root the sessions run as nobody and must walk through the (0700) temp folder.
  if (process.getuid?.() === 0) chmodSync(tmp.dir, 0o755);
  const port = await freePort();
  const pasv = await freePort();
  const asRoot = process.getuid?.() === 0;
  // As root, sessions run as nobody/nogroup and own the tree; otherwise as the launching user.
  const uid = asRoot ? 65534 : (process.getuid?.() ?? 0);
  const gid = asRoot ? 65534 : (process.getgid?.() ?? 0);
  const userName = asRoot ? 'nobody' : userInfo().username;
  const groupName = asRoot ? 'nogroup' : execFileSync('id', ['-gn']).toString().trim();
  const users = { ...(opts.users ?? {}), ...(asRoot ? { ftpanon: '' } : {}) };
  writeFileSync(join(tmp.dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:${p === '' ? '!' : cryptHash(p)}:${uid}:${gid}::${root}:/bin/false\n`).join(''), { mode: 0o600 });
  writeFileSync(join(tmp.dir, 'group'), `${groupName}:x:${gid}:${Object.keys(users).join(',')}\n`, { mode: 0o600 });
  const logFile = join(tmp.dir, 'proftpd.log');
  const conf = [
    'ServerType standalone',
    'ServerName "cpe-sim test FTP"',
    `Port ${port}`,
    'DefaultAddress 127.0.0.1',
    'SocketBindTight on',
    'UseIPv6 off',
    `User ${userName}`,
    `Group ${groupName}`,
    `PidFile ${join(tmp.dir, 'proftpd.pid')}`,
    `ScoreboardFile ${join(tmp.dir, 'scoreboard')}`,
    'ControlsEngine off',
    'DelayEngine off',
    'WtmpLog off',
    'TransferLog none',
    `SystemLog ${logFile}`,
    'AuthOrder mod_auth_file.c',
    `AuthUserFile ${join(tmp.dir, 'passwd')}`,
    `AuthGroupFile ${join(tmp.dir, 'group')}`,
    'RequireValidShell off',
    'UseReverseDNS off',
    // Passive mode only is what the CPE speaks; a range of its own per server.
    `PassivePorts ${pasv} ${pasv + 20}`,
    'MaxInstances 50',
    ...(opts.retrRateKiB !== undefined ? [`TransferRate RETR ${opts.retrRateKiB}`] : []),
    '<Directory />',
    '  AllowOverwrite on',
    '</Directory>',
    ...(asRoot ? [`<Anonymous ${root}>`, '  User ftpanon', `  Group ${groupName}`, '  UserAlias anonymous ftpanon', '  RequireValidShell off', '  <Limit WRITE>', '    AllowAll', '  </Limit>', '</Anonymous>'] : []),
  ].join('\n');
  const confFile = join(tmp.dir, 'proftpd.conf');
  writeFileSync(confFile, `${conf}\n`);
  if (asRoot) chownSync(root, uid, gid);
  const proc = startProcess(BINARY, ['-n', '-q', '-c', confFile], tmp.dir);
  const put = (path: string, data: string | Buffer): void => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, data);
    if (asRoot) chownSync(file, uid, gid);
  };
  return readyServer<Omit<StartedProftpd, keyof StartedServer>>('ProFTPD', proc, tmp, logOf(proc, logFile), () => greets(port), {
    host: '127.0.0.1' as const,
    port,
    root,
    url: (path: string) => `ftp://127.0.0.1:${port}/${path.replace(/^\//, '')}`,
    put,
    read: (path: string) => readFileSync(join(root, path)),
    killSessions() {
      const pid = proc.child.pid;
      if (pid === undefined) return;
      let children = '';
      try {
        children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
      } catch {
        return;
      }
      for (const c of children.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(c), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  });
}

/** A TCP connect that reads the `220` greeting (RFC 959 §5.4). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString().startsWith('220')));
  });
}
