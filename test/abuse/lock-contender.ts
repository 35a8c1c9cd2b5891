/**
 * One of the processes that race to open the embedded store on one data
 * directory (data-directory-lock.int.spec.ts). Reads commands on stdin:
 * `open <dir> <epoch ms>` opens a store on `dir` at that moment and prints
 * `won` or `lost <reason>`; `close` stops the store it holds and prints `closed`.
 */
import { createInterface } from 'node:readline';
import { EmbeddedEventStore } from '@app/eventstore-server';

let store: EmbeddedEventStore | undefined;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function handle(line: string): Promise<void> {
  const [command, dataDir, at] = line.split(' ');
  if (command === 'open') {
    // Busy-wait, so every contender leaves this loop within the same millisecond.
    while (Date.now() < Number(at));
    try {
      store = await EmbeddedEventStore.start({ dataDir });
      say('won');
    } catch (error) {
      say(`lost ${(error as Error).message}`);
    }
  } else if (command === 'close') {
    await store?.stop();
    store = undefined;
    say('closed');
  }
}

createInterface({ input: process.stdin }).on('line', (line) => void handle(line));
say('ready');
