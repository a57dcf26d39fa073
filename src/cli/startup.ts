/**
 * One clear line for a process that cannot start (`labelcheck serve`, `labelcheck worker`):
 * the usual causes are named with what to do about them, instead of a stack trace.
 */

interface SysError {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  path?: unknown;
  hostname?: unknown;
  message?: unknown;
  errors?: unknown;
}

const PG_CODES: Record<string, string> = {
  '28P01': 'the password was rejected',
  '28000': 'the role may not connect',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
};

function where(e: SysError): string {
  const host = typeof e.address === 'string' ? e.address : '';
  const port = typeof e.port === 'number' ? e.port : '';
  return host && port !== '' ? `${host.includes(':') ? `[${host}]` : host}:${port}` : String(host || port);
}

/** The message (without the command prefix) for an error raised while starting. */
export function describeStartupError(err: unknown): string {
  let e = (err ?? {}) as SysError;
  // Connection attempts to several addresses (localhost → ::1 and 127.0.0.1) fail together.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.code === undefined) e = e.errors[0] as SysError;
  const code = typeof e.code === 'string' ? e.code : '';
  const msg = typeof e.message === 'string' && e.message ? e.message : String(err);
  const listening = e.syscall === 'listen' || e.syscall === 'bind';
  if (code === 'EADDRINUSE') {
    return `cannot listen on ${where(e)}: the port is already in use (is another labelcheck running?); stop that process or set PORT to a free port (PORT=0 picks one)`;
  }
  if (code === 'EACCES' && listening) {
    return `cannot listen on ${where(e)}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`;
  }
  if (code === 'EADDRNOTAVAIL' && listening) {
    return `cannot listen on ${where(e)}: that address is not one of this machine's; set HOST to 127.0.0.1, 0.0.0.0 or a local address`;
  }
  if ((code === 'ENOTFOUND' || code === 'EAI_AGAIN') && typeof e.hostname === 'string') {
    return `cannot resolve the host name '${e.hostname}' (HOST or DATABASE_URL): ${code}`;
  }
  if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return `cannot connect to ${where(e)} (${code}): is the PostgreSQL server of DATABASE_URL running and reachable?`;
  }
  if (code in PG_CODES) {
    return `PostgreSQL (DATABASE_URL) refused the connection: ${PG_CODES[code]} (${msg})`;
  }
  if (['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'ENOENT'].includes(code) && typeof e.path === 'string') {
    return `cannot use '${e.path}' (${code}): check DATA_DIR points to a writable directory`;
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return `cannot open the SQLite job store under DATA_DIR (${code}: ${msg}); check DATA_DIR points to a writable directory`;
  }
  return `failed to start: ${msg}${code ? ` (${code})` : ''}`;
}
