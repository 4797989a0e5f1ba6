/**
 * Failures to bind a listener, with the fix in the message: the most common first-run
 * problem is port 514 without the right to bind it.
 */
export class ListenError extends Error {
  readonly code: string;

  constructor(transport: string, address: string, cause: NodeJS.ErrnoException) {
    super(`Cannot listen on ${address} (${transport}): ${explain(cause, address)}`, { cause });
    this.code = `LH_LISTEN_${cause.code ?? 'FAILED'}`;
  }
}

function explain(cause: NodeJS.ErrnoException, address: string): string {
  switch (cause.code) {
    case 'EACCES':
      return 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: run as ' +
        'root, run `setcap cap_net_bind_service=+ep $(command -v node)`, or choose a port ' +
        `above 1023 such as ${address.replace(/:\d+$/, ':5514')})`;
    case 'EADDRINUSE':
      return 'address already in use (another syslog daemon such as rsyslog may hold it: ' +
        'stop it or choose another port)';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine (use 0.0.0.0, [::] or one of its addresses)';
    default:
      return cause.message;
  }
}
