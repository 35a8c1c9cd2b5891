/**
 * npm run audit:verify -- <export.ndjson> [--anchors <anchors.json>] [--public-key <key>]
 *
 * Verifies a customer's audit export offline, with no server, Redis or store
 * (docs/audit.md): the chain line by line, the trailer's count, last chain
 * and signature, the anchors, then a replay of the events through the
 * reservation decider's evolve and the statements projection, compared with
 * the trailer. Prints the first line that fails and why; exits 1 then, 0 when
 * everything holds, 2 on bad arguments.
 *
 * --public-key takes GET /v1/audit/public-key's answer (a file), a PEM file,
 * or the raw key in base64. Without it, the key named in the trailer is used
 * and the output says so.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AnchorList, publicKeyFrom, verifyExport } from '@app/audit';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run audit:verify -- <export.ndjson> [--anchors <anchors.json>] [--public-key <file | base64>]\n`,
  );
  process.exit(2);
}

/**
 * `npm run audit:verify <file> --anchors <file>` without `--`: npm takes the
 * options as its own config (npm_config_anchors=true) and passes their values
 * on as plain arguments. An anchor list is then told from a key by its content.
 */
const npmTookOptions = () => process.env.npm_config_anchors === 'true' || process.env.npm_config_public_key === 'true';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let file: string | undefined;
  let anchorsFile: string | undefined;
  let keyArgument: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--anchors') anchorsFile = args[++i] ?? usage('--anchors needs a file');
    else if (args[i] === '--public-key') keyArgument = args[++i] ?? usage('--public-key needs a file or a key');
    else if (args[i].startsWith('--')) usage(`unknown option ${args[i]}`);
    else if (file === undefined) file = args[i];
    else if (npmTookOptions() && existsSync(args[i]) && readFileSync(args[i], 'utf8').includes('"anchors"'))
      anchorsFile = args[i];
    else if (npmTookOptions()) keyArgument = args[i];
    else usage(`one export at a time (${args[i]})`);
  }
  if (!file) usage('name the export to verify');
  if (!existsSync(file)) usage(`${file}: no such file`);
  const anchors = anchorsFile ? (JSON.parse(readFileSync(anchorsFile, 'utf8')) as AnchorList) : undefined;
  const publicKey = keyArgument
    ? publicKeyFrom(existsSync(keyArgument) ? readFileSync(keyArgument, 'utf8') : keyArgument)
    : undefined;

  const started = Date.now();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const report = await verifyExport(lines, { publicKey, anchors });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!report.ok) {
    process.stdout.write(`FAILED at line ${report.failure!.line} of ${file}: ${report.failure!.reason}\n`);
    for (const done of report.checked) process.stdout.write(`  checked before it: ${done}\n`);
    process.exit(1);
  }
  process.stdout.write(`OK: ${file} verifies (${report.events} events, ${seconds} s)\n`);
  for (const done of report.checked) process.stdout.write(`  ✓ ${done}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`audit:verify failed: ${error.stack ?? error.message}\n`);
  process.exit(2);
});
