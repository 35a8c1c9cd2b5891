/** `npm run docs:events`: writes docs/events.md from the event catalog's schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsMarkdown } from '../libs/event-catalog/src/events-markdown';

writeFileSync(join(__dirname, '../docs/events.md'), eventsMarkdown());
process.stdout.write('docs/events.md written\n');
