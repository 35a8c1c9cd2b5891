/**
 * Fault injection for the crash tests: when CRASH_AT names this point, the
 * process dies right here with SIGKILL, as a power cut between two appends
 * would leave it. Never honoured in production.
 */
export function crashPoint(name: string): void {
  if (process.env.NODE_ENV === 'production' || !process.env.CRASH_AT) return;
  if (process.env.CRASH_AT.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
