/**
 * One store per data directory, also when two start at the same moment: the
 * LOCK file is taken atomically, and a LOCK left by a dead process is taken
 * over by exactly one of the stores that find it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { ROOT } from '../support/processes';

/** A long-lived contender process, driven line by line. */
interface Contender {
  child: ChildProcess;
  send(line: string): void;
  next(): Promise<string>;
}

function startContender(): Contender {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'test/abuse/lock-contender.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) =>
    waiting.length > 0 ? waiting.shift()!(line) : lines.push(line),
  );
  return {
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

/** The pid of a process that has exited, as a crashed store leaves in its LOCK. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid;
}

describe('embedded store: data directory lock', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'abuse-lock-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lets exactly one of two stores starting at once on one directory open it, round after round, with or without a stale LOCK', async () => {
    const contenders = [startContender(), startContender()];
    try {
      for (const contender of contenders) expect(await contender.next()).toBe('ready');
      const rounds: Array<{ round: number; stale: boolean; outcomes: string[] }> = [];
      for (let round = 0; round < 60; round++) {
        const dataDir = mkdtempSync(join(root, 'store-'));
        const stale = round % 2 === 1;
        if (stale) writeFileSync(join(dataDir, 'LOCK'), String(deadPid()));
        const at = Date.now() + 30;
        for (const contender of contenders) contender.send(`open ${dataDir} ${at}`);
        const outcomes = await Promise.all(contenders.map((contender) => contender.next()));
        rounds.push({ round, stale, outcomes });
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome !== 'won') continue;
          contenders[i].send('close');
          expect(await contenders[i].next()).toBe('closed');
        }
      }
      const notOneWinner = rounds.filter(
        ({ outcomes }) => outcomes.filter((outcome) => outcome === 'won').length !== 1,
      );
      expect(notOneWinner).toEqual([]);
      for (const { outcomes } of rounds)
        expect(outcomes.find((outcome) => outcome !== 'won')).toMatch(
          /^lost event store data directory .* is locked by running process \d+$/,
        );
    } finally {
      for (const { child } of contenders) child.kill('SIGKILL');
    }
  });

  it.each([
    ['a dead process', () => String(deadPid())],
    ['nothing (an older store crashed before writing it)', () => ''],
    ['no pid', () => 'garbled'],
  ])('takes over a LOCK naming %s, and releases it on stop', async (_case, content) => {
    const dataDir = join(root, 'store');
    const store = await EmbeddedEventStore.start({ dataDir });
    await store.stop();
    writeFileSync(join(dataDir, 'LOCK'), content());
    const again = await EmbeddedEventStore.start({ dataDir });
    expect(readFileSync(join(dataDir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await again.stop();
    expect(() => readFileSync(join(dataDir, 'LOCK'))).toThrow(/ENOENT/);
  });

  it('refuses to start, naming what to check, when a store died while taking over a stale LOCK', async () => {
    const dataDir = join(root, 'store');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'LOCK'), String(deadPid()));
    writeFileSync(join(dataDir, 'LOCK.takeover'), String(deadPid()));
    await expect(EmbeddedEventStore.start({ dataDir })).rejects.toThrow(
      `check that no store runs on it, then remove ${join(dataDir, 'LOCK.takeover')} and ${join(dataDir, 'LOCK')}`,
    );
  });
});
