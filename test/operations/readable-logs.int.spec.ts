/**
 * Logs a person can read: pretty lines at a terminal outside production,
 * JSON lines everywhere else, and Nest's start-up chatter (a line per module
 * and route) only at debug level. The api runs as a real process, once on a
 * pipe and once on a pseudo-terminal (util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prettyLogs } from '@app/logging';
import { removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, ROOT, RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);

describe('readable logs', () => {
  it.each([
    [{ NODE_ENV: 'development' as const }, true, true],
    [{ NODE_ENV: 'test' as const }, true, true],
    [{ NODE_ENV: 'production' as const }, true, false],
    [{ NODE_ENV: 'development' as const }, false, false],
    [{ NODE_ENV: 'production' as const, LOG_FORMAT: 'pretty' as const }, false, true],
    [{ NODE_ENV: 'development' as const, LOG_FORMAT: 'json' as const }, true, false],
  ])('%j, stdout a terminal: %s → pretty: %s', (env, terminal, pretty) => {
    expect(prettyLogs(env, terminal)).toBe(pretty);
  });

  describe('the api as a process', () => {
    const root = mkdtempSync(join(tmpdir(), 'logs-'));
    const prefix = `test:${randomUUID()}:`;
    const running: Array<() => Promise<unknown>> = [];
    afterAll(async () => {
      for (const stop of running) await stop();
      await removeKeys(prefix);
      rmSync(root, { recursive: true, force: true });
    });

    const env = async (extra: Record<string, string>) => ({
      NODE_ENV: 'development',
      HTTP_PORT: String(await freePort()),
      EVENTSTORE_DATA_DIR: mkdtempSync(join(root, 'store-')),
      EVENTSTORE_EMBEDDED_PORT: '0',
      REDIS_KEY_PREFIX: prefix,
      PERSONAL_DATA_DIR: join(root, 'personal-data'),
      ...extra,
    });
    const live = (port: string, output: () => string) =>
      eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok,
        60_000,
        output,
      );

    async function onPipe(extra: Record<string, string>): Promise<string[]> {
      const settings = await env(extra);
      const api: RunningProcess = startTsProcess('apps/api/src/main.ts', settings);
      running.push(() => api.kill());
      await live(settings.HTTP_PORT, api.output);
      await fetch(`http://127.0.0.1:${settings.HTTP_PORT}/v1/catalog`, {
        headers: { 'x-api-key': 'demo-key-contoso' },
      });
      await eventually(() => api.output().includes('/v1/catalog'), 10_000, api.output);
      await api.kill();
      return api
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
    }

    it('writes JSON lines on a pipe, with the route mapping only at debug', async () => {
      const info = await onPipe({ LOG_LEVEL: 'info' });
      const parsed = info.map((line) => JSON.parse(line) as { level: number; msg: string; res?: unknown });
      const completed = parsed.filter((line) => line.msg === 'request completed');
      expect(completed.length).toBeGreaterThan(0);
      // The answer's status, and no empty header list pretending nothing was sent.
      expect(completed[0].res).toEqual({ statusCode: 200 });
      expect(info.join('\n')).not.toMatch(/Mapped \{|dependencies initialized|RoutesResolver/);

      const debug = (await onPipe({ LOG_LEVEL: 'debug' })).map(
        (line) => JSON.parse(line) as { level: number; msg: string },
      );
      const mapped = debug.filter((line) => /^Mapped \{\/catalog, GET\} \(version: 1\) route$/.test(line.msg));
      expect(mapped).toHaveLength(1);
      expect(mapped[0].level).toBe(20);
    });

    it('writes pretty lines at a terminal outside production', async () => {
      const settings = await env({ LOG_LEVEL: 'info' });
      // `script` gives the api a pseudo-terminal as stdout; its own output is what the terminal would show.
      const child = spawn(
        'script',
        ['-qefc', `${process.execPath} -r @swc-node/register apps/api/src/main.ts`, '/dev/null'],
        {
          cwd: ROOT,
          env: { ...process.env, ...settings, LOG_FORMAT: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      running.push(async () => {
        if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
        await exited;
      });
      await live(settings.HTTP_PORT, () => output);
      await fetch(`http://127.0.0.1:${settings.HTTP_PORT}/v1/catalog`, {
        headers: { 'x-api-key': 'demo-key-contoso' },
      });
      await eventually(
        () => output.includes('request completed'),
        10_000,
        () => output,
      );

      const lines = output.split(/\r?\n/).filter((line) => line.trim() !== '');
      // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
      const plain = lines.map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''));
      expect(plain.find((line) => line.includes('request completed'))).toMatch(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/v1\/catalog 200 \d+ ms by demo-client \(writer\) \([\w-]+\) request completed$/,
      );
      expect(plain.find((line) => line.includes('embedded event store listening'))).toMatch(
        /^\[[\d:.]+\] INFO: \[EventStore\] embedded event store listening on /,
      );
      // One line per entry, none of them JSON.
      for (const line of plain) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /);
      expect(output).not.toMatch(/Mapped \{/);
    });
  });
});
