import {
  FoldedDocument,
  ProjectedEvent,
  Projection,
  RESERVATIONS,
  reservationKeys,
  reservationsProjection,
  ReservationView,
  StatementMonth,
  statementKeys,
  STATEMENTS,
  statementsProjection,
  ViewDocument,
  ViewReader,
} from '@app/projections';
import { AuditEventLine } from './audit-line';

/** A reservation as the reservations view holds it: its order's revision and its folded state. */
export interface ReservationSnapshot {
  reservationId: string;
  revision: number;
  state: ReservationView;
}

/** A month of the customer's statement as the statements view holds it: its lines, in the order recorded. */
export interface StatementSnapshot {
  month: string;
  lines: StatementMonth['lines'];
}

/** What the trailer states and the verifier rebuilds: every reservation of the customer, and every month of its statement. */
export interface CustomerSnapshot {
  reservations: ReservationSnapshot[];
  statements: StatementSnapshot[];
}

/** The projections an export is replayed through: the same code the views run (libs/projections). */
const REPLAYED: readonly Projection[] = [reservationsProjection, statementsProjection];

const byReservation = (a: ReservationSnapshot, b: ReservationSnapshot) =>
  a.reservationId < b.reservationId ? -1 : a.reservationId > b.reservationId ? 1 : 0;
const byMonth = (a: StatementSnapshot, b: StatementSnapshot) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0);

/** The customer's snapshot as the live views in Redis show it (for the trailer). Pages through the indexes. */
export async function snapshotFromViews(views: ViewReader, customerId: string): Promise<CustomerSnapshot> {
  const reservations: ReservationSnapshot[] = [];
  for (let after: { score: number; member: string } | undefined; ;) {
    const page = await views.listed<FoldedDocument<ReservationView>>(
      RESERVATIONS,
      reservationKeys.ofCustomer(customerId),
      reservationKeys.reservation,
      {
        after,
        limit: 500,
      },
    );
    for (const { entry, document } of page) {
      if (document)
        reservations.push({ reservationId: entry.member, revision: document.revision, state: document.state });
    }
    if (page.length < 500) break;
    after = page[page.length - 1].entry;
  }
  const statements: StatementSnapshot[] = [];
  const months = await views.listed<StatementMonth>(
    STATEMENTS,
    statementKeys.monthsOfCustomer(customerId),
    (month) => statementKeys.month(customerId, month),
    {
      limit: 100_000,
    },
  );
  for (const { entry, document } of months)
    if (document) statements.push({ month: entry.member, lines: document.lines });
  return { reservations: reservations.sort(byReservation), statements: statements.sort(byMonth) };
}

/**
 * Rebuilds the customer's snapshot from an export's lines, offline: each
 * line is applied, in order, to the reservations and statements projections
 * (the reservations view folds with the reservation decider's own evolve), in
 * memory instead of Redis.
 */
export class SnapshotReplay {
  private readonly documents = new Map<string, ViewDocument>();
  private readonly indexes = new Map<string, Map<string, number>>();

  constructor(private readonly customerId: string) {}

  apply(line: AuditEventLine): void {
    const event: ProjectedEvent = {
      id: line.id,
      type: line.type,
      data: line.data,
      metadata: line.metadata,
      streamId: line.stream,
      revision: line.revision,
      position: BigInt(line.position),
      created: new Date(typeof line.metadata.timestamp === 'string' ? line.metadata.timestamp : 0),
    };
    for (const projection of REPLAYED) {
      if (!projection.eventTypes.includes(line.type)) continue;
      const reads = projection.reads(event);
      const documents = Object.fromEntries(reads.map((key) => [key, this.documents.get(`${projection.name}/${key}`)]));
      for (const write of projection.apply(event, documents)) {
        const key = `${projection.name}/${write.key}`;
        if (write.kind === 'put') this.documents.set(key, write.document);
        else if (write.kind === 'index')
          (this.indexes.get(key) ?? this.indexes.set(key, new Map()).get(key)!).set(write.member, write.score);
        else this.indexes.get(key)?.delete(write.member);
      }
    }
  }

  snapshot(): CustomerSnapshot {
    const listed = (projection: string, index: string) => [
      ...(this.indexes.get(`${projection}/${index}`)?.keys() ?? []),
    ];
    const reservations = listed(RESERVATIONS, reservationKeys.ofCustomer(this.customerId)).flatMap((reservationId) => {
      const document = this.documents.get(`${RESERVATIONS}/${reservationKeys.reservation(reservationId)}`) as
        FoldedDocument<ReservationView> | undefined;
      return document ? [{ reservationId, revision: document.revision, state: document.state }] : [];
    });
    const statements = listed(STATEMENTS, statementKeys.monthsOfCustomer(this.customerId)).flatMap((month) => {
      const document = this.documents.get(`${STATEMENTS}/${statementKeys.month(this.customerId, month)}`) as
        StatementMonth | undefined;
      return document ? [{ month, lines: document.lines }] : [];
    });
    return { reservations: reservations.sort(byReservation), statements: statements.sort(byMonth) };
  }
}
