import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { EventStore } from '@app/eventstore-client';
import { FastifyRequest, FastifyReply } from 'fastify';
import { ALL_PROJECTIONS, Follower, measureLag, ViewReader } from '@app/projections';
import { Public } from '../auth/api-key.guard';
import { OpsBasicAuthGuard } from '../auth/ops-basic-auth.guard';
import { ErrorBodyResource } from '../http/openapi/error-body.resource';

export class ProjectionStatusResource {
  @ApiProperty({ example: 'order-history' }) name: string;
  @ApiProperty({
    enum: ['view', 'reactor'],
    description: 'A view in Redis, or a reactor that acts on events (hand-off, workflows)',
  })
  kind: string;
  @ApiProperty({ example: 'live', description: 'The running replica’s state, or "not running"' }) state: string;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Each replica: owner, state, checkpoint',
  })
  replicas: object[];
  @ApiPropertyOptional() checkpoint?: string;
  @ApiProperty() eventsBehind: number;
  @ApiProperty({ description: 'More were behind than were counted' }) atLeast: boolean;
  @ApiProperty() secondsBehind: number;
}

/** Every projection: which replica runs it, its state, checkpoint and lag. */
@ApiTags('operations')
@ApiBasicAuth()
@Public()
@UseGuards(OpsBasicAuthGuard)
@Controller('ops/projections')
export class ProjectionStatusController {
  constructor(
    private readonly views: ViewReader,
    private readonly store: EventStore,
  ) {}

  @Get()
  @ApiProduces('application/json', 'text/html')
  @ApiExtraModels(ErrorBodyResource)
  @ApiResponse({
    status: 401,
    description: 'OPS_CREDENTIALS_REQUIRED',
    schema: { $ref: getSchemaPath(ErrorBodyResource) },
  })
  @ApiResponse({
    status: 429,
    description: 'OPS_AUTH_RATE_LIMITED: too many failed logins from this address',
    schema: { $ref: getSchemaPath(ErrorBodyResource) },
  })
  @ApiOkResponse({
    type: [ProjectionStatusResource],
    description:
      'State, owner, checkpoint, events behind and seconds behind of each projection; a small HTML page when the client prefers text/html',
  })
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply) {
    const statuses = await this.views.allStatuses();
    // Reactors run in the workers, unknown here: they are found by what their runners report.
    const reactors = new Map<string, Follower>();
    for (const { name, eventTypes } of statuses) {
      if (eventTypes && !ALL_PROJECTIONS.some((view) => view.name === name)) reactors.set(name, { name, eventTypes });
    }
    const followers = [
      ...ALL_PROJECTIONS.map((projection) => ({ projection, kind: 'view' })),
      ...[...reactors.values()].map((projection) => ({ projection, kind: 'reactor' })),
    ];
    const projections = await Promise.all(
      followers.map(async ({ projection, kind }) => {
        const replicas = statuses.filter((status) => status.name === projection.name);
        const lag = await measureLag(this.store, this.views, projection);
        const active = replicas.find((status) => status.state !== 'standby');
        return {
          name: projection.name,
          kind,
          state: active?.state ?? 'not running',
          error: active?.error,
          replicas,
          ...lag,
        };
      }),
    );
    // A person's browser asks for HTML first; scripts and curl get the JSON they always got.
    void response.header('Vary', 'Accept');
    if (!prefersHtml(request.headers.accept)) return projections;
    void response.type('text/html; charset=utf-8');
    return projectionsPage(projections);
  }
}

/**
 * Whether an Accept header ranks HTML above JSON, by quality and then by
 * how specific the matching range is (text/html before text/* before *\/*).
 * No header, or a tie, is JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    return { range: range.trim(), q: q ? Number(q.slice(2)) : 1 };
  });
  const quality = (type: string) => {
    const [major] = type.split('/');
    const match =
      ranges.find((r) => r.range === type) ??
      ranges.find((r) => r.range === `${major}/*`) ??
      ranges.find((r) => r.range === '*/*');
    return match && Number.isFinite(match.q) ? match.q : 0;
  };
  return quality('text/html') > quality('application/json');
}

export type ProjectionRow = {
  name: string;
  kind?: string;
  state: string;
  error?: string;
  replicas: Array<{ owner: string; state: string }>;
  checkpoint?: string;
  eventsBehind: number;
  atLeast: boolean;
  secondsBehind: number;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One table, no scripts, no external assets; it refreshes itself every 5 s. */
export function projectionsPage(projections: ProjectionRow[]): string {
  const rows = projections
    .map((p) => {
      const behind = `${p.atLeast ? '≥ ' : ''}${p.eventsBehind}`;
      const replicas = p.replicas.map((r) => `${escapeHtml(r.owner)} (${escapeHtml(r.state)})`).join('<br>') || '—';
      const state = `<span class="${p.state === 'failed' || p.state === 'not running' ? 'bad' : p.state === 'live' && !p.error ? 'ok' : 'warn'}">${escapeHtml(p.state)}</span>`;
      return `<tr><td>${escapeHtml(p.name)}${p.kind === 'reactor' ? ' <small>(reactor)</small>' : ''}</td><td>${state}${p.error ? `<br><small>${escapeHtml(p.error)}</small>` : ''}</td><td class="n">${behind}</td><td class="n">${p.secondsBehind.toFixed(1)}</td><td><code>${escapeHtml(p.checkpoint ?? '—')}</code></td><td>${replicas}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Projections</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{padding:.4em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.n{text-align:right}.ok{color:#080}.warn{color:#a60}.bad{color:#c00;font-weight:bold}</style>
</head><body><h1>Projections</h1>
<table><thead><tr><th>projection</th><th>state</th><th>events behind</th><th>seconds behind</th><th>checkpoint</th><th>replicas</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p><small>Refreshes every 5 s. Scripts get the same as JSON from this URL (any Accept but text/html). Queues: <a href="/ops/queues">/ops/queues</a>.</small></p>
</body></html>`;
}
